export * from './tags';
export * from './quote';
export * from './reproduce';

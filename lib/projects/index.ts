export * from './tags';
export * from './quote';
export * from './reproduce';
export * from './spec';
export * from './command';
export * from './project-uri';

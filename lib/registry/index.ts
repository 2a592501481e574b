export * from './schemas';
export * from './read';
export * from './commands';
export * from './uri';
export * from './search';

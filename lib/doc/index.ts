export * from './layout';
export * from './records';
export * from './chunk-codec';
export * from './commands';
export * from './read';
export * from './metrics';
export * from './memory-ctx';
export * from './upgrade';

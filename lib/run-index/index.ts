export * from './rows';
export * from './codec';
export * from './experiment-index';
export * from './build';

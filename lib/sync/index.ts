export * from './doc-host';
export * from './doc-names';
export * from './persistence';
export * from './presence';
export * from './run-docs';
export * from './settings';
export * from './status';

export * from './doc-engine';
export * from './relay-remote';

export * from './ports';
export * from './doc-engine';
export * from './relay-remote';
export * from './held-docs';
export * from './held-bytes';

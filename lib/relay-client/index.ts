export * from './urls';
export * from './room-connection';

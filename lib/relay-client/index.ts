export * from './urls';
export * from './room-connection';
export * from './protocol';
export * from './snapshot-fetch';
export * from './early-snapshots';

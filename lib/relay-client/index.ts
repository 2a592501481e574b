export * from './urls';
export * from './room-connection';
export * from './send-gate';
export * from './protocol';
export * from './snapshot-fetch';
export * from './early-snapshots';

export { startRelay, type RelayHandle } from './relay-server';
export type { RelayOptions, AuthMode } from './config';
export type { DocStore, StoredUpdate } from './doc-store';
export { MemoryDocStore } from './memory-doc-store';
export { SqliteDocStore } from './sqlite-doc-store';
export { openRelayDatabase } from './database';
export { TokenStore, ROLES, RoleSchema, type Role, type TokenInfo } from './token-store';
export { MSG_FLUSH, FLUSH_PERSISTED, FLUSH_READ_ONLY, encodeFlushRequest } from '../../lib/relay-client/protocol';
export { encodeEntries as encodeAwarenessEntries, type AwarenessEntry } from './awareness-gate';

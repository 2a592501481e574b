import Dexie, { type EntityTable } from 'dexie';

/**
 * The one IndexedDB database of the app (lib/store/README.md). Every `version(n)` ever shipped stays in
 * `defineSchema` forever: Dexie needs the whole history to upgrade a browser that skipped versions.
 * Bump SCHEMA_VERSION only together with a new `version(n).stores(...)` (and `.upgrade()` when rows must change).
 */
export const SCHEMA_VERSION = 2;
export const DEFAULT_DB_NAME = 'cairn';

/** One row of a document's Yjs update log. A compaction replaces a prefix of rows with one snapshot row. */
export interface UpdateRow {
  id?: number;
  /** Document name, e.g. `ws/default` or `ws/default/run/<runId>` (lib/sync names them). */
  doc: string;
  update: Uint8Array;
}

export interface BlobRow {
  sha256: string;
  data: Uint8Array;
  size: number;
  mediaType: string;
  storedAt: number;
}

export interface SettingRow {
  key: string;
  value: unknown;
}

/** Derived data kept to paint fast (experiment indexes, the experiments list): never a source of truth. */
export interface CacheRow {
  key: string;
  value: unknown;
  savedAt: number;
}

export type CairnDexie = Dexie & {
  updates: EntityTable<UpdateRow, 'id'>;
  blobs: EntityTable<BlobRow, 'sha256'>;
  settings: EntityTable<SettingRow, 'key'>;
  caches: EntityTable<CacheRow, 'key'>;
};

export function defineSchema(db: Dexie): void {
  // v1: update log per doc (auto-increment id keeps arrival order), blobs by content hash, key/value settings.
  db.version(1).stores({
    updates: '++id, doc',
    blobs: 'sha256',
    settings: 'key',
  });
  // v2: caches of derived data (the data worker's saved experiment indexes), rebuildable from the documents.
  db.version(2).stores({ caches: 'key' });
}

export function createDexie(name: string = DEFAULT_DB_NAME): CairnDexie {
  const db = new Dexie(name) as CairnDexie;
  defineSchema(db);
  return db;
}

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** How long a writer waits for another process's lock (the CLI adding a token while the relay runs). */
const BUSY_TIMEOUT_MS = 5_000;
export const DB_FILE_NAME = 'relay.sqlite';
/**
 * 1: doc_updates + tokens. 2: tokens.expires_at, doc_rejects (rows quarantined because they cannot be applied).
 * 3: relay_meta (data format marker), the experiment indexes (index_rows, index_removed, index_experiments) and the
 * runs whose index rows may be stale (index_dirty), see index-tables.ts. 4: index_snapshots (the last snapshot bytes of
 * each experiment's index, so a first read after a restart or a change need not assemble 10k rows: RELAY-41).
 */
const SCHEMA_VERSION = 4;

/** relay_meta keys. */
export const META_DATA_FORMAT = 'data_format';
/** Set once every workspace's index was built from its run docs; absent → the relay rebuilds at start. */
export const META_INDEX_BUILT = 'index_built';
/** The pid of the relay serving this file (cleared at a clean shutdown): `cairn relay reindex` refuses while it lives. */
export const META_RELAY_PID = 'relay_pid';
/** The document format (lib/doc) this relay's rooms hold once `data_format` says so. */
export const DATA_FORMAT = '2';

export type SqliteDb = Database.Database;

/**
 * Opens `<dataDir>/relay.sqlite` shared by the doc store and the token store.
 * WAL lets the CLI read/write tokens while the relay runs; synchronous=FULL makes every committed transaction survive
 * power loss, which is what "acknowledged means persisted" rests on.
 */
export function openRelayDatabase(dataDir: string, opts: { maxBytes?: number } = {}): SqliteDb {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DB_FILE_NAME));
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db);
  if (opts.maxBytes !== undefined) limitSize(db, opts.maxBytes);
  return db;
}

/**
 * Caps the database file (`--max-db-bytes`): past it every write fails with SQLITE_FULL, exactly as on a full disk,
 * so an operator can keep the relay from filling a shared volume (and tests can fill it without mounting anything).
 * The limit is per connection and never below the pages already in use.
 */
function limitSize(db: SqliteDb, maxBytes: number): void {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = Math.max(1, Math.floor(maxBytes / pageSize));
  db.pragma(`max_page_count = ${pages}`);
}

function migrate(db: SqliteDb): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`relay database schema ${version} is newer than this relay understands (${SCHEMA_VERSION}); upgrade cairn`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    if (version < 1) createV1(db);
    if (version < 2) {
      db.exec(`
        ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
        CREATE TABLE doc_rejects (
          room TEXT NOT NULL,
          seq INTEGER NOT NULL,
          data BLOB NOT NULL,
          reason TEXT NOT NULL,
          rejected_at INTEGER NOT NULL,
          PRIMARY KEY (room, seq)
        ) WITHOUT ROWID;
      `);
    }
    if (version < 3) createV3(db, version === 0);
    if (version < 4) {
      db.exec(`
        CREATE TABLE index_snapshots (
          workspace TEXT NOT NULL,
          experiment_id TEXT NOT NULL,
          epoch TEXT NOT NULL,
          seq INTEGER NOT NULL,
          bytes BLOB NOT NULL,
          PRIMARY KEY (workspace, experiment_id)
        ) WITHOUT ROWID;
      `);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

/**
 * A new file holds format-2 rooms from the start; an older one (schema 1 or 2) was written by a format-1 relay and is
 * upgraded at the relay's start (upgrade.ts), which then sets `data_format`.
 */
function createV3(db: SqliteDb, fresh: boolean): void {
  db.exec(`
    CREATE TABLE relay_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE index_rows (
      workspace TEXT NOT NULL,
      run_id TEXT NOT NULL,
      experiment_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      row BLOB NOT NULL,
      PRIMARY KEY (workspace, run_id)
    );
    CREATE INDEX index_rows_by_seq ON index_rows (workspace, experiment_id, seq);
    CREATE TABLE index_removed (
      workspace TEXT NOT NULL,
      experiment_id TEXT NOT NULL,
      run_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (workspace, experiment_id, run_id)
    ) WITHOUT ROWID;
    CREATE INDEX index_removed_by_seq ON index_removed (workspace, experiment_id, seq);
    CREATE TABLE index_experiments (
      workspace TEXT NOT NULL,
      experiment_id TEXT NOT NULL,
      epoch TEXT NOT NULL,
      seq INTEGER NOT NULL,
      horizon INTEGER NOT NULL,
      PRIMARY KEY (workspace, experiment_id)
    ) WITHOUT ROWID;
    CREATE TABLE index_dirty (
      workspace TEXT NOT NULL,
      run_id TEXT NOT NULL,
      mark INTEGER NOT NULL,
      PRIMARY KEY (workspace, run_id)
    ) WITHOUT ROWID;
  `);
  if (fresh) {
    const set = db.prepare('INSERT INTO relay_meta (key, value) VALUES (?, ?)');
    set.run(META_DATA_FORMAT, DATA_FORMAT);
    set.run(META_INDEX_BUILT, '1');
  }
}

export function getMeta(db: SqliteDb, key: string): string | null {
  return db.prepare<[string], { value: string }>('SELECT value FROM relay_meta WHERE key = ?').get(key)?.value ?? null;
}

/** Inside a transaction of the caller's, or its own (whose COMMIT raises on a full disk). */
export function setMeta(db: SqliteDb, key: string, value: string | null): void {
  const write = () => {
    if (value === null) db.prepare('DELETE FROM relay_meta WHERE key = ?').run(key);
    else db.prepare('INSERT INTO relay_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  };
  if (db.inTransaction) write();
  else db.transaction(write)();
}

/** An empty database with the relay's schema, for what a relay without SQLite storage keeps in memory (its indexes). */
export function openMemoryDatabase(): SqliteDb {
  const db = new Database(':memory:');
  migrate(db);
  return db;
}

function createV1(db: SqliteDb): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS doc_updates (
      room TEXT NOT NULL,
      seq INTEGER NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (room, seq)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS tokens (
      id TEXT PRIMARY KEY,
      workspace TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('read', 'write', 'admin')),
      token_sha256 TEXT NOT NULL UNIQUE,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER
    );
  `);
}

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** How long a writer waits for another process's lock (the CLI adding a token while the relay runs). */
const BUSY_TIMEOUT_MS = 5_000;
export const DB_FILE_NAME = 'relay.sqlite';
/** 1: doc_updates + tokens. 2: tokens.expires_at, doc_rejects (rows quarantined because they cannot be applied). */
const SCHEMA_VERSION = 2;

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
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
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

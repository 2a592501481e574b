import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** How long a writer waits for another process's lock (the CLI adding a token while the relay runs). */
const BUSY_TIMEOUT_MS = 5_000;
export const DB_FILE_NAME = 'relay.sqlite';
const SCHEMA_VERSION = 1;

export type SqliteDb = Database.Database;

/**
 * Opens `<dataDir>/relay.sqlite` shared by the doc store and the token store.
 * WAL lets the CLI read/write tokens while the relay runs; synchronous=FULL makes every committed transaction survive
 * power loss, which is what "acknowledged means persisted" rests on.
 */
export function openRelayDatabase(dataDir: string): SqliteDb {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DB_FILE_NAME));
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db);
  return db;
}

function migrate(db: SqliteDb): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`relay database schema ${version} is newer than this relay understands (${SCHEMA_VERSION}); upgrade cairn`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
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
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

import type { DocStore, StoredUpdate } from './doc-store';
import type { SqliteDb } from './database';

/**
 * Durable store on the relay's SQLite file. Each `append` is its own committed transaction (synchronous=FULL), so a
 * returned seq survives SIGKILL and power loss.
 *
 * Never `.get()` a writing statement: better-sqlite3's `.get()` steps once and the autocommit happens when the
 * statement is reset, where SQLite reports SQLITE_FULL / SQLITE_IOERR that better-sqlite3 then drops (sqlite3_reset's
 * documentation warns of this). Every write here runs inside `db.transaction()`, whose COMMIT raises.
 */
export class SqliteDocStore implements DocStore {
  private readonly selectRoom;
  private readonly insert;
  private readonly deleteUpTo;
  private readonly insertAt;
  private readonly selectRow;
  private readonly deleteRow;
  private readonly insertReject;
  private readonly selectRejects;
  private readonly appendTx;
  private readonly compactTx;
  private readonly quarantineTx;
  private readonly selectRooms;
  /** Runs inside every append's transaction (the index's run-dirty marker, RELAY-33): one commit covers both. */
  private inAppend: ((room: string, seq: number) => void) | null = null;

  constructor(private readonly db: SqliteDb, private readonly ownsDb = false) {
    this.selectRoom = db.prepare<[string], { seq: number; data: Buffer }>(
      'SELECT seq, data FROM doc_updates WHERE room = ? ORDER BY seq',
    );
    // One statement computes the next seq and inserts, so two writers can never pick the same seq.
    this.insert = db.prepare<[{ room: string; data: Buffer }], { seq: number }>(
      'INSERT INTO doc_updates (room, seq, data) ' +
        'VALUES (@room, (SELECT COALESCE(MAX(seq), 0) + 1 FROM doc_updates WHERE room = @room), @data) RETURNING seq',
    );
    this.deleteUpTo = db.prepare<[string, number]>('DELETE FROM doc_updates WHERE room = ? AND seq <= ?');
    this.insertAt = db.prepare<[string, number, Buffer]>('INSERT INTO doc_updates (room, seq, data) VALUES (?, ?, ?)');
    this.selectRow = db.prepare<[string, number], { data: Buffer }>('SELECT data FROM doc_updates WHERE room = ? AND seq = ?');
    this.deleteRow = db.prepare<[string, number]>('DELETE FROM doc_updates WHERE room = ? AND seq = ?');
    this.insertReject = db.prepare<[string, number, Buffer, string, number]>(
      'INSERT OR REPLACE INTO doc_rejects (room, seq, data, reason, rejected_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.selectRejects = db.prepare<[string], { seq: number; reason: string }>(
      'SELECT seq, reason FROM doc_rejects WHERE room = ? ORDER BY rejected_at, seq',
    );
    this.appendTx = db.transaction((room: string, data: Buffer): number => {
      // `.all()` runs the statement to completion inside the transaction; the COMMIT of db.transaction() raises.
      const row = this.insert.all({ room, data })[0];
      if (!row) throw new Error('insert returned no seq');
      this.inAppend?.(room, row.seq);
      return row.seq;
    });
    // DISTINCT over the primary key: reads keys only, never the (possibly large) data of the rows it skips.
    this.selectRooms = db.prepare<[string, string], { room: string }>(
      'SELECT DISTINCT room FROM doc_updates WHERE room >= ? AND room < ? ORDER BY room',
    );
    this.compactTx = db.transaction((room: string, uptoSeq: number, snapshot: Buffer) => {
      this.deleteUpTo.run(room, uptoSeq);
      this.insertAt.run(room, uptoSeq, snapshot);
    });
    this.quarantineTx = db.transaction((room: string, seq: number, reason: string) => {
      const row = this.selectRow.get(room, seq);
      if (!row) return;
      this.insertReject.run(room, seq, row.data, reason, Date.now());
      this.deleteRow.run(room, seq);
    });
  }

  load(room: string): StoredUpdate[] {
    return this.selectRoom.all(room).map((r) => ({ seq: r.seq, data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) }));
  }

  append(room: string, update: Uint8Array): number {
    return this.appendTx(room, toBuffer(update));
  }

  compact(room: string, uptoSeq: number, snapshot: Uint8Array): void {
    this.compactTx(room, uptoSeq, toBuffer(snapshot));
  }

  quarantine(room: string, seq: number, reason: string): void {
    this.quarantineTx(room, seq, reason);
  }

  rejects(room: string): { seq: number; reason: string }[] {
    return this.selectRejects.all(room);
  }

  listRooms(prefix: string): string[] {
    return this.selectRooms.all(prefix, prefixEnd(prefix)).map((r) => r.room);
  }

  /** The database this store writes to (the relay keeps its indexes in the same file). */
  get database(): SqliteDb {
    return this.db;
  }

  /**
   * `f` runs inside the transaction of every later append, after the row is inserted; if it throws, the append is
   * rolled back and throws. One hook at a time (null removes it).
   */
  setAppendHook(f: ((room: string, seq: number) => void) | null): void {
    this.inAppend = f;
  }

  close(): void {
    if (this.ownsDb) this.db.close();
  }
}

/** The smallest string greater than every string starting with `prefix` ('' for no upper bound is not needed here). */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\u{10FFFF}';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

import type { DocStore, StoredUpdate } from './doc-store';
import type { SqliteDb } from './database';

/**
 * Durable store on the relay's SQLite file. Each `append` is its own committed transaction (synchronous=FULL), so a
 * returned seq survives SIGKILL and power loss.
 */
export class SqliteDocStore implements DocStore {
  private readonly selectRoom;
  private readonly insert;
  private readonly deleteUpTo;
  private readonly insertAt;

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
  }

  load(room: string): StoredUpdate[] {
    return this.selectRoom.all(room).map((r) => ({ seq: r.seq, data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) }));
  }

  append(room: string, update: Uint8Array): number {
    const row = this.insert.get({ room, data: toBuffer(update) });
    if (!row) throw new Error('insert returned no seq');
    return row.seq;
  }

  compact(room: string, uptoSeq: number, snapshot: Uint8Array): void {
    this.db.transaction(() => {
      this.deleteUpTo.run(room, uptoSeq);
      this.insertAt.run(room, uptoSeq, toBuffer(snapshot));
    })();
  }

  close(): void {
    if (this.ownsDb) this.db.close();
  }
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

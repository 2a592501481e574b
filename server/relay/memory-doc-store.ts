import type { DocStore, StoredUpdate } from './doc-store';

/** Throwaway store for tests and demos: same contract as SQLite, nothing survives the process. */
export class MemoryDocStore implements DocStore {
  private readonly rooms = new Map<string, StoredUpdate[]>();
  private readonly rejected = new Map<string, { seq: number; reason: string; data: Uint8Array }[]>();
  private closed = false;

  load(room: string): StoredUpdate[] {
    this.assertOpen();
    return (this.rooms.get(room) ?? []).map((r) => ({ seq: r.seq, data: r.data.slice() }));
  }

  append(room: string, update: Uint8Array): number {
    this.assertOpen();
    const rows = this.rooms.get(room) ?? [];
    const seq = (rows.at(-1)?.seq ?? 0) + 1;
    // Copy: the caller's buffer may be a view into a reused network frame.
    rows.push({ seq, data: update.slice() });
    this.rooms.set(room, rows);
    return seq;
  }

  compact(room: string, uptoSeq: number, snapshot: Uint8Array): void {
    this.assertOpen();
    const rest = (this.rooms.get(room) ?? []).filter((r) => r.seq > uptoSeq);
    this.rooms.set(room, [{ seq: uptoSeq, data: snapshot.slice() }, ...rest]);
  }

  quarantine(room: string, seq: number, reason: string): void {
    this.assertOpen();
    const rows = this.rooms.get(room) ?? [];
    const row = rows.find((r) => r.seq === seq);
    if (!row) return;
    this.rooms.set(room, rows.filter((r) => r !== row));
    this.rejected.set(room, [...(this.rejected.get(room) ?? []), { seq, reason, data: row.data }]);
  }

  rejects(room: string): { seq: number; reason: string }[] {
    this.assertOpen();
    return (this.rejected.get(room) ?? []).map(({ seq, reason }) => ({ seq, reason }));
  }

  listRooms(prefix: string): string[] {
    this.assertOpen();
    return [...this.rooms.keys()].filter((r) => r.startsWith(prefix) && (this.rooms.get(r)?.length ?? 0) > 0).sort();
  }

  close(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('doc store is closed');
  }
}

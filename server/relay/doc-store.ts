/**
 * The persistence port for Yjs documents: an append-only log of updates per room, folded now and then into one
 * snapshot row. Calls are synchronous on purpose: the relay acknowledges a flush when it reaches the frame, which is
 * only correct if every earlier `append` has committed by then (see README "Persistence guarantee").
 */
export interface StoredUpdate {
  /** Strictly increasing within a room; a compacted snapshot keeps the seq of the last row it replaced. */
  seq: number;
  data: Uint8Array;
}

export interface DocStore {
  /** All rows of a room in seq order (empty for a room never written). */
  load(room: string): StoredUpdate[];
  /**
   * Appends one update and returns its seq once it is committed (durable for the SQLite store). Throws when the
   * commit fails (disk full, I/O error): then nothing was stored.
   */
  append(room: string, update: Uint8Array): number;
  /** Atomically replaces every row with seq <= uptoSeq by one row holding `snapshot` at seq `uptoSeq`. */
  compact(room: string, uptoSeq: number, snapshot: Uint8Array): void;
  /**
   * Moves one row that cannot be applied out of the room's log (kept aside with the reason, never served), so the rest
   * of the room loads and compacts. A no-op for an unknown seq.
   */
  quarantine(room: string, seq: number, reason: string): void;
  /** Rows quarantined so far, oldest first (for operators and tests). */
  rejects(room: string): { seq: number; reason: string }[];
  /**
   * Names of the rooms holding rows whose name starts with `prefix`, in name order: what a full index rebuild walks
   * (RELAY-33). Optional for an embedder's store: without it the relay indexes only the runs written since it started.
   */
  listRooms?(prefix: string): string[];
  close(): void;
}

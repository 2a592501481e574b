import { CairnError, type Run } from '../domain';
import type { IndexMessage } from './codec';
import { rowFromRun, sameRow, type IndexDataset, type IndexRow } from './rows';

/**
 * A derived table of one experiment's runs (SPEC.md IDX-2, IDX-3): never a CRDT, always rebuildable from the runs it
 * was fed. Every change that alters a row takes the next sequence number; a reader that holds the table as of `seq`
 * catches up with `deltaSince(seq)` (the rows changed after it and the runs removed after it) instead of the whole
 * table. The same class runs at the relay (for everyone) and in the data worker (over the runs it holds locally).
 */

/** Removals remembered for deltas; a reader further behind than the oldest one gets a snapshot instead. */
export const MAX_TOMBSTONES = 10_000;

export class ExperimentIndex {
  private readonly rows = new Map<string, { row: IndexRow; seq: number }>();
  /** runId → seq of its removal, oldest first (Map keeps insertion order). */
  private readonly removedAt = new Map<string, number>();
  /** Deltas from before this seq cannot be served (tombstones were dropped). */
  private horizon = 0;
  private current = 0;

  /**
   * Sequence numbers mean something only within one epoch: a new index (a relay that restarted, maybe after handing
   * out numbers it never persisted) takes a new one, and readers of another epoch are sent a snapshot.
   */
  readonly epoch: string;

  constructor(readonly experimentId: string, epoch?: string) {
    this.epoch = epoch ?? randomEpoch();
  }

  get seq(): number {
    return this.current;
  }

  get size(): number {
    return this.rows.size;
  }

  /** Feeds one run as lib/doc's readers return it; a run of another experiment is removed (it moved). */
  upsertRun(run: Run, datasets?: IndexDataset[]): boolean {
    if (run.info.experimentId !== this.experimentId) return this.remove(run.info.runId);
    return this.upsert(rowFromRun(run, datasets));
  }

  /** True when the row changed (and took a new seq). */
  upsert(row: IndexRow): boolean {
    if (row.experimentId !== this.experimentId) return this.remove(row.runId);
    const old = this.rows.get(row.runId);
    if (old && sameRow(old.row, row)) return false;
    this.rows.set(row.runId, { row, seq: ++this.current });
    this.removedAt.delete(row.runId);
    return true;
  }

  remove(runId: string): boolean {
    if (!this.rows.delete(runId)) return false;
    this.removedAt.delete(runId);
    this.removedAt.set(runId, ++this.current);
    while (this.removedAt.size > MAX_TOMBSTONES) {
      const [oldest, at] = this.removedAt.entries().next().value as [string, number];
      this.removedAt.delete(oldest);
      this.horizon = Math.max(this.horizon, at);
    }
    return true;
  }

  get(runId: string): IndexRow | undefined {
    return this.rows.get(runId)?.row;
  }

  /** Every row, by run id (a stable order: replicas with the same runs list them the same way). */
  allRows(): IndexRow[] {
    return [...this.rows.values()].map((r) => r.row).sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  }

  snapshot(): IndexMessage {
    return { epoch: this.epoch, fromSeq: 0, toSeq: this.current, rows: this.allRows(), removed: [] };
  }

  /**
   * What changed after `seq` of `epoch`; a full snapshot for another epoch, a `seq` older than what the tombstones
   * cover, or one from the future.
   */
  deltaSince(seq: number, epoch: string = this.epoch): IndexMessage {
    if (epoch !== this.epoch || seq === 0 || seq < this.horizon || seq > this.current) return this.snapshot();
    const rows = [...this.rows.values()].filter((r) => r.seq > seq).sort((a, b) => a.seq - b.seq).map((r) => r.row);
    const removed = [...this.removedAt].filter(([, at]) => at > seq).map(([id]) => id);
    return { epoch: this.epoch, fromSeq: seq, toSeq: this.current, rows, removed };
  }
}

/**
 * A reader's copy of an index (the browser's cache, the SDK offline): applies snapshots and deltas in order. A delta
 * that does not start where the copy is refuses (`false`): the caller asks for a snapshot.
 */
export class IndexReplica {
  private readonly rows = new Map<string, IndexRow>();
  seq = 0;
  epoch = '';

  apply(msg: IndexMessage): boolean {
    if (msg.fromSeq === 0) this.rows.clear();
    else if (msg.fromSeq !== this.seq || msg.epoch !== this.epoch) return false;
    for (const id of msg.removed) this.rows.delete(id);
    for (const row of msg.rows) this.rows.set(row.runId, row);
    this.seq = msg.toSeq;
    this.epoch = msg.epoch;
    return true;
  }

  allRows(): IndexRow[] {
    return [...this.rows.values()].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  }

  get(runId: string): IndexRow | undefined {
    return this.rows.get(runId);
  }

  get size(): number {
    return this.rows.size;
  }

  /** The copy as one message (a snapshot at this seq and epoch): what a reader saves to start from next time. */
  snapshot(): IndexMessage {
    return { epoch: this.epoch, fromSeq: 0, toSeq: this.seq, rows: this.allRows(), removed: [] };
  }
}

/**
 * Brings a replica up to an index it reads through `fetch(since, epoch)` (the relay's `GET /index/...`): the delta from
 * its seq, or a snapshot when that delta does not fit it; after any snapshot, one more delta from the snapshot's seq
 * (the relay may hand out a stored snapshot a little behind its index, server/relay RELAY-41). Returns the messages
 * applied, in order. One home for the data worker's and the SDK's copies.
 */
export async function catchUp(replica: IndexReplica, fetch: (since: number, epoch: string) => Promise<IndexMessage>): Promise<IndexMessage[]> {
  let msg = await fetch(replica.seq, replica.epoch);
  if (!replica.apply(msg)) {
    msg = await fetch(0, '');
    if (!replica.apply(msg)) throw new CairnError('DATA_LOSS', 'the index answered a snapshot that does not apply');
  }
  if (msg.fromSeq !== 0) return [msg];
  const delta = await fetch(replica.seq, replica.epoch);
  return replica.apply(delta) ? [msg, delta] : [msg];
}

function randomEpoch(): string {
  const b = new Uint8Array(8);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

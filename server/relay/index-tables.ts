import { randomBytes } from 'node:crypto';
import { IndexWriter, MAX_TOMBSTONES, decodeIndex, encodeIndex, type IndexMessage, type IndexRow } from '../../lib/run-index/index';
import type { SqliteDb } from './database';

/**
 * The experiment indexes as SQLite tables (SPEC.md RELAY-33): the source the relay answers `GET /index` from, kept in
 * the same file as the rooms so that a run-dirty marker commits with the run room's update (RELAY-34).
 *
 *   index_rows         (workspace, run_id) → experiment_id, seq, row    one row per indexed run (lib/run-index bytes)
 *   index_removed      (workspace, experiment_id, run_id) → seq         tombstones, at most MAX_TOMBSTONES per experiment
 *   index_experiments  (workspace, experiment_id) → epoch, seq, horizon  the numbering of one experiment's index
 *   index_dirty        (workspace, run_id) → mark                        runs whose row may be stale
 *
 * The numbering is lib/run-index's (IDX-3): every change of a row (new, different, moved away, removed) takes the
 * experiment's next seq; an identical row changes nothing; a delta since `s` is the rows with seq > s and the
 * tombstones with seq > s; a reader of another epoch, at 0, behind the horizon or ahead of the index gets a snapshot.
 */

/** A run's row as stored: a one-row lib/run-index message (its own dictionary; ~900 B for a realistic run). */
export const encodeRow = (row: IndexRow): Uint8Array => encodeIndex({ epoch: '', fromSeq: 0, toSeq: 0, rows: [row], removed: [] });
export function decodeRow(bytes: Uint8Array): IndexRow {
  const row = decodeIndex(bytes).rows[0];
  if (!row) throw new Error('stored index row holds no row');
  return row;
}

export const newEpoch = (): string => randomBytes(8).toString('hex');

export interface ExperimentMeta {
  epoch: string;
  seq: number;
  horizon: number;
}

/** A run's row and its stored bytes (encoded once). */
export interface EncodedRow {
  row: IndexRow;
  bytes: Uint8Array;
}

/** One run as a fold found it: its row (undefined: no readable run, it leaves every index) and the marker it clears. */
export interface FoldedRun {
  runId: string;
  row: EncodedRow | undefined;
  /** Markers of this run up to this mark are cleared in the same transaction (a later mark stays dirty). */
  mark: number;
}

type Buf = Buffer;
const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(buf(a), buf(b)) === 0;

export class IndexTables {
  private readonly s;
  private readonly foldTx;
  /** Experiments bumped by the fold in progress. */
  private bumped = new Set<string>();
  private readonly rebuildTx;

  constructor(readonly db: SqliteDb) {
    const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql);
    this.s = {
      markDirty: p<[string, string, number]>(
        'INSERT INTO index_dirty (workspace, run_id, mark) VALUES (?, ?, ?) ' +
          'ON CONFLICT (workspace, run_id) DO UPDATE SET mark = MAX(mark, excluded.mark)',
      ),
      dirtyOf: p<[string, number], { run_id: string; mark: number }>('SELECT run_id, mark FROM index_dirty WHERE workspace = ? LIMIT ?'),
      dirtyWorkspaces: p<[], { workspace: string }>('SELECT DISTINCT workspace FROM index_dirty'),
      clearDirty: p<[string, string, number]>('DELETE FROM index_dirty WHERE workspace = ? AND run_id = ? AND mark <= ?'),
      clearAllDirty: p<[string]>('DELETE FROM index_dirty WHERE workspace = ?'),
      rowOf: p<[string, string], { experiment_id: string; row: Buf }>('SELECT experiment_id, row FROM index_rows WHERE workspace = ? AND run_id = ?'),
      putRow: p<[string, string, string, number, Buf]>(
        'INSERT INTO index_rows (workspace, run_id, experiment_id, seq, row) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (workspace, run_id) DO UPDATE SET experiment_id = excluded.experiment_id, seq = excluded.seq, row = excluded.row',
      ),
      deleteRow: p<[string, string]>('DELETE FROM index_rows WHERE workspace = ? AND run_id = ?'),
      putRemoved: p<[string, string, string, number]>(
        'INSERT INTO index_removed (workspace, experiment_id, run_id, seq) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (workspace, experiment_id, run_id) DO UPDATE SET seq = excluded.seq',
      ),
      deleteRemoved: p<[string, string, string]>('DELETE FROM index_removed WHERE workspace = ? AND experiment_id = ? AND run_id = ?'),
      // The tombstone past which older ones are dropped (MAX_TOMBSTONES kept), if there are that many.
      oldestKept: p<[string, string, number], { seq: number }>(
        'SELECT seq FROM index_removed WHERE workspace = ? AND experiment_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?',
      ),
      dropRemovedUpTo: p<[string, string, number]>('DELETE FROM index_removed WHERE workspace = ? AND experiment_id = ? AND seq <= ?'),
      meta: p<[string, string], { epoch: string; seq: number; horizon: number }>(
        'SELECT epoch, seq, horizon FROM index_experiments WHERE workspace = ? AND experiment_id = ?',
      ),
      createMeta: p<[string, string, string, number]>(
        'INSERT INTO index_experiments (workspace, experiment_id, epoch, seq, horizon) VALUES (?, ?, ?, ?, 0) ' +
          'ON CONFLICT (workspace, experiment_id) DO NOTHING',
      ),
      bump: p<[string, string, string], { seq: number }>(
        'INSERT INTO index_experiments (workspace, experiment_id, epoch, seq, horizon) VALUES (?, ?, ?, 1, 0) ' +
          'ON CONFLICT (workspace, experiment_id) DO UPDATE SET seq = seq + 1 RETURNING seq',
      ),
      raiseHorizon: p<[number, string, string]>(
        'UPDATE index_experiments SET horizon = MAX(horizon, ?) WHERE workspace = ? AND experiment_id = ?',
      ),
      allRows: p<[string, string], { row: Buf }>('SELECT row FROM index_rows WHERE workspace = ? AND experiment_id = ? ORDER BY run_id'),
      rowsSince: p<[string, string, number], { row: Buf }>(
        'SELECT row FROM index_rows WHERE workspace = ? AND experiment_id = ? AND seq > ? ORDER BY seq',
      ),
      removedSince: p<[string, string, number], { run_id: string }>(
        'SELECT run_id FROM index_removed WHERE workspace = ? AND experiment_id = ? AND seq > ? ORDER BY seq',
      ),
      indexedRuns: p<[string], { run_id: string }>('SELECT run_id FROM index_rows WHERE workspace = ?'),
      rowCount: p<[string], { n: number }>('SELECT COUNT(*) AS n FROM index_rows WHERE workspace = ?'),
      getSnapshot: p<[string, string], { epoch: string; seq: number; bytes: Buf }>(
        'SELECT epoch, seq, bytes FROM index_snapshots WHERE workspace = ? AND experiment_id = ?',
      ),
      putSnapshot: p<[string, string, string, number, Buf]>(
        'INSERT INTO index_snapshots (workspace, experiment_id, epoch, seq, bytes) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (workspace, experiment_id) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, bytes = excluded.bytes',
      ),
      dropSnapshots: p<[string]>('DELETE FROM index_snapshots WHERE workspace = ?'),
      dropRows: p<[string]>('DELETE FROM index_rows WHERE workspace = ?'),
      dropRemoved: p<[string]>('DELETE FROM index_removed WHERE workspace = ?'),
      dropMeta: p<[string]>('DELETE FROM index_experiments WHERE workspace = ?'),
      insertRow: p<[string, string, string, number, Buf]>(
        'INSERT INTO index_rows (workspace, run_id, experiment_id, seq, row) VALUES (?, ?, ?, ?, ?)',
      ),
      insertMeta: p<[string, string, string, number]>(
        'INSERT INTO index_experiments (workspace, experiment_id, epoch, seq, horizon) VALUES (?, ?, ?, ?, 0)',
      ),
    };
    this.foldTx = db.transaction((ws: string, runs: FoldedRun[]): Set<string> => {
      const trimmed = new Set<string>();
      this.bumped = new Set();
      for (const r of runs) {
        for (const exp of this.applyOne(ws, r.runId, r.row)) trimmed.add(exp);
        this.s.clearDirty.run(ws, r.runId, r.mark);
      }
      for (const exp of trimmed) this.trim(ws, exp);
      return this.bumped;
    });
    this.rebuildTx = db.transaction((ws: string, each: (put: (runId: string, row: EncodedRow | undefined) => void) => void): RebuildCounts => {
      // Writes first: the write lock is taken before anything is read, so nobody appends in between (RELAY-35).
      this.s.dropRows.run(ws);
      this.s.dropRemoved.run(ws);
      this.s.dropMeta.run(ws);
      this.s.dropSnapshots.run(ws);
      this.s.clearAllDirty.run(ws);
      const seqs = new Map<string, number>();
      let runs = 0;
      let skipped = 0;
      each((runId, r) => {
        if (!r) return void skipped++;
        const exp = r.row.experimentId;
        const seq = (seqs.get(exp) ?? 0) + 1;
        seqs.set(exp, seq);
        this.s.insertRow.run(ws, runId, exp, seq, buf(r.bytes));
        runs++;
      });
      for (const [exp, seq] of seqs) this.s.insertMeta.run(ws, exp, newEpoch(), seq);
      return { runs, skipped, experiments: seqs.size };
    });
  }

  /** Inside the caller's transaction (a run room's append): the run's row may be stale from now on. */
  markDirty(workspace: string, runId: string, mark: number): void {
    this.s.markDirty.run(workspace, runId, mark);
  }

  /** Own transaction (its COMMIT raises on a full disk), for stores whose appends are not in this database. */
  markDirtyNow(workspace: string, runId: string, mark: number): void {
    this.db.transaction(() => this.s.markDirty.run(workspace, runId, mark))();
  }

  dirtyRuns(workspace: string, limit = Number.MAX_SAFE_INTEGER): { runId: string; mark: number }[] {
    return this.s.dirtyOf.all(workspace, limit).map((r) => ({ runId: r.run_id, mark: r.mark }));
  }

  dirtyWorkspaces(): string[] {
    return this.s.dirtyWorkspaces.all().map((r) => r.workspace);
  }

  /**
   * One transaction: every run's row updated in its experiments' numbering, and its markers up to `mark` cleared.
   * Returns the experiments whose index moved (committed when this returns).
   */
  fold(workspace: string, runs: FoldedRun[]): Set<string> {
    return runs.length > 0 ? this.foldTx(workspace, runs) : new Set();
  }

  /** The experiments whose tombstones grew. */
  private applyOne(ws: string, runId: string, encoded: EncodedRow | undefined): string[] {
    const old = this.s.rowOf.get(ws, runId);
    const row = encoded?.row;
    const bytes = encoded?.bytes;
    const removedFrom: string[] = [];
    if (old && old.experiment_id !== row?.experimentId) {
      // Moved to another experiment, or no readable run any more: it leaves its old index (IDX-2).
      const seq = this.bump(ws, old.experiment_id);
      this.s.putRemoved.run(ws, old.experiment_id, runId, seq);
      removedFrom.push(old.experiment_id);
      if (!row) this.s.deleteRow.run(ws, runId);
    }
    if (row && bytes) {
      // Rows are canonical (keys sorted, lib/run-index rows.ts): equal rows encode to equal bytes.
      if (old && old.experiment_id === row.experimentId && same(old.row, bytes)) return removedFrom;
      const seq = this.bump(ws, row.experimentId);
      this.s.putRow.run(ws, runId, row.experimentId, seq, buf(bytes));
      this.s.deleteRemoved.run(ws, row.experimentId, runId);
    }
    return removedFrom;
  }

  private bump(ws: string, exp: string): number {
    this.bumped.add(exp);
    const r = this.s.bump.all(ws, exp, newEpoch())[0];
    if (!r) throw new Error('index seq not returned');
    return r.seq;
  }

  /** At most MAX_TOMBSTONES per experiment; deltas from before the oldest dropped one are snapshots (IDX-3). */
  private trim(ws: string, exp: string): void {
    const past = this.s.oldestKept.get(ws, exp, MAX_TOMBSTONES);
    if (!past) return;
    this.s.dropRemovedUpTo.run(ws, exp, past.seq);
    this.s.raiseHorizon.run(past.seq, ws, exp);
  }

  /** The experiment's numbering, created (seq 0, a new epoch) for an experiment nobody indexed yet. */
  experiment(workspace: string, experimentId: string): ExperimentMeta {
    let m = this.s.meta.get(workspace, experimentId);
    if (!m) {
      this.db.transaction(() => this.s.createMeta.run(workspace, experimentId, newEpoch(), 0))();
      m = this.s.meta.get(workspace, experimentId)!;
    }
    return m;
  }

  /** Whether a reader at (`since`, `epoch`) can be served a delta (else a snapshot), as ExperimentIndex.deltaSince. */
  static deltaPossible(m: ExperimentMeta, since: number, epoch: string): boolean {
    return epoch === m.epoch && since !== 0 && since >= m.horizon && since <= m.seq;
  }

  snapshot(workspace: string, experimentId: string, m: ExperimentMeta): IndexMessage {
    const rows = this.s.allRows.all(workspace, experimentId).map((r) => decodeRow(r.row));
    return { epoch: m.epoch, fromSeq: 0, toSeq: m.seq, rows, removed: [] };
  }

  /** The snapshot's bytes, written row by row from SQLite (by run id): no 10k row objects held at once (RELAY-36). */
  snapshotBytes(workspace: string, experimentId: string, m: ExperimentMeta): Uint8Array {
    const w = new IndexWriter(m.epoch, 0, m.seq);
    for (const r of this.s.allRows.iterate(workspace, experimentId)) w.row(decodeRow(r.row));
    return w.finish();
  }

  /** The last snapshot bytes stored for an experiment (RELAY-41), or undefined. */
  storedSnapshot(workspace: string, experimentId: string): { epoch: string; seq: number; bytes: Uint8Array } | undefined {
    const r = this.s.getSnapshot.get(workspace, experimentId);
    return r && { epoch: r.epoch, seq: r.seq, bytes: new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength) };
  }

  /** Stores the snapshot bytes of an experiment at (epoch, seq), replacing the last (own transaction). */
  storeSnapshot(workspace: string, experimentId: string, epoch: string, seq: number, bytes: Uint8Array): void {
    this.db.transaction(() => this.s.putSnapshot.run(workspace, experimentId, epoch, seq, buf(bytes)))();
  }

  delta(workspace: string, experimentId: string, m: ExperimentMeta, since: number): IndexMessage {
    const rows = this.s.rowsSince.all(workspace, experimentId, since).map((r) => decodeRow(r.row));
    const removed = this.s.removedSince.all(workspace, experimentId, since).map((r) => r.run_id);
    return { epoch: m.epoch, fromSeq: since, toSeq: m.seq, rows, removed };
  }

  /** Run ids with a row in the workspace's indexes. */
  indexedRuns(workspace: string): string[] {
    return this.s.indexedRuns.all(workspace).map((r) => r.run_id);
  }

  rowCount(workspace: string): number {
    return this.s.rowCount.get(workspace)?.n ?? 0;
  }

  /**
   * A workspace's indexes made anew in one transaction (RELAY-35): every row from `each`, each experiment numbered
   * from 1 in a new epoch (its readers take one snapshot), no tombstones, no dirty runs left.
   */
  rebuild(workspace: string, each: (put: (runId: string, row: EncodedRow | undefined) => void) => void): RebuildCounts {
    return this.rebuildTx(workspace, each);
  }
}

export interface RebuildCounts {
  runs: number;
  /** Run rooms without a readable run (empty, or not a run doc). */
  skipped: number;
  experiments: number;
}

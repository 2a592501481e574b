import * as doc from '../../lib/doc/index';
import { CairnError, ExperimentIdSchema, WorkspaceIdSchema, invalid, notFound, type Run } from '../../lib/domain/index';
import { encodeIndex, rowFromRun } from '../../lib/run-index/index';
import type { DocStore } from './doc-store';
import { IndexTables, encodeRow, type EncodedRow, type ExperimentMeta, type FoldedRun, type RebuildCounts } from './index-tables';
import { runOfRunRoom, workspaceRoomName } from './room-name';
import type { RoomRegistry } from './rooms';
import { collectGarbage } from './idle-gc';
import { RunReader } from './run-reader';

/**
 * The relay's experiment indexes (SPEC.md RELAY-31, RELAY-33..36), fed from run docs with lib/run-index's rows and kept
 * in SQLite (index-tables.ts) beside the rooms:
 * - every committed update of a run room marks its run dirty, in the same transaction as the update (RELAY-34);
 * - dirty runs are folded in (read from their run doc, the row rewritten if it changed) within FOLD_DELAY_MS, and
 *   before any read of an index of their workspace answers; a fold commits before anyone is told its numbers, so after
 *   SIGKILL the numbering goes on where readers left it and the markers still name every run whose row may be stale;
 * - a full rebuild reads every run doc of a workspace, one at a time (RELAY-35, RELAY-36).
 * The relay holds no index in memory but a few recent snapshot bytes, dropped when idle.
 */

/** Dirty runs are folded in this long after the first one (a script logging to a run dirties it every flush). */
export const FOLD_DELAY_MS = 500;
/** Runs read per fold step: between steps the relay serves sockets again. */
const FOLD_BATCH = 2_000;
/** Snapshot bytes kept for repeated snapshot reads (a fresh tab's first read), dropped when unused this long. */
const SNAPSHOT_CACHE_BYTES = 64 * 1024 * 1024;
/** A stored snapshot behind the index is served (and refreshed in the background) only when it is at least this big. */
const STALE_OK_BYTES = 512 * 1024;
/** A busy experiment's stored snapshot is made anew at most this often. */
const REFRESH_MIN_MS = 10_000;

export interface IndexServiceOptions {
  /** How long an unused cached snapshot is kept. */
  idleMs: number;
  log: (line: string) => void;
  /** A stored snapshot behind the index is served (and refreshed in the background) only when at least this big. */
  staleSnapshotBytes?: number;
  /** An experiment's index moved to `seq` of `epoch` (committed): the relay tells the workspace's sockets (RELAY-40). */
  changed?: (workspace: string, experimentId: string, seq: number, epoch: string) => void;
  /** Internal, for tests: how long dirty runs wait before they are folded in (FOLD_DELAY_MS). */
  foldDelayMs?: number;
}

export interface RebuildReport extends RebuildCounts {
  workspace: string;
  ms: number;
}

/** The index row of a run, or undefined when there is none to index (no readable run, or a row the codec refuses). */
export function indexRowOf(run: Run | undefined, log: (line: string) => void): EncodedRow | undefined {
  if (!run) return undefined;
  const row = rowFromRun(run);
  try {
    return { row, bytes: encodeRow(row) };
  } catch (err) {
    log(`index: run ${run.info.runId} cannot be indexed: ${(err as Error).message}`);
    return undefined;
  }
}

export class IndexService {
  readonly tables: IndexTables;
  private readonly reader: RunReader;
  private foldTimer: NodeJS.Timeout | null = null;
  private readonly snapshots = new Map<string, { epoch: string; seq: number; bytes: Uint8Array; usedAt: number }>();
  private cacheSweep: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly refreshing = new Set<string>();
  private readonly refreshedAt = new Map<string, number>();

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly store: DocStore,
    tables: IndexTables,
    private readonly opts: IndexServiceOptions,
  ) {
    this.tables = tables;
    this.reader = new RunReader(store, rooms);
  }

  /**
   * A run room's update was committed: for a store writing into the index's database the marker is already in (the
   * store's append hook, RELAY-34); otherwise it is written now. Either way a fold is scheduled.
   */
  runAppended(room: string, seq: number, markerWritten: boolean): void {
    const run = runOfRunRoom(room);
    if (!run) return;
    if (!markerWritten) this.tables.markDirtyNow(run.workspace, run.runId, seq);
    this.scheduleFold();
  }

  scheduleFold(delayMs = this.opts.foldDelayMs ?? FOLD_DELAY_MS): void {
    if (this.foldTimer || this.closed) return;
    this.foldTimer = setTimeout(() => {
      this.foldTimer = null;
      let again: number | null = null;
      try {
        for (const ws of this.tables.dirtyWorkspaces()) if (this.foldStep(ws) === FOLD_BATCH) again = 0;
      } catch (err) {
        this.opts.log(`index: folding dirty runs failed (retrying): ${(err as Error).message}`);
        again = 2 * (this.opts.foldDelayMs ?? FOLD_DELAY_MS);
      }
      if (again !== null) this.scheduleFold(again);
    }, delayMs);
    this.foldTimer.unref();
  }

  /** Folds up to FOLD_BATCH dirty runs of a workspace in one transaction; returns how many. */
  private foldStep(workspace: string): number {
    const dirty = this.tables.dirtyRuns(workspace, FOLD_BATCH);
    const runs: FoldedRun[] = dirty.map(({ runId, mark }) => ({ runId, mark, row: indexRowOf(this.reader.read(workspace, runId), this.opts.log) }));
    const moved = this.tables.fold(workspace, runs);
    if (this.opts.changed) {
      for (const exp of moved) {
        const m = this.tables.experiment(workspace, exp);
        this.opts.changed(workspace, exp, m.seq, m.epoch);
      }
    }
    return runs.length;
  }

  /** Every dirty run of the workspace folded in and committed. */
  foldWorkspace(workspace: string): void {
    while (this.foldStep(workspace) === FOLD_BATCH);
  }

  /** Everything dirty folded in (shutdown). */
  foldAll(): void {
    for (const ws of this.tables.dirtyWorkspaces()) this.foldWorkspace(ws);
  }

  /** The bytes a reader at (`since`, `epoch`) needs: a delta, or a snapshot (since 0, another epoch, too far behind). */
  read(workspace: string, experimentId: string, since: number, epoch: string): Uint8Array {
    const ws = WorkspaceIdSchema.safeParse(workspace);
    if (!ws.success) throw invalid(`invalid workspace '${workspace}'`);
    const exp = ExperimentIdSchema.safeParse(experimentId);
    if (!exp.success) throw invalid(`invalid experiment id '${experimentId}'`);
    const room = this.rooms.open(workspaceRoomName(ws.data));
    try {
      if (!doc.getExperiment(room.doc, exp.data)) throw notFound(`No experiment with id=${exp.data}`);
    } finally {
      this.rooms.releaseIfIdle(room);
    }
    let m: ExperimentMeta;
    try {
      // Committed before the answer names a seq: a reader never holds a number the tables do not (RELAY-34).
      this.foldWorkspace(ws.data);
      m = this.tables.experiment(ws.data, exp.data);
    } catch (err) {
      // A full disk, a failing store: nothing half-done was committed; the reader asks again later.
      throw new CairnError('TEMPORARILY_UNAVAILABLE', `the index could not be brought up to date: ${(err as Error).message}`);
    }
    if (IndexTables.deltaPossible(m, since, epoch)) return encodeIndex(this.tables.delta(ws.data, exp.data, m, since));
    return this.snapshotBytes(ws.data, exp.data, m);
  }

  /**
   * A snapshot's bytes (RELAY-41): the one cached in memory or stored in SQLite when it is of the index as it is now;
   * for a big index, a stored one a little behind (same epoch, still within the tombstones) is served as it is, the
   * reader then catching up by delta (lib/sync and the SDK ask for one after every snapshot), while a fresh one is
   * made in the background, at most every REFRESH_MIN_MS per experiment. Assembling 10k rows costs ~0.5 s of this
   * process; a stored snapshot costs one read.
   */
  private snapshotBytes(ws: string, exp: string, m: ExperimentMeta): Uint8Array {
    const key = `${ws}/${exp}`;
    const hit = this.snapshots.get(key);
    if (hit && hit.epoch === m.epoch && hit.seq === m.seq) {
      hit.usedAt = Date.now();
      return hit.bytes;
    }
    const stored = this.tables.storedSnapshot(ws, exp);
    if (stored && stored.epoch === m.epoch && stored.seq === m.seq) return this.remember(key, m, stored.bytes);
    if (stored && stored.epoch === m.epoch && stored.seq >= m.horizon && stored.seq < m.seq && stored.bytes.byteLength >= (this.opts.staleSnapshotBytes ?? STALE_OK_BYTES)) {
      this.refreshLater(ws, exp);
      return stored.bytes;
    }
    return this.makeSnapshot(ws, exp, m);
  }

  private makeSnapshot(ws: string, exp: string, m: ExperimentMeta): Uint8Array {
    const bytes = this.tables.snapshotBytes(ws, exp, m);
    try {
      this.tables.storeSnapshot(ws, exp, m.epoch, m.seq, bytes);
    } catch (err) {
      // Only a cache: a full disk costs the next reader the assembly again.
      this.opts.log(`index: snapshot of ${ws}/${exp} not stored: ${(err as Error).message}`);
    }
    return this.remember(`${ws}/${exp}`, m, bytes);
  }

  /** A fresh snapshot of a busy experiment, made soon after a reader was served a stored one behind it. */
  private refreshLater(ws: string, exp: string): void {
    const key = `${ws}/${exp}`;
    const last = this.refreshedAt.get(key) ?? 0;
    if (this.refreshing.has(key) || Date.now() - last < REFRESH_MIN_MS) return;
    this.refreshing.add(key);
    setTimeout(() => {
      this.refreshing.delete(key);
      this.refreshedAt.set(key, Date.now());
      if (this.closed) return;
      try {
        this.foldWorkspace(ws);
        this.makeSnapshot(ws, exp, this.tables.experiment(ws, exp));
      } catch (err) {
        this.opts.log(`index: refreshing the snapshot of ${key} failed: ${(err as Error).message}`);
      }
    }, 0).unref();
  }

  private remember(key: string, m: ExperimentMeta, bytes: Uint8Array): Uint8Array {
    this.snapshots.delete(key);
    if (bytes.byteLength <= SNAPSHOT_CACHE_BYTES / 4) {
      this.snapshots.set(key, { epoch: m.epoch, seq: m.seq, bytes, usedAt: Date.now() });
      let total = 0;
      for (const v of this.snapshots.values()) total += v.bytes.byteLength;
      // Oldest first (Map order is insertion order, and a hit is re-inserted only when rebuilt).
      for (const [k, v] of this.snapshots) {
        if (total <= SNAPSHOT_CACHE_BYTES) break;
        this.snapshots.delete(k);
        total -= v.bytes.byteLength;
      }
      this.sweepCacheLater();
    }
    return bytes;
  }

  private sweepCacheLater(): void {
    if (this.cacheSweep) return;
    this.cacheSweep = setInterval(() => {
      const now = Date.now();
      for (const [k, v] of this.snapshots) if (now - v.usedAt >= this.opts.idleMs) this.snapshots.delete(k);
      if (this.snapshots.size === 0 && this.cacheSweep) {
        // Tens of MB of snapshots and the garbage of making them just went: give the memory back now (RELAY-36), and
        // once more a moment later for what the sockets that carried them held.
        collectGarbage();
        setTimeout(() => collectGarbage(), 2_000).unref();
        clearInterval(this.cacheSweep);
        this.cacheSweep = null;
      }
    }, Math.max(50, Math.min(this.opts.idleMs, 10_000)));
    this.cacheSweep.unref();
  }

  /** Bytes of cached snapshots (for the memory figures of tests). */
  get cachedBytes(): number {
    let n = 0;
    for (const v of this.snapshots.values()) n += v.bytes.byteLength;
    return n;
  }

  /** RELAY-35: the workspace's indexes made anew from every run doc it holds. */
  rebuild(workspace: string): RebuildReport {
    this.snapshots.clear();
    return rebuildWorkspace(this.tables, this.store, this.reader, workspace, this.opts.log);
  }

  /** Folds what is dirty and stops the timers; the tables stay (they are the relay's database). */
  close(): void {
    if (this.foldTimer) clearTimeout(this.foldTimer);
    this.foldTimer = null;
    if (this.cacheSweep) clearInterval(this.cacheSweep);
    this.cacheSweep = null;
    this.snapshots.clear();
    try {
      this.foldAll();
    } catch (err) {
      this.opts.log(`index: final fold failed (the dirty runs are folded at the next start): ${(err as Error).message}`);
    }
    this.closed = true;
  }
}

/** The workspaces a store holds rooms of (a run room without a workspace room counts too). */
export function storedWorkspaces(store: DocStore): string[] {
  if (!store.listRooms) return [];
  const out = new Set<string>();
  for (const room of store.listRooms('')) out.add(room.split('/')[0]!);
  return [...out].sort();
}

/** RELAY-35, for the relay and for `cairn relay reindex`: one transaction per workspace, one run doc in memory at a time. */
export function rebuildWorkspace(tables: IndexTables, store: DocStore, reader: RunReader, workspace: string, log: (line: string) => void): RebuildReport {
  const t0 = performance.now();
  const runRooms = (store.listRooms?.(`${workspace}/run/`) ?? []).map(runOfRunRoom).filter((r) => r !== null);
  const counts = tables.rebuild(workspace, (put) => {
    for (const { runId } of runRooms) put(runId, indexRowOf(reader.read(workspace, runId), log));
  });
  return { workspace, ...counts, ms: Math.round(performance.now() - t0) };
}

/** Every workspace of the store rebuilt; logs one line per workspace and the total. */
export function rebuildAll(tables: IndexTables, store: DocStore, reader: RunReader, log: (line: string) => void, only?: string): RebuildReport[] {
  const t0 = performance.now();
  const reports: RebuildReport[] = [];
  for (const ws of only ? [only] : storedWorkspaces(store)) {
    const r = rebuildWorkspace(tables, store, reader, ws, log);
    log(`index: workspace ${ws}: ${r.runs} runs in ${r.experiments} experiments rebuilt in ${r.ms} ms` + (r.skipped ? ` (${r.skipped} run rooms without a readable run)` : ''));
    reports.push(r);
  }
  const runs = reports.reduce((n, r) => n + r.runs, 0);
  log(`index: rebuilt ${reports.length} workspace(s), ${runs} runs, in ${Math.round(performance.now() - t0)} ms`);
  return reports;
}

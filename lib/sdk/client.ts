import * as Y from 'yjs';
import { z } from 'zod';
import {
  CairnError,
  DEFAULT_EXPERIMENT_ID,
  KeySchema,
  asRunId,
  invalid,
  newActorId,
  notFound,
  parseInput,
  type Experiment,
  type ExperimentId,
  type Run,
  type RunInfo,
  type RunStatus,
} from '../domain';
import * as doc from '../doc';
import { RoomConnection, fetchRoomSnapshot, runRoom, workspaceRoom } from '../relay-client';
import { plainRunFromRun, searchErrorToCairn, searchTable, tableFromRuns } from '../search';
import { ActiveRun, type RunHost, type StartRunOptions } from './run';
import { BlobUploader } from './blobs';
import { PointBuffer } from './point-buffer';
import { isNode, resolveOptions, type ConnectOptions, type ResolvedOptions } from './env';
import {
  REC_ACTOR,
  REC_CHECKPOINT,
  recPoints,
  recSimple,
  recUpdate,
  REC_BLOB,
  REC_FORMAT,
  JOURNAL_FORMAT,
  type Journal,
  type PendingPoints,
} from './journal';

/** Points wait at most this long before becoming a chunk: keeps live charts live without a Yjs item per point. */
export const FLUSH_INTERVAL_MS = 200;
/** ...or until this many are pending, so memory stays bounded under fast logging. */
export const MAX_PENDING_POINTS = 100_000;
/** connect() waits this long for the first sync so name checks see the relay's state; then works offline. */
export const CONNECT_SYNC_WAIT_MS = 5_000;
/** The journal is rewritten as snapshots once it passes this size. */
const JOURNAL_COMPACT_BYTES = 64 * 1024 * 1024;
/** Updates applied from the journal are not written back to it. */
const FROM_JOURNAL = Symbol('journal');
const WS_DOC = 'ws';
const CLOSE_TOLERATES = new Set<string>(['DEADLINE_EXCEEDED', 'PERMISSION_DENIED', 'UNAUTHENTICATED', 'INVALID_STATE']);
const runDocName = (id: string) => `run/${id}`;

interface RunSlot {
  doc: Y.Doc;
  conn: RoomConnection | null;
  pending: PointBuffer | null;
}

const SearchRunsRequestSchema = z
  .object({
    experimentIds: z.array(z.string()).optional(),
    filter: z.string().optional(),
    orderBy: z.array(z.string()).optional(),
    // Range and MLflow's messages for it are lib/search's (SEARCH-21); here only the type.
    maxResults: z.number().optional(),
    pageToken: z.string().optional(),
    viewType: z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).optional(),
  })
  .strict();

export interface SearchRunsRequest {
  experimentIds?: readonly string[];
  filter?: string;
  orderBy?: readonly string[];
  maxResults?: number;
  pageToken?: string;
  viewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
}

export class CairnClient implements RunHost {
  readonly ws = new Y.Doc();
  readonly ctx: doc.Ctx;
  private conn: RoomConnection | null = null;
  private runs = new Map<string, RunSlot>();
  private batch: Uint8Array[] | null = null;
  private seq: number;
  private pendingCount = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly blobs: BlobUploader;
  private closed = false;
  private compacting = false;
  /** `mlflow.user` for new runs: the OS user in Node (as MLflow's client records it). */
  private userName: string | undefined;

  private constructor(
    readonly options: ResolvedOptions,
    private readonly journal: Journal,
    actor: string,
    lastSeq: number,
    private readonly WebSocketImpl: unknown,
  ) {
    this.ctx = { ws: this.ws, actor };
    this.seq = lastSeq;
    this.blobs = new BlobUploader(options, journal);
  }

  static async open(o: ConnectOptions = {}): Promise<CairnClient> {
    const options = resolveOptions(o);
    const ns = `${options.relay ? new URL(options.relay.http).host.replace(/[^\w.-]/g, '_') : 'local'}/${options.workspace}`;
    let journal: Journal;
    let WS: unknown = o.WebSocket ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    if (isNode()) {
      const path = await import('node:path');
      journal = await (await import('./journal-node')).openNodeJournal(path.join(options.dataDir, ns));
      if (!WS && options.relay) WS = (await import('ws')).WebSocket;
    } else {
      journal = await (await import('./journal-browser')).openBrowserJournal(ns);
    }
    const state = await journal.load().catch(async (e: unknown) => {
      await journal.close();
      throw e;
    });
    const actor = state.actor ?? newActorId();
    if (!state.actor) journal.append([recSimple(REC_FORMAT, JOURNAL_FORMAT), recSimple(REC_ACTOR, actor)]);
    const c = new CairnClient(options, journal, actor, state.lastSeq, WS);
    if (isNode()) {
      const os = await import('node:os');
      try {
        c.userName = process.env.USER ?? os.userInfo().username;
      } catch {
        c.userName = process.env.USER;
      }
    }
    for (const u of state.updates.get(WS_DOC) ?? []) Y.applyUpdate(c.ws, u, FROM_JOURNAL);
    c.track(c.ws, WS_DOC);
    doc.ensureWorkspace(c.ctx);
    // Points accepted before a crash but never turned into chunks: queue them again under their old sequence numbers.
    for (const p of state.points) {
      const slot = c.slot(p.runId, state.updates.get(runDocName(p.runId)) ?? [], false);
      c.queue(slot, p);
    }
    for (const [name, ups] of state.updates) {
      if (name.startsWith('run/') && !c.runs.has(name.slice(4))) c.slot(name.slice(4), ups, false);
    }
    for (const sha of state.pendingBlobs) c.blobs.resume(sha);
    if (options.relay) {
      c.conn = new RoomConnection(c.ws, { ...c.connOptions(), room: workspaceRoom(options.workspace) });
      for (const [id, slot] of c.runs) if (slot.pending || c.isRunning(id)) c.connectRun(id, slot);
      try {
        await c.waitForSync(CONNECT_SYNC_WAIT_MS);
      } catch (e) {
        // Refused (e.g. a bad token): tear the half-built client down so the caller's process can exit.
        c.closed = true;
        c.blobs.stop();
        c.conn.destroy();
        for (const s of c.runs.values()) s.conn?.destroy();
        c.ws.destroy();
        await journal.close();
        throw e;
      }
    }
    if (journal.size() > JOURNAL_COMPACT_BYTES) await c.compact();
    if (c.pendingCount) c.schedule();
    return c;
  }

  get actor(): string {
    return this.ctx.actor;
  }

  /** 'offline' when no relay is configured. */
  get status(): string {
    return this.conn ? this.conn.state : 'offline';
  }

  // ------------------------------------------------------------------ experiments

  async createExperiment(name: string, opts: { tags?: Record<string, string>; artifactLocation?: string } = {}): Promise<ExperimentId> {
    this.live();
    const id = doc.createExperiment(this.ctx, { name, ...opts });
    return id;
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    return doc.getExperimentByName(this.ws, name) ?? null;
  }

  async getExperiment(experimentId: string): Promise<Experiment | null> {
    return doc.getExperiment(this.ws, experimentId) ?? null;
  }

  async listExperiments(view: doc.ViewType = 'ACTIVE_ONLY'): Promise<Experiment[]> {
    return doc.listExperiments(this.ws, view);
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    doc.setExperimentTag(this.ctx, { experimentId, key, value });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    doc.deleteExperiment(this.ctx, experimentId);
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    doc.restoreExperiment(this.ctx, experimentId);
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    doc.renameExperiment(this.ctx, { experimentId, newName });
  }

  // ------------------------------------------------------------------ runs

  /** MLflow's start_run: `experimentId` or `experimentName` (created if missing), else MLFLOW_EXPERIMENT_*, else
   * Default. With MLFLOW_RUN_ID set (and no explicit runId), that run is resumed instead of a new one started. */
  async startRun(o: StartRunOptions = {}): Promise<ActiveRun> {
    this.live();
    const resume = o.runId ?? (o.experimentId || o.experimentName ? undefined : this.options.resumeRunId);
    if (resume) {
      const info = doc.getRun(this.ws, asRunId(resume));
      if (!info) throw notFound(`Run with id=${resume} not found`);
      if (info.info.status !== 'RUNNING') doc.updateRun(this.ctx, { runId: resume, status: 'RUNNING' });
      return this.handle(resume);
    }
    let experimentId = o.experimentId;
    const name = o.experimentName ?? (experimentId ? undefined : this.options.defaultExperimentName);
    if (!experimentId && name) {
      experimentId = doc.getExperimentByName(this.ws, name)?.experimentId ?? doc.createExperiment(this.ctx, { name });
    }
    experimentId ??= this.options.defaultExperimentId ?? DEFAULT_EXPERIMENT_ID;
    const tags: Record<string, string> = { ...(o.tags ?? {}) };
    const user = this.userName;
    if (!tags['mlflow.user'] && user) tags['mlflow.user'] = user;
    if (!tags['mlflow.source.type']) tags['mlflow.source.type'] = isNode() ? 'LOCAL' : 'NOTEBOOK';
    const script = (globalThis as { process?: { argv?: string[] } }).process?.argv?.[1];
    if (!tags['mlflow.source.name'] && isNode() && script) tags['mlflow.source.name'] = script;
    const info = doc.startRun(this.ctx, {
      experimentId,
      tags,
      ...(o.runName ? { runName: o.runName } : {}),
      ...(o.parentRunId ? { parentRunId: o.parentRunId } : {}),
      ...(o.startTime !== undefined ? { startTime: o.startTime } : {}),
    });
    return this.handle(info.runId);
  }

  async getRun(runId: string): Promise<Run | null> {
    return doc.getRun(this.ws, asRunId(runId)) ?? null;
  }

  async listRuns(experimentId: string, view: doc.ViewType = 'ACTIVE_ONLY'): Promise<Run[]> {
    return doc.listRuns(this.ws, { experimentIds: [experimentId], view });
  }

  /**
   * MLflow's `search_runs` (lib/search: its grammar, plus OR / NOT / parentheses / numeric params): the runs of
   * `experimentIds` (all experiments when absent) that match `filter`, in `orderBy` order, a page of `maxResults`
   * (default 1000, at most 50,000) from `pageToken`. Answered from this client's copy of the workspace, which is
   * complete once synced; `stale` says the client is not synced with the relay right now (offline, connecting).
   * A bad filter, order or token throws INVALID_PARAMETER_VALUE with `details.position` where it applies.
   */
  async searchRuns(request: SearchRunsRequest = {}): Promise<{ runs: Run[]; nextPageToken: string | null; stale: boolean }> {
    // Checked whole at the boundary: a script's non-string filter must be an INVALID_PARAMETER_VALUE, not a TypeError.
    const req = parseInput(SearchRunsRequestSchema, request, 'searchRuns');
    const runs = doc.listRuns(this.ws, { view: 'ALL', ...(req.experimentIds ? { experimentIds: [...req.experimentIds] } : {}) });
    const table = tableFromRuns(runs.map((r) => plainRunFromRun(r)));
    const result = searchTable(table, {
      filter: req.filter ?? null,
      orderBy: req.orderBy ?? null,
      maxResults: req.maxResults ?? null,
      pageToken: req.pageToken ?? null,
      viewType: req.viewType ?? 'ACTIVE_ONLY',
      experimentIds: req.experimentIds ?? null,
    });
    if (!result.ok) throw searchErrorToCairn(result.error);
    return { runs: Array.from(result.rows, (i) => runs[i]!), nextPageToken: result.nextPageToken, stale: this.status !== 'synced' };
  }

  async deleteRun(runId: string): Promise<void> {
    doc.deleteRun(this.ctx, runId);
  }

  async restoreRun(runId: string): Promise<void> {
    doc.restoreRun(this.ctx, runId);
  }

  /** Every point of one metric in step order, from the local replica merged with the relay's copy. */
  async getMetricHistory(runId: string, key: string): Promise<doc.HistoryPoint[]> {
    const id = asRunId(runId);
    if (!this.ws.getMap('runs').has(id)) throw notFound(`Run with id=${id} not found`);
    this.flushChunks();
    const slot = this.slot(id, [], false);
    if (this.options.relay) {
      // Offline or refused: the local replica's history is what there is.
      const missing = await fetchRoomSnapshot(fetch, this.options.relay.http, runRoom(this.options.workspace, id), this.options.token ?? null, Y.encodeStateVector(slot.doc)).catch(() => null);
      if (missing) Y.applyUpdate(slot.doc, missing);
    }
    return doc.metricHistory(slot.doc, parseInput(KeySchema, key, 'metric_key'));
  }

  // ------------------------------------------------------------------ logging internals used by ActiveRun

  /** Validates and queues points; the journal write happens before this returns. */
  logPoints(runId: string, keys: string[], values: number[], steps: number[], timestamps: number[]): void {
    this.live();
    // Read through the run's record definition: a peer may have put anything under this id (lib/doc DOC-L6).
    const r = this.readRun(runId);
    if (!r) throw notFound(`Run with id=${runId} not found`);
    if (r.lifecycle !== 'active') throw invalid(`The run ${runId} must be in the 'active' state. Current state is deleted.`);
    doc.validatePointColumns(keys, values, steps, timestamps);
    const p: PendingPoints = { seq: ++this.seq, runId, keys, values, steps, timestamps };
    this.journal.append([recPoints(p)]);
    this.queue(this.slot(runId, [], true), p);
    if (this.pendingCount >= MAX_PENDING_POINTS) this.flushChunks();
    else this.schedule();
  }

  /** Turns pending points into chunks; the resulting updates and the checkpoint are one journal append. */
  flushChunks(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pendingCount === 0) return;
    this.batch = [];
    try {
      for (const [runId, slot] of this.runs) {
        const p = slot.pending;
        if (!p) continue;
        slot.pending = null;
        doc.appendMetricColumns(this.ctx, slot.doc, runId, p.cols, { allowDeleted: true });
      }
      this.pendingCount = 0;
      this.batch.push(recSimple(REC_CHECKPOINT, this.seq));
    } finally {
      const b = this.batch;
      this.batch = null;
      this.journal.append(b);
    }
    // Node only: the file journal rewrites synchronously, so nothing appended meanwhile can be lost. (The browser
    // journal compacts when the client opens.)
    if (isNode() && this.journal.size() > JOURNAL_COMPACT_BYTES && !this.compacting) {
      this.compacting = true;
      void this.compact().finally(() => {
        this.compacting = false;
      });
    }
  }

  /** Resolves when everything logged so far is durable locally and persisted by the relay (if one is configured). */
  async flush(opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.flushConnections(() => [...this.runs.values()].map((s) => s.conn), opts);
  }

  /** RunHost: the run's info as this client's copy of the workspace has it. */
  runInfo(runId: string): RunInfo {
    const run = doc.getRun(this.ws, asRunId(runId));
    if (!run) throw notFound(`Run with id=${runId} not found`);
    return run.info;
  }

  /** RunHost: the bytes go to the journal and then the blob store; resolves with their address once journaled. */
  storeBlob(data: Uint8Array | Blob | string): Promise<{ sha256: string; size: number }> {
    return this.blobs.store(data);
  }

  /**
   * RunHost: ends the run, then `flush()` for its part only: the journal, the blobs, the workspace doc (its status,
   * params, tags) and the run's own doc (its metrics), so ending N runs costs N acks, not N × N. Then its connection
   * goes (releaseRun).
   */
  async endRun(runId: string, status: RunStatus, opts: { timeoutMs?: number } = {}): Promise<void> {
    this.flushChunks();
    doc.updateRun(this.ctx, { runId, status, endTime: Date.now() });
    await this.flushConnections(() => [this.runs.get(runId)?.conn ?? null], opts);
    this.releaseRun(runId);
  }

  private async flushConnections(runConns: () => (RoomConnection | null)[], opts: { timeoutMs?: number }): Promise<void> {
    this.flushChunks();
    await this.journal.durable();
    const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
    const signal = () => (deadline !== undefined ? AbortSignal.timeout(Math.max(0, deadline - Date.now())) : undefined);
    await this.blobs.drain(signal());
    if (!this.conn) return;
    // Picked after the awaits: a run released meanwhile is not asked. Each connection gets its own deadline signal:
    // one signal shared by thousands of waiting connections would carry a listener per connection (Node warns at 11).
    const conns = [this.conn, ...runConns().filter((c): c is RoomConnection => !!c)];
    await Promise.all(conns.map((c) => c.flush(signal())));
  }

  /** Flushes (waiting up to `timeoutMs` for the relay; whatever is not acknowledged stays in the journal for next
   * time), then disconnects. */
  async close(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush({ timeoutMs: opts.timeoutMs ?? 10_000 });
    } catch (e) {
      // Closing never fails for what the relay did not take (unreachable, read-only, refused): it stays in the
      // journal. `flush()` is the call that reports those.
      if (!(e instanceof CairnError) || !CLOSE_TOLERATES.has(e.code)) throw e;
    } finally {
      this.closed = true;
      this.blobs.stop();
      this.conn?.destroy();
      for (const s of this.runs.values()) s.conn?.destroy();
      this.ws.destroy();
      await this.journal.close();
    }
  }

  /** The run's live connection is only needed while it is being logged to. Flushes other callers started on it
   * still complete (`release()` waits for them), and a run with points still queued keeps it for their delivery. */
  private releaseRun(runId: string): void {
    const slot = this.runs.get(runId);
    if (slot?.conn && !slot.pending) {
      slot.conn.release();
      slot.conn = null;
    }
  }

  private handle(runId: string): ActiveRun {
    const slot = this.slot(runId, [], true);
    if (this.options.relay && !slot.conn) this.connectRun(runId, slot);
    return new ActiveRun(this, runId);
  }

  private isRunning(runId: string): boolean {
    return this.readRun(runId)?.status === 'RUNNING';
  }

  private readRun(runId: string): doc.StoredRunRecord | undefined {
    const r = doc.runMap(this.ws, runId);
    return r && doc.readRunRecord(r);
  }

  private slot(runId: string, updates: Uint8Array[], connect: boolean): RunSlot {
    let s = this.runs.get(runId);
    if (!s) {
      const d = new Y.Doc();
      for (const u of updates) Y.applyUpdate(d, u, FROM_JOURNAL);
      this.track(d, runDocName(runId));
      s = { doc: d, conn: null, pending: null };
      this.runs.set(runId, s);
    }
    if (connect && this.options.relay && !s.conn && this.conn) this.connectRun(runId, s);
    return s;
  }

  private connectRun(runId: string, s: RunSlot): void {
    if (!this.options.relay) return;
    s.conn = new RoomConnection(s.doc, { ...this.connOptions(), room: runRoom(this.options.workspace, runId) });
  }

  private connOptions() {
    const o = this.options;
    return {
      relay: o.relay!.http,
      token: o.token,
      WebSocketPolyfill: this.WebSocketImpl,
      ...(o.silenceTimeoutMs !== undefined ? { silenceTimeoutMs: o.silenceTimeoutMs } : {}),
    };
  }

  private queue(slot: RunSlot, p: PendingPoints): void {
    const q = (slot.pending ??= new PointBuffer());
    for (let i = 0; i < p.keys.length; i++) q.push(p.keys[i]!, p.steps[i]!, p.timestamps[i]!, p.values[i]!);
    this.pendingCount += p.keys.length;
  }

  private schedule(): void {
    if (!this.timer) this.timer = setTimeout(() => this.flushChunks(), FLUSH_INTERVAL_MS);
  }

  /** Every change to a doc goes to the journal before the provider sends it (this handler is registered first). */
  private track(d: Y.Doc, name: string): void {
    d.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin === FROM_JOURNAL) return;
      const rec = recUpdate(name, u);
      if (this.batch) this.batch.push(rec);
      else this.journal.append([rec]);
    });
  }

  /** Waits for the first sync, at most `ms`; an unreachable relay (a failed attempt) ends the wait at once, so an
   * offline script starts logging immediately. A refusal (bad token) rejects. */
  private waitForSync(ms: number): Promise<void> {
    const conn = this.conn;
    if (!conn || conn.state === 'synced') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(done, ms);
      const off = conn.onState((s) => {
        if (s === 'synced' || s === 'error') done();
      });
      // The close event of a refused socket arrives before the state turns to 'error': decide a tick later.
      const onClose = () => setTimeout(done, 0);
      conn.provider.on('connection-close', onClose);
      function done() {
        clearTimeout(t);
        off();
        conn!.provider.off('connection-close', onClose);
        if (conn!.state === 'error' && conn!.error) reject(conn!.error);
        else resolve();
      }
    });
  }

  private async compact(): Promise<void> {
    this.flushChunks();
    const records = [recSimple(REC_FORMAT, JOURNAL_FORMAT), recSimple(REC_ACTOR, this.actor), recUpdate(WS_DOC, Y.encodeStateAsUpdate(this.ws))];
    for (const [id, s] of this.runs) records.push(recUpdate(runDocName(id), Y.encodeStateAsUpdate(s.doc)));
    records.push(recSimple(REC_CHECKPOINT, this.seq));
    for (const sha of this.blobs.pending()) records.push(recSimple(REC_BLOB, sha));
    await this.journal.rewrite(records);
  }

  private live(): void {
    if (this.closed) throw new CairnError('INVALID_STATE', 'This Cairn client is closed');
  }
}

/** MLflow-style entry point: `const cairn = await connect({ relay, workspace })`. */
export function connect(o: ConnectOptions = {}): Promise<CairnClient> {
  return CairnClient.open(o);
}

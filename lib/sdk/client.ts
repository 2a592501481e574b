/*
 * The SDK's one facade (`CairnClient`, ~800 lines, past the 600-line guide on purpose): every public call of
 * `cairn/sdk` (MLflow's fluent API: experiments, runs, params, tags, points, artifacts, search, history, flush, end,
 * close, `holdRun` for the MLflow importer) and the few lines of state tying them together (held run docs, open
 * metrics docs). Each part with a life of its own lives beside it: the doc engine (lib/engine), the journal as its
 * local log (journal-log.ts), points from accepted to chunked (point-chunker.ts), the format-1 upgrade rules
 * (format1.ts) and their retry state (format1-upgrade.ts), the first sync's wait (recording-remote.ts `firstSync`),
 * the run listing (run-listing.ts), listed-run shapes (listed-run.ts), blobs (blobs.ts), the run handle (run.ts),
 * models (models.ts: logModel / loadModel), the registry (registry.ts, `client.registry`). What is left is the public
 * surface over one object's private state (engine, holds, the logging map): each call is a few lines of validation
 * and a command on that state; split further, the calls would reach across files into it.
 */
import * as Y from 'yjs';
import { z } from 'zod';
import {
  CairnError,
  DEFAULT_EXPERIMENT_ID,
  KeySchema,
  asRunId,
  invalid,
  newActorId,
  newRunId,
  notFound,
  parseInput,
  type Experiment,
  type ExperimentId,
  type Run,
  type RunInfo,
  type RunStatus,
} from '../domain';
import * as doc from '../doc';
import { DocEngine, HeldDocs, relayRemote, type DocHandle, type Want } from '../engine';
import {
  fetchStateVector,
  metricsRoom,
  runRoom,
  workspaceRoom,
  type FetchLike,
  SendGate,
} from '../relay-client';
import { MAX_RESULTS_THRESHOLD, searchErrorToCairn, searchTable, tableFromRows } from '../search';
import { ActiveRun, type RunHost, type StartRunOptions } from './run';
import { RegistryClient } from './registry';
import { BlobUploader } from './blobs';
import { loadModel, type LoadModelOptions, type LoadedModel } from './models';
import type { PointBuffer } from './point-buffer';
import { PointChunker } from './point-chunker';
import { isNode, resolveOptions, type ConnectOptions, type ResolvedOptions } from './env';
import { JournalLog } from './journal-log';
import { SearchRunsRequestSchema, listedRun, type ListedRun, type SearchRunsRequest, type SearchRunsResult } from './listed-run';
import { firstSync, recordingRemote, type RecordingRemote } from './recording-remote';
import { RunListing } from './run-listing';
import { renameFormat1Journal } from './format1';
import { Format1Upgrade } from './format1-upgrade';
import {
  REC_ACTOR,
  REC_CHECKPOINT,
  recSimple,
  REC_BLOB,
  REC_FORMAT,
  JOURNAL_FORMAT,
  replay,
  type Journal,
  type JournalState,
} from './journal';

/** connect() waits this long for the first sync so name checks see the relay's state; then works offline. */
export const CONNECT_SYNC_WAIT_MS = 5_000;
/** A run (or its points) this client does not hold is waited for this long from the relay before it is not found. */
export const READ_SYNC_WAIT_MS = 10_000;
/** A doc written to is marked clean by an ack the engine asks for this long after the write (ENG-3). */
export const CLEAN_DELAY_MS = 1_000;
/** The journal is rewritten as snapshots once it passes this size. */
const JOURNAL_COMPACT_BYTES = 64 * 1024 * 1024;
const WS_DOC = 'ws';
const CLOSE_TOLERATES = new Set<string>(['DEADLINE_EXCEEDED', 'PERMISSION_DENIED', 'UNAUTHENTICATED', 'INVALID_STATE', 'ABORTED']);
/** Journal (and engine) names of a run's docs. */
export const runDocName = (id: string) => `run/${id}`;
export const metricsDocName = (id: string) => `run/${id}/metrics`;
const RUN_NAME = /^run\/([^/]+)$/;

/** A run held for an importer's writes (SDK-22), from `CairnClient.holdRun`. */
export interface HeldRun {
  /** The run as the relay (and this client's journal) had it when it was held; null when neither has it. */
  existing: Run | null;
  /** Points of `key` in the held metrics doc. */
  pointCount(key: string): number;
  /** Resolves once the relay holds what was written to the run, then lets its docs go. */
  release(opts?: { timeoutMs?: number }): Promise<void>;
}

/** A run being logged to from this client: its run doc (and, once it has points, its metrics doc) held live. */
interface Logging {
  run: DocHandle;
  metrics: DocHandle | null;
}

export class CairnClient implements RunHost {
  readonly ctx: doc.Ctx;
  private readonly engine: DocEngine;
  private readonly listing: RunListing;
  private readonly log: JournalLog;
  private readonly remote: RecordingRemote | null;
  /** SDK-26: a chunk flush's updates go on the wire only after the journal append that holds them. */
  private readonly gate = new SendGate();
  private readonly wsHandle: DocHandle;
  private readonly wsRoom: string;
  /** Run docs held right now (ref-counted): what `ctx.runDoc` resolves; any other run reads as not found. */
  private readonly holds = new HeldDocs();
  private readonly logging = new Map<string, Logging>();
  /** Points from accepted to chunked (SDK-4, SDK-26). */
  private readonly chunker: PointChunker;
  private readonly blobs: BlobUploader;
  private closed = false;
  private compacting = false;
  private pushing: Promise<void> | null = null;
  /** SDK-20 step 2: the workspace doc's format-1 runs, converted before it goes on the network. */
  private readonly upgrade: Format1Upgrade;
  /** `mlflow.user` for new runs: the OS user in Node (as MLflow's client records it). */
  private userName: string | undefined;
  private registryClient: RegistryClient | null = null;

  private constructor(
    readonly options: ResolvedOptions,
    private readonly journal: Journal,
    state: JournalState,
    actor: string,
    WebSocketImpl: unknown,
    private readonly fetchImpl: FetchLike,
  ) {
    this.blobs = new BlobUploader(options, journal);
    this.log = new JournalLog(journal, state.updates, state.dirty, this.gate);
    this.chunker = new PointChunker(state.lastSeq, journal, this.log, {
      readable: (runId) => !!doc.readRunRecord(this.ctx.runDoc(runId)),
      holdRun: (runId) => this.acquireRun(asRunId(runId), 'live'),
      whenReadable: (hold, then) => void hold.whenSynced(READ_SYNC_WAIT_MS).then(then),
      appendChunks: (runId, cols) => this.appendChunks(runId, cols),
      closed: () => this.closed,
      flushed: () => this.compactWhenLarge(),
    });
    this.wsRoom = workspaceRoom(options.workspace);
    this.remote = options.relay
      ? recordingRemote(
          relayRemote({
            relay: options.relay.http,
            token: options.token ?? null,
            fetch: fetchImpl,
            ...(WebSocketImpl ? { WebSocketPolyfill: WebSocketImpl } : {}),
            ...(options.silenceTimeoutMs !== undefined ? { silenceTimeoutMs: options.silenceTimeoutMs } : {}),
            gate: this.gate,
          }),
        )
      : null;
    this.engine = new DocEngine({
      local: this.log,
      remote: this.remote,
      isLocalOrigin: (o) => o === doc.LOCAL_ORIGIN || o === doc.UPGRADE_ORIGIN,
      // A logging client writes to every run it holds: each gets its link (the relay caps sockets per token), and a
      // doc nobody holds closes at once (its state stays in the journal; a dirty one waits for its ack, ENG-6).
      maxLive: Number.POSITIVE_INFINITY,
      idleCloseMs: 0,
      // A doc written to asks for its own ack (to be marked clean) at most this often: a script logging to 2,000 runs
      // must not send the relay a flush request per run every 100 ms. flush() and end() ask at once anyway.
      cleanDelayMs: CLEAN_DELAY_MS,
    });
    this.listing = new RunListing({
      relay: options.relay ? { http: options.relay.http, token: options.token ?? null } : null,
      workspace: options.workspace,
      fetch: fetchImpl,
      dirtyNames: () => this.engine.dirtyNames(),
      openNames: () => this.engine.openNames(),
      journalNames: (prefix) => this.log.names(prefix),
      localRun: (runId) => this.localRun(runId),
    });
    this.upgrade = new Format1Upgrade({
      ws: () => this.ws,
      stateVector: options.relay
        ? (timeoutMs) => {
            const timeout = AbortSignal.timeout(timeoutMs);
            const f: FetchLike = (u, init) => fetchImpl(u, { ...init, signal: timeout });
            return fetchStateVector(f, options.relay!.http, this.wsRoom, options.token ?? null);
          }
        : null,
      loadRun: async (runId) => {
        const h = this.acquireRun(asRunId(runId), this.remote ? 'snapshot' : 'local');
        if (this.remote && !(await h.whenSynced(READ_SYNC_WAIT_MS))) {
          h.release();
          return null;
        }
        return h;
      },
      closed: () => this.closed,
      // Points of upgraded runs waited for their run docs.
      converted: () => this.chunker.schedule(),
      finished: () => {
        this.engine.want(WS_DOC, 'live');
        this.pushInBackground();
      },
    });
    const empty = new Y.Doc();
    // Local first: it goes on the network once no format-1 run is left in it (SDK-20).
    this.wsHandle = this.engine.acquire(WS_DOC, this.wsRoom, 'local');
    const user = () => this.userName;
    this.ctx = {
      ws: this.wsHandle.doc,
      actor,
      runDoc: (id) => this.holds.doc(id) ?? empty,
      get userId() {
        return user();
      },
    };
  }

  static async open(o: ConnectOptions = {}): Promise<CairnClient> {
    const options = resolveOptions(o);
    const ns = `${options.relay ? new URL(options.relay.http).host.replace(/[^\w.-]/g, '_') : 'local'}/${options.workspace}`;
    let journal: Journal;
    let WS: unknown = o.WebSocket ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    const fetchImpl: FetchLike = (input, init) => fetch(input, init);
    if (isNode()) {
      const path = await import('node:path');
      journal = await (await import('./journal-node')).openNodeJournal(path.join(options.dataDir, ns));
      if (!WS && options.relay) WS = (await import('ws')).WebSocket;
    } else {
      journal = await (await import('./journal-browser')).openBrowserJournal(ns);
    }
    let state: JournalState;
    try {
      state = await journal.load();
      const actor = state.actor ?? newActorId();
      // SDK-20 step 1: a format-1 journal's chunk docs become metrics docs, in one atomic rewrite.
      const renamed = renameFormat1Journal(state, actor);
      if (renamed) {
        await journal.rewrite(renamed.records);
        state = replay(renamed.records, 'the upgraded journal');
      }
      if (!state.actor) {
        journal.append([recSimple(REC_FORMAT, JOURNAL_FORMAT), recSimple(REC_ACTOR, actor)]);
        state.actor = actor;
      }
    } catch (e) {
      await journal.close();
      throw e;
    }
    const c = new CairnClient(options, journal, state, state.actor, WS, fetchImpl);
    if (isNode()) {
      const os = await import('node:os');
      try {
        c.userName = process.env.USER ?? os.userInfo().username;
      } catch {
        c.userName = process.env.USER;
      }
    }
    // Points accepted before a crash but never turned into chunks: queue them again under their old sequence numbers.
    for (const p of state.points) c.chunker.replayed(p);
    for (const sha of state.pendingBlobs) c.blobs.resume(sha);
    try {
      // SDK-20 step 2: format-1 runs still in the workspace doc are converted before it goes on the network.
      if (await c.upgrade.begin(CONNECT_SYNC_WAIT_MS)) c.engine.want(WS_DOC, 'live');
      else c.upgrade.retryLater(CONNECT_SYNC_WAIT_MS);
      if (c.remote && !c.upgrade.pending) await firstSync(c.remote, c.wsRoom, CONNECT_SYNC_WAIT_MS);
      // After the first sync: in a workspace the relay already has, the Default experiment is there and nothing is
      // written (a fresh client used to add ~180 B of duplicate fields to the workspace doc, forever).
      doc.ensureWorkspace(c.ctx);
    } catch (e) {
      // Refused (e.g. a bad token): tear the half-built client down so the caller's process can exit.
      c.closed = true;
      c.blobs.stop();
      c.chunker.stop();
      c.upgrade.stop();
      await c.engine.destroy();
      await journal.close();
      throw e;
    }
    // SDK-19: what earlier sessions left unacknowledged (a run ended offline) goes out now, without any call.
    if (c.remote) c.pushInBackground();
    if (journal.size() > JOURNAL_COMPACT_BYTES) await c.compact();
    c.chunker.schedule();
    return c;
  }

  get actor(): string {
    return this.ctx.actor;
  }

  /** The model registry of this workspace (SDK-25): MLflow's registry calls, offline-safe, numbered by the relay. */
  get registry(): RegistryClient {
    return (this.registryClient ??= new RegistryClient({ ctx: this.ctx, ws: this.ws, hasRelay: this.remote !== null, flush: (o) => this.flush(o) }));
  }

  /** The workspace doc (experiments). */
  get ws(): Y.Doc {
    return this.ctx.ws;
  }

  /** 'offline' when no relay is configured. */
  get status(): string {
    if (!this.remote) return 'offline';
    // Waiting to upgrade format-1 runs: the workspace doc is not on the network yet (SDK-20).
    if (this.upgrade.pending) return 'connecting';
    return this.remote.conn(this.wsRoom)?.state ?? 'connecting';
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
    if (resume) return this.resumeRun(parseInput(z.string(), resume, 'run_id'));
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
    // The parent is read from its run doc: held for the check (a snapshot when this client does not hold it).
    const parent = o.parentRunId ? await this.readableRun(parseInput(z.string(), o.parentRunId, 'parent_run_id'), 'snapshot') : null;
    const runId = newRunId();
    const h = this.acquireRun(runId, 'live');
    try {
      doc.startRun(this.ctx, {
        runId,
        experimentId,
        tags,
        ...(o.runName ? { runName: o.runName } : {}),
        ...(o.parentRunId ? { parentRunId: o.parentRunId } : {}),
        ...(o.startTime !== undefined ? { startTime: o.startTime } : {}),
      });
    } catch (e) {
      h.release();
      throw e;
    } finally {
      parent?.release();
    }
    this.logging.set(runId, { run: h, metrics: null });
    return new ActiveRun(this, runId);
  }

  /** Resumes a run (status back to RUNNING): its run doc from the journal, or from the relay (SDK-7). */
  private async resumeRun(runId: string): Promise<ActiveRun> {
    if (this.logging.has(runId)) {
      this.withRun(runId, () => {
        if (doc.readRunRecord(this.ctx.runDoc(runId))?.status !== 'RUNNING') doc.updateRun(this.ctx, { runId, status: 'RUNNING' });
      });
      return new ActiveRun(this, runId);
    }
    const h = await this.readableRun(runId, 'live');
    try {
      if (doc.readRunRecord(h.doc)?.status !== 'RUNNING') doc.updateRun(this.ctx, { runId, status: 'RUNNING' });
    } catch (e) {
      h.release();
      throw e;
    }
    this.logging.set(runId, { run: h, metrics: null });
    return new ActiveRun(this, runId);
  }

  /** The run as its run doc says: this client's copy when it holds it, else (or also) the relay's. */
  async getRun(runId: string): Promise<Run | null> {
    this.live();
    const id = asRunId(runId);
    // Its metric summaries include the points logged so far.
    if (this.chunker.has(id)) this.chunker.flush();
    const h = this.holds.has(id) ? this.acquireRun(id, 'live') : await this.readableRun(id, 'snapshot').catch(nullIfNotFound);
    if (!h) return null;
    try {
      return doc.readRun(id, h.doc) ?? null;
    } finally {
      h.release();
    }
  }

  /** The runs of one experiment (MLflow's default order: newest first), from the relay's index (SDK-17, SDK-18). */
  async listRuns(experimentId: string, view: doc.ViewType = 'ACTIVE_ONLY'): Promise<ListedRun[]> {
    const out: ListedRun[] = [];
    let pageToken: string | undefined;
    for (;;) {
      const page = await this.searchRuns({ experimentIds: [experimentId], viewType: view, maxResults: MAX_RESULTS_THRESHOLD, ...(pageToken ? { pageToken } : {}) });
      out.push(...page.runs);
      if (!page.nextPageToken) return out;
      pageToken = page.nextPageToken;
    }
  }

  /**
   * MLflow's `search_runs` (lib/search: its grammar, plus OR / NOT / parentheses / numeric params): the runs of
   * `experimentIds` (every experiment of the workspace when absent) that match `filter`, in `orderBy` order, a page of
   * `maxResults` (default 1000, at most 50,000) from `pageToken`. Answered from the relay's experiment indexes, with
   * the runs this client holds unacknowledged changes of laid over them (SDK-17); offline or refused, from the run docs
   * this client holds, with `stale: true` (SDK-18). A bad filter, order or token throws INVALID_PARAMETER_VALUE with
   * `details.position` where it applies.
   */
  async searchRuns(request: SearchRunsRequest = {}): Promise<SearchRunsResult> {
    // Checked whole at the boundary: a script's non-string filter must be an INVALID_PARAMETER_VALUE, not a TypeError.
    this.live();
    const req = parseInput(SearchRunsRequestSchema, request, 'searchRuns');
    const experiments = req.experimentIds ?? doc.listExperiments(this.ws, 'ALL').map((e) => e.experimentId);
    const { rows, stale } = await this.listing.rows(experiments);
    const table = tableFromRows(rows);
    const result = searchTable(table, {
      filter: req.filter ?? null,
      orderBy: req.orderBy ?? null,
      maxResults: req.maxResults ?? null,
      pageToken: req.pageToken ?? null,
      viewType: req.viewType ?? 'ACTIVE_ONLY',
      experimentIds: req.experimentIds ?? null,
    });
    if (!result.ok) throw searchErrorToCairn(result.error);
    return { runs: Array.from(result.rows, (i) => listedRun(rows[i]!)), nextPageToken: result.nextPageToken, stale };
  }

  async deleteRun(runId: string): Promise<void> {
    await this.onRun(runId, () => doc.deleteRun(this.ctx, runId));
  }

  async restoreRun(runId: string): Promise<void> {
    await this.onRun(runId, () => doc.restoreRun(this.ctx, runId));
  }

  /** Every point of one metric in step order: this client's points merged with the relay's copy. */
  async getMetricHistory(runId: string, key: string): Promise<doc.HistoryPoint[]> {
    this.live();
    const id = asRunId(runId);
    const k = parseInput(KeySchema, key, 'metric_key');
    // The run must exist (RESOURCE_DOES_NOT_EXIST otherwise); its points are in its metrics doc.
    const run = this.holds.has(id) ? this.acquireRun(id, 'live') : await this.readableRun(id, 'snapshot', false);
    run.release();
    this.chunker.flush();
    const lg = this.logging.get(id);
    const h = this.engine.acquire(metricsDocName(id), metricsRoom(this.options.workspace, id), lg ? 'live' : 'snapshot');
    try {
      if (!lg) await h.whenSynced(this.remoteReachable() ? READ_SYNC_WAIT_MS : 0);
      return doc.metricHistory(h.doc, k);
    } finally {
      h.release();
    }
  }

  // ------------------------------------------------------------------ logging internals used by ActiveRun

  /** RunHost: runs `f` with the run's doc held (loaded from the journal at once when this client has it). */
  withRun<T>(runId: string, f: () => T): T {
    this.live();
    if (this.holds.has(runId)) return f();
    const h = this.acquireRun(asRunId(runId), 'live');
    try {
      return f();
    } finally {
      h.release();
    }
  }

  /** Validates and queues points; the journal write happens before this returns. */
  logPoints(runId: string, keys: string[], values: number[], steps: number[], timestamps: number[]): void {
    this.withRun(runId, () => {
      // Read through the run's record definition: a peer may have put anything in its doc (lib/doc DOC-L6).
      const r = doc.readRunRecord(this.ctx.runDoc(runId));
      if (!r) throw notFound(`Run with id=${runId} not found`);
      if (r.lifecycle !== 'active') throw invalid(`The run ${runId} must be in the 'active' state. Current state is deleted.`);
      doc.validatePointColumns(keys, values, steps, timestamps);
      this.chunker.add(runId, keys, values, steps, timestamps);
      // A run's metrics doc opens with its first points (not at the chunk flush, which would open the metrics docs
      // of every run logged to in the last 200 ms at once).
      const lg = this.logging.get(runId);
      if (lg && !lg.metrics) lg.metrics = this.engine.acquire(metricsDocName(runId), metricsRoom(this.options.workspace, runId), 'live');
    });
    this.chunker.due();
  }

  /** Turns pending points into chunks now (PointChunker.flush). */
  flushChunks(): void {
    this.chunker.flush();
  }

  /** The chunker's append of a run's points: to its held metrics doc, or to one opened for this flush only. */
  private appendChunks(runId: string, cols: PointBuffer['cols']): void {
    const lg = this.logging.get(runId);
    let m = lg?.metrics ?? null;
    let temp: DocHandle | null = null;
    if (!m) {
      m = this.engine.acquire(metricsDocName(runId), metricsRoom(this.options.workspace, runId), 'live');
      if (lg) lg.metrics = m;
      else temp = m;
    }
    try {
      doc.appendMetricColumns(this.ctx, m.doc, runId, cols, { allowDeleted: true });
    } finally {
      temp?.release();
    }
  }

  /** Node only: the file journal rewrites synchronously, so nothing appended meanwhile can be lost. (The browser
   * journal compacts when the client opens.) */
  private compactWhenLarge(): void {
    if (!isNode() || this.journal.size() <= JOURNAL_COMPACT_BYTES || this.compacting) return;
    this.compacting = true;
    void this.compact().finally(() => {
      this.compacting = false;
    });
  }

  /**
   * Resolves when everything logged so far is durable locally and persisted by the relay (if one is configured):
   * every doc holding changes the relay has not acknowledged, from this session or an earlier one (SDK-5, SDK-19).
   */
  async flush(opts: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = this.prepareFlush(opts);
    await this.drainBlobs(deadline);
    if (!this.remote) return;
    // The workspace doc is part of "everything": while its upgrade waits for the relay, so does the flush (SDK-20).
    await this.upgrade.settle(deadline, CONNECT_SYNC_WAIT_MS, () => this.live());
    await this.engine.pushDirty(this.roomOf, remaining(deadline));
  }

  /** RunHost: the run's info as this client's copy of its run doc has it. */
  runInfo(runId: string): RunInfo {
    return this.withRun(runId, () => {
      const r = doc.getRun(this.ctx, runId);
      if (!r) throw notFound(`Run with id=${runId} not found`);
      return r.info;
    });
  }

  /** Artifact bytes by sha256: the journal's copy when this client stored them, else the relay's (checked). */
  readBlob(sha256: string): Promise<Uint8Array> {
    return this.blobs.read(sha256);
  }

  /** `mlflow.pyfunc.load_model` for ONNX models (lib/sdk/models.ts, SDK-24). */
  loadModel(uri: string, o?: LoadModelOptions): Promise<LoadedModel> {
    return loadModel(this, uri, o);
  }

  /** RunHost: the bytes go to the journal and then the blob store; resolves with their address once journaled. */
  storeBlob(data: Uint8Array | Blob | string): Promise<{ sha256: string; size: number }> {
    return this.blobs.store(data);
  }

  /**
   * RunHost: ends the run, then `flush()` for its part only: the journal, the blobs, its run doc (status, params,
   * tags, summaries), its metrics doc and the workspace doc when it holds unacknowledged changes (an experiment created
   * for it), so ending N runs costs N acks, not N × N. Then its docs are let go (SDK-12).
   */
  async endRun(runId: string, status: RunStatus, opts: { timeoutMs?: number } = {}): Promise<void> {
    this.chunker.flush();
    this.withRun(runId, () => doc.updateRun(this.ctx, { runId, status, endTime: Date.now() }));
    await this.releaseRun(runId, opts);
  }

  /**
   * SDK-22, for importers: holds the run doc of `runId` and its metrics doc live, brought up to the relay's copy
   * first, so lib/doc commands on `ctx` write the run with explicit ids, times, status and lifecycle (`doc.startRun(ctx,
   * { runId, startTime, ... })` when `existing` is null, `doc.updateRun`, `deleteRun`) and `logPoints` appends to it.
   * An importer must not write over a copy it could not read: when the relay does not answer within `timeoutMs`, this
   * rejects TEMPORARILY_UNAVAILABLE and holds nothing. `pointCount(key)` counts the points of a key in the held
   * metrics doc (the relay's and this client's). `release()` is `end()` without the status change: it resolves once
   * the relay holds this run's part, then lets the docs go.
   */
  async holdRun(runId: string, opts: { timeoutMs?: number } = {}): Promise<HeldRun> {
    this.live();
    const id = asRunId(runId);
    if (this.logging.has(id)) throw new CairnError('INVALID_STATE', `Run ${id} is already held by this client`);
    const wait = opts.timeoutMs ?? READ_SYNC_WAIT_MS;
    const run = this.acquireRun(id, 'live');
    const metrics = this.engine.acquire(metricsDocName(id), metricsRoom(this.options.workspace, id), 'live');
    try {
      const synced = this.remote ? await Promise.all([run.whenSynced(wait), metrics.whenSynced(wait)]) : [true, true];
      if (!synced[0] || !synced[1]) throw new CairnError('TEMPORARILY_UNAVAILABLE', `The relay did not send run ${id} within ${wait} ms`);
    } catch (e) {
      run.release();
      metrics.release();
      throw e;
    }
    this.logging.set(id, { run, metrics });
    // Points this journal replayed but never chunked (a killed importer's) count as the target's: chunked into the
    // held metrics doc first, so a rerun from this journal does not append them a second time.
    if (this.chunker.has(id)) this.chunker.flush();
    return {
      existing: doc.readRun(id, run.doc) ?? null,
      pointCount: (key) => doc.readSeries(metrics.doc, key).get(key)?.values.length ?? 0,
      release: (o = {}) => this.releaseRun(id, o),
    };
  }

  /** Waits until the relay holds this run's part (journal, blobs, its docs, the workspace doc when dirty), then lets
   * the run's docs go (SDK-12). */
  private async releaseRun(runId: string, opts: { timeoutMs?: number }): Promise<void> {
    this.chunker.flush();
    const lg = this.logging.get(runId);
    this.logging.delete(runId);
    const handles = lg ? [lg.run, ...(lg.metrics ? [lg.metrics] : [])] : [];
    try {
      const deadline = this.prepareFlush(opts);
      await this.drainBlobs(deadline);
      if (!this.remote) return;
      const docs = [runDocName(runId), metricsDocName(runId), ...(this.engine.isDirty(WS_DOC) ? [WS_DOC] : [])];
      await Promise.all(docs.map((n) => this.flushDoc(n, deadline)));
    } finally {
      for (const h of handles) h.release();
    }
  }

  /** Flushes (waiting up to `timeoutMs` for the relay; whatever is not acknowledged stays in the journal, marked
   * dirty, for next time), then disconnects. */
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
      this.chunker.stop();
      this.upgrade.stop();
      for (const lg of this.logging.values()) {
        lg.run.release();
        lg.metrics?.release();
      }
      this.logging.clear();
      await this.engine.destroy();
      await this.journal.close();
    }
  }

  /** @internal For tests: the doc this client holds open under a journal name (`ws`, `run/<id>`, `run/<id>/metrics`). */
  openDoc(name: string): Y.Doc | undefined {
    if (name === WS_DOC) return this.ws;
    const m = RUN_NAME.exec(name);
    return m ? this.holds.doc(m[1]!) : undefined;
  }

  // ------------------------------------------------------------------ internals

  /** Holds a run doc (ref-counted) so `ctx.runDoc` resolves it; the journal fills it before this returns. */
  private acquireRun(runId: string, want: Want): DocHandle {
    const h = this.engine.acquire(runDocName(runId), runRoom(this.options.workspace, runId), want);
    return this.holds.hold(runId, h);
  }

  /**
   * A held run doc that reads as a run: from the journal, else from the relay (waiting up to READ_SYNC_WAIT_MS, or
   * less when the relay cannot be reached). RESOURCE_DOES_NOT_EXIST when neither has it.
   */
  private async readableRun(runId: string, want: Want, fresh = want === 'snapshot'): Promise<DocHandle> {
    const id = asRunId(runId);
    const h = this.acquireRun(id, want);
    try {
      // A doc read for its content is brought up to the relay's state (`fresh`); its own copy answers when offline.
      if (!doc.readRunRecord(h.doc) || fresh) await h.whenSynced(this.remoteReachable() ? READ_SYNC_WAIT_MS : 0);
      if (!doc.readRunRecord(h.doc)) throw notFound(`Run with id=${id} not found`);
      return h;
    } catch (e) {
      h.release();
      throw e;
    }
  }

  /** Runs a command on a run this client may not hold: its run doc is loaded (journal, relay) for it. */
  private async onRun<T>(runId: string, f: () => T): Promise<T> {
    this.live();
    if (this.holds.has(runId)) return f();
    const h = await this.readableRun(runId, 'live');
    try {
      return f();
    } finally {
      h.release();
    }
  }

  /** The relay room of a journal name; none for the workspace doc while it waits for its upgrade (SDK-20). */
  private readonly roomOf = (name: string): string | null =>
    name === WS_DOC && this.upgrade.pending ? null : roomOfName(this.options.workspace)(name);

  private remoteReachable(): boolean {
    return this.status === 'synced';
  }

  /** A run as this client holds it (open, or in the journal), without asking the relay. */
  private localRun(runId: string): Run | undefined {
    if (!doc.isRunId(runId)) return undefined;
    const held = this.holds.doc(runId);
    if (held) return doc.readRun(runId, held);
    if (!this.log.has(runDocName(runId))) return undefined;
    const h = this.engine.acquire(runDocName(runId), runRoom(this.options.workspace, runId), 'local');
    try {
      return doc.readRun(runId, h.doc);
    } finally {
      h.release();
    }
  }

  private prepareFlush(opts: { timeoutMs?: number }): number | undefined {
    this.chunker.flush();
    return opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
  }

  private async drainBlobs(deadline: number | undefined): Promise<void> {
    await this.journal.durable();
    await this.blobs.drain(signalFor(deadline));
  }

  /** One doc's ack (if it is open); each flush gets its own deadline signal, so no signal collects listeners. */
  private async flushDoc(name: string, deadline: number | undefined): Promise<void> {
    const room = this.roomOf(name);
    if (!this.engine.isOpen(name) || !room) return;
    const h = this.engine.acquire(name, room, 'live');
    try {
      await h.flush(signalFor(deadline));
    } finally {
      h.release();
    }
  }

  private pushInBackground(): void {
    if (this.pushing || this.closed) return;
    this.pushing = this.engine
      .pushDirty(this.roomOf)
      .catch(() => {})
      .finally(() => {
        this.pushing = null;
      });
  }

  private async compact(): Promise<void> {
    this.chunker.flush();
    const records = [recSimple(REC_FORMAT, JOURNAL_FORMAT), recSimple(REC_ACTOR, this.actor), ...this.log.snapshotRecords()];
    records.push(recSimple(REC_CHECKPOINT, this.chunker.seq));
    for (const sha of this.blobs.pending()) records.push(recSimple(REC_BLOB, sha));
    await this.journal.rewrite(records);
  }

  private live(): void {
    if (this.closed) throw new CairnError('INVALID_STATE', 'This Cairn client is closed');
  }
}

/** The relay room of a journal name of this workspace (null for anything else). */
function roomOfName(workspace: string): (name: string) => string | null {
  return (name) => {
    if (name === WS_DOC) return workspaceRoom(workspace);
    const m = /^run\/([^/]+)(\/metrics)?$/.exec(name);
    if (!m || !doc.isRunId(m[1]!)) return null;
    return m[2] ? metricsRoom(workspace, m[1]!) : runRoom(workspace, m[1]!);
  };
}

const signalFor = (deadline: number | undefined): AbortSignal | undefined =>
  deadline !== undefined ? AbortSignal.timeout(Math.max(0, deadline - Date.now())) : undefined;
const remaining = (deadline: number | undefined) => (deadline !== undefined ? { timeoutMs: Math.max(0, deadline - Date.now()) } : {});

const nullIfNotFound = (e: unknown): null => {
  if (e instanceof CairnError && e.code === 'RESOURCE_DOES_NOT_EXIST') return null;
  throw e;
};

/** MLflow-style entry point: `const cairn = await connect({ relay, workspace })`. */
export function connect(o: ConnectOptions = {}): Promise<CairnClient> {
  return CairnClient.open(o);
}

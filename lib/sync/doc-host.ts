import { WebsocketProvider } from 'y-websocket';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { LOCAL_ORIGIN, UPGRADE_ORIGIN, ensureWorkspace, readRun, startRun, wsExp, wsExpTags, type Ctx } from '../doc';
import { CairnError, TERMINAL_STATUSES, newRunId, type Run, type RunInfo, type RunStatus } from '../domain';
import { DocEngine, FETCH_ORIGIN, HeldDocs, relayRemote, type DocHandle, type Want } from '../engine';
import { RoomConnection, fetchRoomSnapshot, fetchStateVector, metricsRoom, runRoom, workspaceRoom, type EarlySnapshots } from '../relay-client';
import { rowFromRun } from '../run-index';
import type { LocalStore } from '../store';
import { workspaceDocName } from './doc-names';
import { ExperimentRuns } from './experiment-runs';
import { indexedDbLog, storedDocName } from './local-log';
import { DocPersistence } from './persistence';
import { colorFor, peersOf, setLocalUser, type PeerView } from './presence';
import type { EffectiveSettings, FetchLike } from './settings';
import { deriveStatus, sameStatus, type SyncStatusView } from './status';
import { upgradeLocalWorkspace } from './upgrade-local';

/**
 * Owns the documents of ONE workspace on ONE relay (README.md): the workspace doc (always open, live, with presence),
 * run docs and metrics docs on demand through the doc engine (lib/engine), and the runs of each experiment
 * (ExperimentRuns: the relay's index with this replica's rows over it). Changing relay or workspace means a new
 * DocHost; the old one is destroyed.
 *
 * The persistence guarantee: `command()` and `runCommand()` resolve only after the update they produced is in
 * IndexedDB (and, for a run, after the run doc is marked dirty so it is pushed even if the tab closes now).
 */

/** Whether the network is up (the worker passes navigator.onLine and its online/offline events). */
export interface NetworkSignal {
  online(): boolean;
  subscribe(cb: () => void): () => void;
}

const ALWAYS_ONLINE: NetworkSignal = { online: () => true, subscribe: () => () => {} };

/** A command on a run not held here waits this long for the relay's copy of its run doc (then: not found). */
export const RUN_SYNC_WAIT_MS = 5_000;
/** The relay's answers for a format-1 upgrade (DOC-U3) are waited for this long; then it is tried again later. */
const UPGRADE_SV_WAIT_MS = 5_000;
export const UPGRADE_RETRY_MS = 5_000;
/** A replica that cannot reach its relay writes the Default experiment itself after this long (first use offline). */
export const ENSURE_OFFLINE_MS = 3_000;

export interface DocHostOptions {
  store: LocalStore;
  settings: EffectiveSettings;
  fetch: FetchLike;
  /** Node has no global WebSocket (tests pass `ws`). */
  WebSocketPolyfill?: unknown;
  network?: NetworkSignal;
  /** Tabs of one browser share one IndexedDB but not one worker: a BroadcastChannel keeps them live with each other
   * while the relay is unreachable. The browser worker turns it on; Node tests keep hosts apart. */
  broadcast?: boolean;
  /** Overrides of doc-engine tuning, for tests. */
  runDocs?: { idleCloseMs?: number; maxLiveSockets?: number; pollMs?: number; indexPollMs?: number; upgradeRetryMs?: number; ensureOfflineMs?: number };
  /** Where the relay's experiment indexes are saved between visits (the worker's warm cache). */
  savedIndexes?: { load(experimentId: string): Promise<Uint8Array | undefined>; save(experimentId: string, value: () => Uint8Array): void };
  /** Snapshots the worker asked for before this host opened (CHART-18): the first fetch of a room or index takes them. */
  early?: EarlySnapshots;
}

/** What changed, for the worker's change topics. */
export interface WorkspaceChange {
  experiments: boolean;
  /** Runs whose run doc changed here (fields, params, tags, summaries, artifacts, inputs). */
  runIds: Set<string>;
}

/** Updates the relay already holds: a snapshot fetch (the engine's FETCH_ORIGIN) or a live link's provider. */
const fromRelay = (origin: unknown) => origin === FETCH_ORIGIN || origin instanceof WebsocketProvider;

export class DocHost {
  readonly ws: Y.Doc;
  readonly ctx: Ctx;
  /** Effective settings of this host; only userName changes in place (setUserName). */
  readonly settings: EffectiveSettings;
  readonly awareness: Awareness;
  readonly engine: DocEngine;
  readonly runs: ExperimentRuns;
  private readonly persistence: DocPersistence;
  private conn: RoomConnection | null = null;
  private readonly network: NetworkSignal;
  private lastStatus: SyncStatusView;
  private readonly statusListeners = new Set<(s: SyncStatusView) => void>();
  private readonly changeListeners = new Set<(c: WorkspaceChange) => void>();
  private readonly presenceListeners = new Set<() => void>();
  private readonly metricsListeners = new Set<(runId: string) => void>();
  private readonly cleanups: (() => void)[] = [];
  private pushing: Promise<void> | null = null;
  /** A format-1 upgrade waits for the relay (SYNC-U2): the workspace doc stays off the network until it is done. */
  private upgradeWaiting = false;
  private destroyed = false;
  /** Run docs held right now, by run id: the ctx's resolver (commands only touch docs they hold). */
  private readonly holds = new HeldDocs();

  private constructor(private readonly opts: DocHostOptions) {
    this.settings = { ...opts.settings };
    this.network = opts.network ?? ALWAYS_ONLINE;
    this.ws = new Y.Doc();
    const empty = new Y.Doc();
    const settings = this.settings;
    this.ctx = {
      ws: this.ws,
      actor: opts.settings.actor,
      runDoc: (id) => this.holds.doc(id) ?? empty,
      // The profile's name as it is now (setUserName changes it in place).
      get userId() {
        return settings.userName || undefined;
      },
    };
    this.persistence = new DocPersistence(opts.store, workspaceDocName(opts.settings.workspace), this.ws);
    this.awareness = new Awareness(this.ws);
    setLocalUser(this.awareness, opts.settings.userName, colorFor(opts.settings.actor));
    const { relayUrl, token } = opts.settings;
    this.engine = new DocEngine({
      // SYNC-P4: what came from the relay (a snapshot, a live link's sync) is stored a little later, off the load path.
      local: indexedDbLog(opts.store, { deferred: fromRelay }),
      remote: relayUrl
        ? relayRemote({
            relay: relayUrl,
            token,
            fetch: opts.fetch,
            ...(opts.WebSocketPolyfill ? { WebSocketPolyfill: opts.WebSocketPolyfill } : {}),
            ...(opts.early ? { early: opts.early } : {}),
          })
        : null,
      // An UndoManager's undo (RUNPAGE-N6) is a local write too: stored, marked dirty, pushed.
      isLocalOrigin: (o) => o === LOCAL_ORIGIN || o === UPGRADE_ORIGIN || o instanceof Y.UndoManager,
      ...(opts.runDocs?.idleCloseMs !== undefined ? { idleCloseMs: opts.runDocs.idleCloseMs } : {}),
      ...(opts.runDocs?.maxLiveSockets !== undefined ? { maxLive: opts.runDocs.maxLiveSockets } : {}),
      ...(opts.runDocs?.pollMs !== undefined ? { pollMs: opts.runDocs.pollMs } : {}),
    });
    this.runs = new ExperimentRuns({
      workspace: opts.settings.workspace,
      relay: relayUrl,
      token,
      fetch: opts.fetch,
      saved: opts.savedIndexes ?? { load: async () => undefined, save: () => {} },
      ...(opts.runDocs?.indexPollMs !== undefined ? { pollMs: opts.runDocs.indexPollMs } : {}),
      ...(opts.early ? { early: opts.early } : {}),
    });
    this.lastStatus = this.computeStatus();
  }

  /**
   * Loads the workspace doc from IndexedDB, upgrades a format-1 store (before anything connects), connects it, reads
   * the run docs holding unpushed changes into the runs tables, and pushes them whenever the relay is there. The
   * Default experiment (ensureWorkspace) is written once the relay's copy is in, or at once without a relay, or after
   * ENSURE_OFFLINE_MS offline: a fresh replica does not write fields the relay already has (SYNC-H8).
   */
  static async open(opts: DocHostOptions): Promise<DocHost> {
    const host = new DocHost(opts);
    await host.persistence.load();
    const upgraded = await host.upgrade();
    host.observe();
    if (!opts.settings.relayUrl) {
      ensureWorkspace(host.ctx);
      await host.persistence.whenPersisted();
    } else host.ensureWhenSynced();
    if (upgraded === 'deferred') host.retryUpgrade();
    else host.connect();
    host.runs.waitFor(host.readLocalRuns().catch(() => {}));
    return host;
  }

  /**
   * ensureWorkspace after the first sync (a no-op then, in an existing workspace), offline after a while, or before
   * the first local command (which writes anyway, and may need the Default experiment).
   */
  private ensureWhenSynced(): void {
    let done = false;
    const ensure = () => {
      if (done || this.destroyed || !this.opts.store.isOpen) return;
      done = true;
      off();
      clearTimeout(timer);
      ensureWorkspace(this.ctx);
    };
    this.ensureNow = ensure;
    const off = this.onStatus((st) => {
      if (st.state === 'synced') ensure();
    });
    const timer = setTimeout(ensure, this.opts.runDocs?.ensureOfflineMs ?? ENSURE_OFFLINE_MS);
    this.cleanups.push(() => {
      off();
      clearTimeout(timer);
    });
  }

  /**
   * Runs a lib/doc command on the workspace doc (experiments) and resolves after its update is stored: "a write that
   * returned survives the tab closing". A command that throws wrote nothing (commands validate before transacting).
   */
  async command<T>(f: (ctx: Ctx) => T): Promise<T> {
    this.writable();
    this.ensureNow();
    const out = f(this.ctx);
    await this.persistence.whenPersisted();
    return out;
  }

  /**
   * Runs a lib/doc command on one run: its run doc is opened (live, so the write goes out at once), filled from
   * IndexedDB and, when this replica does not hold the run yet, from the relay (up to RUN_SYNC_WAIT_MS); resolves
   * once the update is stored here and the doc marked for pushing.
   */
  async runCommand<T>(runId: string, f: (ctx: Ctx) => T): Promise<T> {
    this.writable();
    const h = this.acquireRun(runId, 'live');
    try {
      await h.loaded;
      if (!readRun(runId, h.doc)) await h.whenSynced(RUN_SYNC_WAIT_MS);
      this.writable();
      this.ensureNow();
      const out = f(this.ctx);
      // Stored here and marked dirty; the engine asks the relay for its ack by itself (ENG-3).
      await this.engine.whenStored();
      return out;
    } finally {
      h.release();
    }
  }

  /**
   * Starts a run (lib/doc startRun) in a run doc of its own, written here first: it shows in its experiment's runs
   * table at once, offline too, and goes out with the engine's push.
   */
  async startRun(input: Omit<Parameters<typeof startRun>[1], 'runId'>): Promise<RunInfo> {
    this.writable();
    const runId = newRunId();
    const h = this.acquireRun(runId, this.settings.relayUrl ? 'live' : 'local');
    try {
      await h.loaded;
      this.writable();
      this.ensureNow();
      const info = startRun(this.ctx, { ...input, runId });
      await this.engine.whenStored();
      return info;
    } finally {
      h.release();
    }
  }

  /** Holds a run doc open (live while the run is running, one snapshot once it finished); release it when done. */
  acquireRun(runId: string, want?: Want): DocHandle {
    const room = runRoom(this.settings.workspace, runId);
    const h = this.engine.acquire(room, room, want ?? this.wantFor(runId));
    return this.holds.hold(runId, h);
  }

  /** Holds a run's metrics doc open (its points), live or snapshot as the run's status says. */
  acquireMetrics(runId: string): DocHandle {
    const room = metricsRoom(this.settings.workspace, runId);
    return this.engine.acquire(room, room, this.wantFor(runId));
  }

  /** The run as its run doc says (loaded from IndexedDB, and from the relay when not held here); undefined: none. */
  async getRun(runId: string): Promise<Run | undefined> {
    const h = this.acquireRun(runId);
    try {
      await h.loaded;
      const local = readRun(runId, h.doc);
      if (local && (!this.settings.relayUrl || this.engine.modeOf(h.name) === 'local')) return local;
      if (await h.whenSynced(local ? 0 : RUN_SYNC_WAIT_MS)) return readRun(runId, h.doc);
      return local;
    } finally {
      h.release();
    }
  }

  /** The runs whose run docs are held right now (open run pages, commands in flight), read. */
  heldRuns(): Run[] {
    const out: Run[] = [];
    for (const [id, doc] of this.holds.entries()) {
      const r = readRun(id, doc);
      if (r) out.push(r);
    }
    return out;
  }

  /** The display name others see; the connection stays as it is. */
  setUserName(name: string): void {
    this.settings.userName = name;
    setLocalUser(this.awareness, name, colorFor(this.settings.actor));
  }

  status(): SyncStatusView {
    return this.lastStatus;
  }

  peers(): PeerView[] {
    return peersOf(this.awareness);
  }

  onStatus(cb: (s: SyncStatusView) => void): () => void {
    this.statusListeners.add(cb);
    return () => this.statusListeners.delete(cb);
  }

  onWorkspaceChange(cb: (c: WorkspaceChange) => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  onPresence(cb: () => void): () => void {
    this.presenceListeners.add(cb);
    return () => this.presenceListeners.delete(cb);
  }

  /** Called with a run id when its metrics doc changed (points arrived from any source). */
  onMetrics(cb: (runId: string) => void): () => void {
    this.metricsListeners.add(cb);
    return () => this.metricsListeners.delete(cb);
  }

  /** Resolves when the relay has persisted everything this replica holds (tests, "sync now" buttons). */
  async flushToRelay(signal?: AbortSignal): Promise<void> {
    await this.persistence.whenPersisted();
    await this.engine.whenStored();
    if (!this.conn) return;
    await this.conn.flush(signal);
    await this.pushDirty(signal);
  }

  /** Resolves when every open doc's updates are in IndexedDB. */
  async whenPersisted(): Promise<void> {
    await Promise.all([this.persistence.whenPersisted(), this.engine.whenStored()]);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.cleanups.splice(0)) c();
    // Tell peers we left before the socket goes, so presence does not wait for the 30 s awareness timeout.
    this.awareness.setLocalState(null);
    this.conn?.destroy();
    this.conn = null;
    this.runs.stop();
    await this.engine.destroy();
    await this.persistence.whenPersisted().catch(() => {});
    this.persistence.destroy();
    this.awareness.destroy();
    this.ws.destroy();
    this.statusListeners.clear();
    this.changeListeners.clear();
    this.presenceListeners.clear();
    this.metricsListeners.clear();
  }

  // ------------------------------------------------------------------ internals

  /** Format 1 → 2 of this device's store (SYNC-U1), before the workspace doc connects. */
  private upgrade() {
    const { relayUrl, token, workspace } = this.settings;
    const f: FetchLike = (u, init) => this.opts.fetch(u, { ...init, signal: AbortSignal.timeout(UPGRADE_SV_WAIT_MS) });
    return upgradeLocalWorkspace({
      store: this.opts.store,
      workspace,
      ws: this.ws,
      wsStored: () => this.persistence.whenPersisted(),
      log: indexedDbLog(this.opts.store),
      relay: !!relayUrl,
      relayStateVector: () => fetchStateVector(f, relayUrl!, workspaceRoom(workspace), token),
      relayRunDoc: (runId) => fetchRoomSnapshot(f, relayUrl!, runRoom(workspace, runId), token),
    });
  }

  /** An upgrade waiting for the relay (SYNC-U2): tried again every few seconds; the workspace connects after it. */
  private retryUpgrade(): void {
    this.upgradeWaiting = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const attempt = async () => {
      timer = null;
      if (this.destroyed) return;
      const r = await this.upgrade().catch(() => 'deferred' as const);
      if (this.destroyed) return;
      if (r === 'deferred') {
        timer = setTimeout(() => void attempt(), this.opts.runDocs?.upgradeRetryMs ?? UPGRADE_RETRY_MS);
        return;
      }
      this.upgradeWaiting = false;
      this.connect();
      void this.readLocalRuns();
    };
    timer = setTimeout(() => void attempt(), this.opts.runDocs?.upgradeRetryMs ?? UPGRADE_RETRY_MS);
    this.cleanups.push(() => {
      if (timer) clearTimeout(timer);
    });
    this.publishStatus();
  }

  /** Writes the Default experiment now if it still waits for the relay (ensureWhenSynced). */
  private ensureNow: () => void = () => {};

  private writable(): void {
    // Refuse before touching the doc: a change that cannot be stored must not reach the relay either.
    if (this.destroyed) throw new CairnError('INVALID_STATE', 'This workspace was closed (settings changed); retry the action.');
    if (!this.opts.store.isOpen) throw new CairnError('INVALID_STATE', 'The local database was upgraded in another tab; reload the page.');
  }

  /** Live while running (or unknown), one snapshot once finished; local-only without a relay. */
  private wantFor(runId: string): Want {
    if (!this.settings.relayUrl) return 'local';
    const status = this.runs.row(runId)?.status;
    return status && TERMINAL_STATUSES.includes(status as RunStatus) ? 'snapshot' : 'live';
  }

  /** Room name → run id and kind, for the docs of this workspace. */
  private parseRoom(name: string): { runId: string; kind: 'run' | 'metrics' } | null {
    const prefix = `${this.settings.workspace}/run/`;
    if (!name.startsWith(prefix)) return null;
    const rest = name.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) return { runId: rest, kind: 'run' };
    return rest.slice(slash) === '/metrics' ? { runId: rest.slice(0, slash), kind: 'metrics' } : null;
  }

  /**
   * The run docs whose rows this replica lays over the relay's index: those holding changes not on the relay yet
   * (offline-created runs, an upgrade's); with no relay, every run doc stored here (they are all there is).
   */
  private async readLocalRuns(): Promise<void> {
    const names = this.settings.relayUrl
      ? await this.engine.dirtyNames().catch(() => new Set<string>())
      : (await this.opts.store.docNames(storedDocName(`${this.settings.workspace}/run/`)).catch(() => [] as string[])).map((n) => n.slice('ws/'.length));
    for (const name of names) {
      const p = this.parseRoom(name);
      if (!p || p.kind !== 'run' || this.destroyed) continue;
      const h = this.acquireRun(p.runId, 'local');
      try {
        await h.loaded;
        this.updateRow(p.runId, h.doc);
      } finally {
        h.release();
      }
    }
  }

  private updateRow(runId: string, d: Y.Doc): void {
    const run = readRun(runId, d);
    this.runs.setLocal(runId, run ? rowFromRun(run) : null);
  }

  /** Pushes every dirty doc of this workspace (ENG-4) once the workspace is synced; one push at a time. */
  private pushDirty(signal?: AbortSignal): Promise<void> {
    if (!this.settings.relayUrl) return Promise.resolve();
    const prefix = `${this.settings.workspace}/run/`;
    this.pushing ??= this.engine
      .pushDirty((n) => (n.startsWith(prefix) && this.parseRoom(n) ? n : null), signal)
      .finally(() => {
        this.pushing = null;
      });
    return this.pushing;
  }

  private connect(): void {
    const { relayUrl, workspace, token } = this.settings;
    if (relayUrl) {
      this.conn = new RoomConnection(this.ws, {
        relay: relayUrl,
        room: workspaceRoom(workspace),
        token: token ?? undefined,
        awareness: this.awareness,
        broadcast: this.opts.broadcast === true,
        ...(this.opts.WebSocketPolyfill ? { WebSocketPolyfill: this.opts.WebSocketPolyfill } : {}),
      });
      const conn = this.conn;
      let probed = false;
      this.cleanups.push(
        conn.onIndexChanged((n) => this.runs.noticed(n.experimentId, n.seq, n.epoch)),
        conn.onState((state) => {
          this.publishStatus();
          if (state !== 'synced') return;
          // Back in touch with the relay: what was written here meanwhile goes out.
          void this.pushDirty().catch(() => {});
          if (probed) return;
          // The relay tells a read-only connection so only when it first sends an update; a flush request is
          // answered "read-only" at once, so the badge shows before the user's first edit is silently dropped.
          probed = true;
          conn.flush().then(
            () => this.publishStatus(),
            () => this.publishStatus(),
          );
        }),
      );
    }
    this.cleanups.push(
      this.network.subscribe(() => {
        // A socket to a vanished network can sit half-open until y-websocket's 30 s silence timeout: drop it now,
        // and dial again as soon as the network is back.
        if (this.conn) {
          if (!this.network.online()) this.conn.dropSocket();
          else if (this.conn.state !== 'synced' && this.conn.state !== 'error') this.conn.connect();
        }
        this.publishStatus();
      }),
    );
    this.publishStatus();
  }

  private computeStatus(): SyncStatusView {
    if (this.settings.relayUrl && !this.conn && this.upgradeWaiting) {
      return { state: 'connecting', relay: this.settings.relayUrl, workspace: this.settings.workspace, detail: 'this device holds data of an older Cairn: it is upgraded as soon as the relay answers' };
    }
    return deriveStatus({
      relay: this.settings.relayUrl,
      workspace: this.settings.workspace,
      online: this.network.online(),
      conn: this.conn,
    });
  }

  private publishStatus(): void {
    const next = this.computeStatus();
    if (sameStatus(next, this.lastStatus)) return;
    this.lastStatus = next;
    for (const l of this.statusListeners) l(next);
  }

  /** Translates doc changes into "what changed" for the worker's topics, and keeps the runs tables current. */
  private observe(): void {
    const onExp = () => this.emitChange({ experiments: true, runIds: new Set() });
    const onPresence = () => {
      for (const l of this.presenceListeners) l();
    };
    const offEngine = this.engine.onChange((name) => {
      const p = this.parseRoom(name);
      if (!p) return;
      if (p.kind === 'metrics') {
        for (const l of this.metricsListeners) l(p.runId);
        return;
      }
      const d = this.holds.doc(p.runId);
      if (d) {
        const before = this.runs.row(p.runId)?.status;
        this.updateRow(p.runId, d);
        const after = this.runs.row(p.runId)?.status;
        // A run that finished needs no socket any more: its docs go to one last snapshot.
        if (before !== after && after && TERMINAL_STATUSES.includes(after as RunStatus)) {
          this.engine.want(name, 'snapshot');
          this.engine.want(metricsRoom(this.settings.workspace, p.runId), 'snapshot');
        }
      }
      this.emitChange({ experiments: false, runIds: new Set([p.runId]) });
    });
    wsExp(this.ws).observe(onExp);
    wsExpTags(this.ws).observe(onExp);
    this.awareness.on('change', onPresence);
    this.cleanups.push(
      offEngine,
      () => wsExp(this.ws).unobserve(onExp),
      () => wsExpTags(this.ws).unobserve(onExp),
      () => this.awareness.off('change', onPresence),
    );
  }

  private emitChange(c: WorkspaceChange): void {
    for (const l of this.changeListeners) l(c);
  }
}

import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { ensureWorkspace, readMetricSummaries, readRunRecord, runIdsOfEvents, runMap, wsExp, wsExpTags, wsRuns, type Ctx } from '../doc';
import { CairnError, type RunStatus } from '../domain';
import { RoomConnection, workspaceRoom } from '../relay-client';
import type { LocalStore } from '../store';
import { workspaceDocName } from './doc-names';
import { DocPersistence } from './persistence';
import { colorFor, peersOf, setLocalUser, type PeerView } from './presence';
import { RunDocs, type RunDocHandle } from './run-docs';
import type { EffectiveSettings, FetchLike } from './settings';
import { deriveStatus, sameStatus, type SyncStatusView } from './status';

/**
 * Owns the Y.Docs of ONE workspace on ONE relay (README.md): the workspace doc (always open, live, with presence)
 * and run docs on demand. Changing relay or workspace means a new DocHost; the old one is destroyed.
 *
 * The persistence guarantee: `command()` resolves only after the update it produced is in IndexedDB.
 */

/** Whether the network is up (the worker passes navigator.onLine and its online/offline events). */
export interface NetworkSignal {
  online(): boolean;
  subscribe(cb: () => void): () => void;
}

const ALWAYS_ONLINE: NetworkSignal = { online: () => true, subscribe: () => () => {} };

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
  /** Overrides of run-doc tuning, for tests. */
  runDocs?: { idleCloseMs?: number; maxLiveSockets?: number; pollMs?: number };
}

/** What changed in the workspace doc, for the worker's change topics. */
export interface WorkspaceChange {
  experiments: boolean;
  /** Runs whose fields, params, tags, metrics or artifacts changed. */
  runIds: Set<string>;
  /** Runs whose status field changed (subset of runIds). */
  statusRunIds: Set<string>;
}

export class DocHost {
  readonly ws: Y.Doc;
  readonly ctx: Ctx;
  /** Effective settings of this host; only userName changes in place (setUserName). */
  readonly settings: EffectiveSettings;
  readonly awareness: Awareness;
  readonly runs: RunDocs;
  private readonly persistence: DocPersistence;
  private conn: RoomConnection | null = null;
  private readonly network: NetworkSignal;
  private lastStatus: SyncStatusView;
  private readonly statusListeners = new Set<(s: SyncStatusView) => void>();
  private readonly changeListeners = new Set<(c: WorkspaceChange) => void>();
  private readonly presenceListeners = new Set<() => void>();
  private readonly cleanups: (() => void)[] = [];
  private destroyed = false;

  private constructor(private readonly opts: DocHostOptions) {
    this.settings = { ...opts.settings };
    this.network = opts.network ?? ALWAYS_ONLINE;
    this.ws = new Y.Doc();
    this.ctx = { ws: this.ws, actor: opts.settings.actor };
    this.persistence = new DocPersistence(opts.store, workspaceDocName(opts.settings.workspace), this.ws);
    this.awareness = new Awareness(this.ws);
    setLocalUser(this.awareness, opts.settings.userName, colorFor(opts.settings.actor));
    this.runs = new RunDocs({
      store: opts.store,
      workspace: opts.settings.workspace,
      relay: opts.settings.relayUrl,
      token: opts.settings.token,
      fetch: opts.fetch,
      WebSocketPolyfill: opts.WebSocketPolyfill,
      runInfo: (runId) => this.runInfo(runId),
      ...opts.runDocs,
    });
    this.lastStatus = this.computeStatus();
  }

  /** Loads the workspace doc from IndexedDB, makes sure it has the Default experiment, then connects it. */
  static async open(opts: DocHostOptions): Promise<DocHost> {
    const host = new DocHost(opts);
    await host.persistence.load();
    ensureWorkspace(host.ctx);
    await host.persistence.whenPersisted();
    host.observe();
    host.connect();
    return host;
  }

  /**
   * Runs a lib/doc command against the workspace doc and resolves after its update is stored: "a write that
   * returned survives the tab closing". A command that throws wrote nothing (commands validate before transacting).
   */
  async command<T>(f: (ctx: Ctx) => T): Promise<T> {
    // Refuse before touching the doc: a change that cannot be stored must not reach the relay either.
    if (this.destroyed) throw new CairnError('INVALID_STATE', 'This workspace was closed (settings changed); retry the action.');
    if (!this.opts.store.isOpen) throw new CairnError('INVALID_STATE', 'The local database was upgraded in another tab; reload the page.');
    const out = f(this.ctx);
    await this.persistence.whenPersisted();
    return out;
  }

  /** Holds a run doc open (see RunDocs); release it when the view goes away. */
  acquireRun(runId: string): RunDocHandle {
    return this.runs.acquire(runId);
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

  /** Resolves when the relay has persisted everything this replica holds (tests, "sync now" buttons). */
  async flushToRelay(signal?: AbortSignal): Promise<void> {
    await this.persistence.whenPersisted();
    if (this.conn) await this.conn.flush(signal);
  }

  /** Resolves when every open doc's updates are in IndexedDB. */
  async whenPersisted(): Promise<void> {
    await Promise.all([this.persistence.whenPersisted(), this.runs.whenPersisted()]);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.cleanups.splice(0)) c();
    // Tell peers we left before the socket goes, so presence does not wait for the 30 s awareness timeout.
    this.awareness.setLocalState(null);
    this.conn?.destroy();
    this.conn = null;
    await this.runs.destroy();
    await this.persistence.whenPersisted().catch(() => {});
    this.persistence.destroy();
    this.awareness.destroy();
    this.ws.destroy();
    this.statusListeners.clear();
    this.changeListeners.clear();
    this.presenceListeners.clear();
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
        conn.onState((state) => {
          this.publishStatus();
          if (state !== 'synced' || probed) return;
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

  private runInfo(runId: string): { status: RunStatus; points: number } | undefined {
    const r = runMap(this.ws, runId);
    const rec = r && readRunRecord(r);
    if (!r || !rec) return undefined;
    let points = 0;
    for (const s of Object.values(readMetricSummaries(r))) points += s.count;
    return { status: rec.status, points };
  }

  /** Translates Yjs events into "what changed" for the worker's topics, with no full re-read of the doc. */
  private observe(): void {
    const runs = wsRuns(this.ws);
    const onRuns = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      const change: WorkspaceChange = { experiments: false, runIds: runIdsOfEvents(runs, events), statusRunIds: new Set() };
      for (const ev of events) {
        const runId = ev.path[0];
        if (ev.target !== runs && typeof runId === 'string' && ev.path.length === 1 && (ev as Y.YMapEvent<unknown>).keysChanged?.has('status')) {
          change.statusRunIds.add(runId);
        }
      }
      for (const id of change.statusRunIds) this.runs.statusChanged(id);
      this.emitChange(change);
    };
    const onExp = () => this.emitChange({ experiments: true, runIds: new Set(), statusRunIds: new Set() });
    const onPresence = () => {
      for (const l of this.presenceListeners) l();
    };
    runs.observeDeep(onRuns);
    wsExp(this.ws).observe(onExp);
    wsExpTags(this.ws).observe(onExp);
    this.awareness.on('change', onPresence);
    this.cleanups.push(
      () => runs.unobserveDeep(onRuns),
      () => wsExp(this.ws).unobserve(onExp),
      () => wsExpTags(this.ws).unobserve(onExp),
      () => this.awareness.off('change', onPresence),
    );
  }

  private emitChange(c: WorkspaceChange): void {
    for (const l of this.changeListeners) l(c);
  }
}

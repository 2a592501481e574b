import * as Y from 'yjs';
import { TERMINAL_STATUSES, type RunStatus } from '../domain';
import { RoomConnection, fetchRoomSnapshot, runRoom, type FetchLike } from '../relay-client';
import type { LocalStore } from '../store';
import { runDocName, runSnapshotKey } from './doc-names';
import { DocPersistence } from './persistence';

/**
 * Run docs, opened on demand (README.md "Run docs"). Each open doc is first filled from IndexedDB, then:
 *   - no relay:           local only;
 *   - finished run:       one HTTP snapshot (skipped when the stored one is already complete), no socket;
 *   - running/unknown:    a live RoomConnection while a socket slot is free, else a snapshot poll until one frees.
 * A doc nobody holds for IDLE_CLOSE_MS is closed: socket destroyed, pending writes awaited, Y.Doc destroyed.
 */

/** Grace period before closing an unheld run doc: navigating run → experiment → run again must not refetch. */
export const IDLE_CLOSE_MS = 10_000;
/** Live run sockets at once: a page comparing 50 running runs must not open 50 sockets (DESIGN.md). */
export const MAX_LIVE_RUN_SOCKETS = 6;
/** Refresh interval of a running run that did not get a socket: live enough for a chart, cheap for the relay. */
export const RUN_POLL_MS = 10_000;
/** Pause before retrying a failed snapshot fetch (relay briefly away). */
const FETCH_RETRY_MS = 5_000;

export const FETCH_ORIGIN = Symbol('cairn-snapshot-fetch');

export interface RunDocsDeps {
  store: LocalStore;
  workspace: string;
  relay: string | null;
  token: string | null;
  fetch: FetchLike;
  WebSocketPolyfill?: unknown;
  /** Run status and total logged point count from the workspace doc (undefined when the run is not known yet). */
  runInfo: (runId: string) => { status: RunStatus; points: number } | undefined;
  idleCloseMs?: number;
  maxLiveSockets?: number;
  pollMs?: number;
}

export type RunDocMode = 'local' | 'live' | 'snapshot' | 'poll';

interface Entry {
  runId: string;
  doc: Y.Doc;
  persistence: DocPersistence;
  loaded: Promise<void>;
  refs: number;
  mode: RunDocMode;
  conn: RoomConnection | null;
  idleTimer: ReturnType<typeof setTimeout> | null;
  pollTimer: ReturnType<typeof setTimeout> | null;
  closed: boolean;
}

export interface RunDocHandle {
  readonly doc: Y.Doc;
  readonly runId: string;
  /** Resolves once stored updates are applied (network data may still be arriving). */
  readonly loaded: Promise<void>;
  release(): void;
}

export class RunDocs {
  private readonly entries = new Map<string, Entry>();
  private readonly changeListeners = new Set<(runId: string) => void>();
  private readonly idleCloseMs: number;
  private readonly maxLive: number;
  private readonly pollMs: number;

  constructor(private readonly deps: RunDocsDeps) {
    this.idleCloseMs = deps.idleCloseMs ?? IDLE_CLOSE_MS;
    this.maxLive = deps.maxLiveSockets ?? MAX_LIVE_RUN_SOCKETS;
    this.pollMs = deps.pollMs ?? RUN_POLL_MS;
  }

  /** Holds a run doc open; call `release()` when the view goes away. */
  acquire(runId: string): RunDocHandle {
    let e = this.entries.get(runId);
    if (!e) e = this.open(runId);
    e.refs++;
    if (e.idleTimer) {
      clearTimeout(e.idleTimer);
      e.idleTimer = null;
    }
    let released = false;
    const entry = e;
    return {
      doc: entry.doc,
      runId,
      loaded: entry.loaded,
      release: () => {
        if (released) return;
        released = true;
        this.release(entry);
      },
    };
  }

  /** Called with a run id whenever that run's doc changes (points arrived from any source). */
  onChange(cb: (runId: string) => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  /** For tests and diagnostics. */
  modeOf(runId: string): RunDocMode | undefined {
    return this.entries.get(runId)?.mode;
  }

  liveCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.mode === 'live') n++;
    return n;
  }

  openCount(): number {
    return this.entries.size;
  }

  /** The workspace doc said a run's status changed: a polled run that finished gets a last fetch and stops polling. */
  statusChanged(runId: string): void {
    const e = this.entries.get(runId);
    if (!e || e.mode !== 'poll' || !this.isFinished(runId)) return;
    if (e.pollTimer) clearTimeout(e.pollTimer);
    e.pollTimer = null;
    e.mode = 'snapshot';
    void this.fetchSnapshot(e);
  }

  /** Waits until every open doc's updates are stored. */
  async whenPersisted(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.persistence.whenPersisted().catch(() => {})));
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.close(e)));
    this.changeListeners.clear();
  }

  private open(runId: string): Entry {
    const doc = new Y.Doc();
    const persistence = new DocPersistence(this.deps.store, runDocName(this.deps.workspace, runId), doc);
    const e: Entry = { runId, doc, persistence, loaded: Promise.resolve(), refs: 0, mode: 'local', conn: null, idleTimer: null, pollTimer: null, closed: false };
    doc.on('update', () => {
      for (const l of this.changeListeners) l(runId);
    });
    this.entries.set(runId, e);
    e.loaded = persistence.load().then(
      () => this.connect(e),
      () => this.connect(e), // an unreadable local copy still gets the relay's
    );
    return e;
  }

  private isFinished(runId: string): boolean {
    const info = this.deps.runInfo(runId);
    return !!info && TERMINAL_STATUSES.includes(info.status);
  }

  private connect(e: Entry): void {
    if (e.closed || !this.deps.relay) return;
    if (this.isFinished(e.runId)) {
      e.mode = 'snapshot';
      void this.fetchSnapshotIfStale(e);
    } else if (this.liveCount() < this.maxLive) {
      this.goLive(e);
    } else {
      e.mode = 'poll';
      void this.poll(e);
    }
  }

  private goLive(e: Entry): void {
    e.mode = 'live';
    e.conn = new RoomConnection(e.doc, {
      relay: this.deps.relay!,
      room: runRoom(this.deps.workspace, e.runId),
      token: this.deps.token ?? undefined,
      ...(this.deps.WebSocketPolyfill ? { WebSocketPolyfill: this.deps.WebSocketPolyfill } : {}),
    });
  }

  /** A finished run is fetched once: skipped when the stored snapshot was taken at the run's current point count. */
  private async fetchSnapshotIfStale(e: Entry): Promise<void> {
    const key = runSnapshotKey(this.deps.workspace, e.runId);
    const marker = await this.deps.store.getSetting<{ points: number }>(key).catch(() => undefined);
    const points = this.deps.runInfo(e.runId)?.points ?? 0;
    if (marker && marker.points >= points) return;
    await this.fetchSnapshot(e);
  }

  private async fetchSnapshot(e: Entry): Promise<boolean> {
    const { relay, token, workspace } = this.deps;
    if (e.closed || !relay) return false;
    const pointsBefore = this.deps.runInfo(e.runId)?.points ?? 0;
    try {
      const update = await fetchRoomSnapshot(this.deps.fetch, relay, runRoom(workspace, e.runId), token, Y.encodeStateVector(e.doc));
      if (e.closed) return false;
      // Applied with FETCH_ORIGIN: the persistence layer stores it like any remote update.
      Y.applyUpdate(e.doc, update, FETCH_ORIGIN);
      await e.persistence.whenPersisted();
      if (this.isFinished(e.runId)) await this.deps.store.setSetting(runSnapshotKey(workspace, e.runId), { points: pointsBefore });
      return true;
    } catch {
      // Relay away or run unknown there yet: try again later while someone still looks at it.
      if (!e.closed && e.mode === 'snapshot') e.pollTimer = setTimeout(() => void this.fetchSnapshot(e), FETCH_RETRY_MS);
      return false;
    }
  }

  private async poll(e: Entry): Promise<void> {
    if (e.closed || e.mode !== 'poll') return;
    await this.fetchSnapshot(e);
    if (e.closed || e.mode !== 'poll') return;
    e.pollTimer = setTimeout(() => void this.poll(e), this.pollMs);
  }

  private release(e: Entry): void {
    e.refs--;
    if (e.refs > 0 || e.closed) return;
    e.idleTimer = setTimeout(() => void this.close(e), this.idleCloseMs);
  }

  private async close(e: Entry): Promise<void> {
    if (e.closed) return;
    e.closed = true;
    if (e.idleTimer) clearTimeout(e.idleTimer);
    if (e.pollTimer) clearTimeout(e.pollTimer);
    const wasLive = e.mode === 'live' && e.conn?.state === 'synced';
    e.conn?.destroy();
    e.conn = null;
    this.entries.delete(e.runId);
    await e.persistence.whenPersisted().catch(() => {});
    // A finished run whose live socket was in sync has a complete local copy: no snapshot needed next time.
    if (wasLive && this.isFinished(e.runId)) {
      const points = this.deps.runInfo(e.runId)?.points ?? 0;
      await this.deps.store.setSetting(runSnapshotKey(this.deps.workspace, e.runId), { points }).catch(() => {});
    }
    e.persistence.destroy();
    e.doc.destroy();
    this.promotePolled();
  }

  /** A socket slot freed: the longest-waiting polled run goes live. */
  private promotePolled(): void {
    for (const e of this.entries.values()) {
      if (this.liveCount() >= this.maxLive) return;
      if (e.mode !== 'poll' || e.closed) continue;
      if (e.pollTimer) clearTimeout(e.pollTimer);
      e.pollTimer = null;
      this.goLive(e);
    }
  }
}

import * as Y from 'yjs';
import { FETCH_ORIGIN, LOAD_ORIGIN, changedDoc, type LiveLink, type LocalBinding, type LocalLog, type RemoteSide } from './ports';
import { applyHeldUpdate } from './held-bytes';

/**
 * The one doc engine (README.md, SPEC.md ENG-*): Y.Docs by name, each bound to this device's local log and to the
 * relay through a remote side, both ports. The data worker (IndexedDB log, RoomConnection) and the SDK (journal log,
 * RoomConnection) run the same engine; tests run it over in-memory ports (tests/unit/doc-engine.test.ts, the ports'
 * contract suite).
 *
 * A doc is opened by `acquire(name, room, want)`, first filled from the local log, then synced as `want` says:
 *   - 'live':     a live link while a slot is free (maxLive), else a snapshot poll until one frees;
 *   - 'snapshot': one fetch of what the relay holds that the doc lacks (by state vector), no socket;
 *   - 'local':    the local log only.
 * Local writes (origins the host names) mark the doc dirty in the log before they are stored; a live link that
 * acknowledged everything marks it clean. `pushDirty()` brings every dirty doc to the relay (an offline-created run).
 * A doc nobody holds for idleCloseMs is closed: link gone, pending writes awaited, Y.Doc destroyed; a dirty live doc
 * is kept open until the relay acknowledged it (ENG-6).
 */

export type Want = 'live' | 'snapshot' | 'local';
export type DocMode = 'local' | 'live' | 'snapshot' | 'poll';

export interface DocEngineOptions {
  local: LocalLog;
  remote: RemoteSide | null;
  /** Origins of this replica's own writes (lib/doc's LOCAL_ORIGIN, the upgrade's): they make a doc dirty. */
  isLocalOrigin: (origin: unknown) => boolean;
  idleCloseMs?: number;
  maxLive?: number;
  pollMs?: number;
  /** Pause before a failed snapshot fetch is retried, while the doc is held. */
  retryMs?: number;
  /** After a local write on a live doc, wait this long before asking the relay to acknowledge (and mark it clean). */
  cleanDelayMs?: number;
}

export interface PushOptions {
  /** Gives up (rejects DEADLINE_EXCEEDED from the link) after this long; the docs not acknowledged stay dirty. */
  timeoutMs?: number;
  /** Caller's abort signal (one per push; the engine makes its own per flush, so no signal collects listeners). */
  signal?: AbortSignal;
  /** Docs that are not open are opened this many at a time (default min(maxLive, 8)). */
  concurrency?: number;
}

export interface DocHandle {
  readonly name: string;
  readonly doc: Y.Doc;
  /** Settles once the local log is applied. */
  readonly loaded: Promise<void>;
  /**
   * Resolves true once the doc holds the relay's copy (live link synced, or a snapshot applied), false when that did
   * not happen within `timeoutMs` (offline, local-only), or at once when a snapshot fetch failed (ENG-7): the doc is
   * what this device has.
   */
  whenSynced(timeoutMs?: number): Promise<boolean>;
  /** Stored locally, and (live) acknowledged by the relay. */
  flush(signal?: AbortSignal): Promise<void>;
  release(): void;
}

interface Entry {
  name: string;
  room: string;
  doc: Y.Doc;
  binding: LocalBinding;
  /** The log applied (and what a predecessor of the same name held while it closed, ENG-9). */
  loaded: Promise<void>;
  /** Loaded from the log and the log's dirty mark read: what `connect` and `flush` wait for (ENG-1). */
  ready: Promise<void>;
  want: Want;
  mode: DocMode;
  link: LiveLink | null;
  offSynced: (() => void) | null;
  refs: number;
  synced: boolean;
  /** The latest snapshot fetch failed (cleared by a successful one): whenSynced answers false at once (ENG-7). */
  fetchFailed: boolean;
  /** Called with true (synced) or false (a fetch failed, or the doc closed). */
  syncedWaiters: Set<(ok: boolean) => void>;
  idleTimer: ReturnType<typeof setTimeout> | null;
  pollTimer: ReturnType<typeof setTimeout> | null;
  cleanTimer: ReturnType<typeof setTimeout> | null;
  /** The background ack request of ENG-3 (one at a time), abortable when the link goes. */
  cleaning: AbortController | null;
  /** Local writes seen; a flush that started at `writes` and found it unchanged proves the doc clean. */
  writes: number;
  /** Link flushes in progress (a caller's or the background one): the background ack waits while there are any. */
  flushing: number;
  dirty: boolean;
  /** Released while dirty and live: kept open until the relay acknowledges (ENG-6). */
  lingering: boolean;
  /** The dirty mark's store write: whenStored waits for it too (the mark lands no later than the write). */
  dirtyWrite: Promise<void>;
  closed: boolean;
}

export const IDLE_CLOSE_MS = 10_000;
export const MAX_LIVE = 6;
export const POLL_MS = 10_000;
/** Docs that are not open are opened for a push this many at a time, at most. */
const PUSH_CONCURRENCY = 8;

export class DocEngine {
  private readonly entries = new Map<string, Entry>();
  /** Docs being closed, by name: their final state, for a reopen that comes before their writes are stored (ENG-9). */
  private readonly closing = new Map<string, Promise<Uint8Array | null>>();
  /** Docs waiting for a live slot, oldest first (Set keeps insertion order). */
  private readonly polled = new Set<Entry>();
  private live = 0;
  private readonly changeListeners = new Set<(name: string, origin: unknown) => void>();
  private readonly idleCloseMs: number;
  private readonly maxLive: number;
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly cleanDelayMs: number;
  private destroyed = false;

  constructor(private readonly o: DocEngineOptions) {
    this.idleCloseMs = o.idleCloseMs ?? IDLE_CLOSE_MS;
    this.maxLive = o.maxLive ?? MAX_LIVE;
    this.pollMs = o.pollMs ?? POLL_MS;
    this.retryMs = o.retryMs ?? 5_000;
    this.cleanDelayMs = o.cleanDelayMs ?? 100;
  }

  /** Holds the doc `name` (synced with relay room `room`) open; `release()` the handle when done. */
  acquire(name: string, room: string, want: Want): DocHandle {
    if (this.destroyed) throw new Error('doc engine destroyed');
    let e = this.entries.get(name);
    if (!e) e = this.open(name, room, want);
    else if (rank(want) > rank(e.want)) this.setWant(e, want);
    e.refs++;
    e.lingering = false;
    if (e.idleTimer) {
      clearTimeout(e.idleTimer);
      e.idleTimer = null;
    }
    const entry = e;
    let released = false;
    return {
      name,
      doc: entry.doc,
      loaded: entry.loaded,
      whenSynced: (timeoutMs) => this.whenSynced(entry, timeoutMs),
      flush: (signal) => this.flushEntry(entry, signal),
      release: () => {
        if (released) return;
        released = true;
        this.release(entry);
      },
    };
  }

  /** Changes how an open doc syncs (a run that finished goes from live to snapshot). */
  want(name: string, want: Want): void {
    const e = this.entries.get(name);
    if (e && e.want !== want) this.setWant(e, want);
  }

  /** Called with the doc's name and the update's origin for every change of an open doc. */
  onChange(cb: (name: string, origin: unknown) => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  modeOf(name: string): DocMode | undefined {
    return this.entries.get(name)?.mode;
  }
  isOpen(name: string): boolean {
    return this.entries.has(name);
  }
  /** Whether an open doc holds local changes the relay has not acknowledged (false for a doc that is not open). */
  isDirty(name: string): boolean {
    return this.entries.get(name)?.dirty ?? false;
  }
  /** The names of the open docs. */
  openNames(): string[] {
    return [...this.entries.keys()];
  }
  liveCount(): number {
    return this.live;
  }
  openCount(): number {
    return this.entries.size;
  }

  /** Names holding unacknowledged local changes: the log's, plus those marked since. */
  async dirtyNames(): Promise<Set<string>> {
    const out = new Set(await this.o.local.dirty());
    for (const e of this.entries.values()) if (e.dirty) out.add(e.name);
    return out;
  }

  /**
   * ENG-4: brings every dirty doc to the relay: opens it live, waits for the relay's ack, marks it clean and lets it
   * go. `roomOf` maps a stored name to its room (null: not this engine's to push). Docs already live are flushed all
   * at once; the others are opened a few at a time (a store upgraded from format 1 may have thousands to push).
   * Resolves when all are acknowledged; rejects with the first failure (the rest stay dirty for the next call).
   * A second argument that is an AbortSignal is taken as `{ signal }`.
   */
  async pushDirty(roomOf: (name: string) => string | null, opts: PushOptions | AbortSignal = {}): Promise<void> {
    if (!this.o.remote || this.destroyed) return;
    const o: PushOptions = isAbortSignal(opts) ? { signal: opts } : opts;
    const deadline = o.timeoutMs !== undefined ? Date.now() + o.timeoutMs : undefined;
    const signalFor = (): AbortSignal | undefined => {
      const t = deadline !== undefined ? AbortSignal.timeout(Math.max(0, deadline - Date.now())) : undefined;
      if (t && o.signal) return AbortSignal.any([t, o.signal]);
      return t ?? o.signal;
    };
    const names = [...(await this.dirtyNames())].filter((n) => roomOf(n) !== null);
    const openLive: string[] = [];
    const queue: string[] = [];
    for (const n of names) (this.entries.get(n)?.link ? openLive : queue).push(n);
    const push = async (n: string) => {
      if (this.destroyed) return;
      const h = this.acquire(n, roomOf(n)!, 'live');
      try {
        await h.loaded;
        await h.flush(signalFor());
      } finally {
        h.release();
      }
    };
    const worker = async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) await push(n);
    };
    const concurrency = Math.max(1, Math.min(o.concurrency ?? Math.min(this.maxLive, PUSH_CONCURRENCY), queue.length));
    await Promise.all([...openLive.map(push), ...(queue.length ? Array.from({ length: concurrency }, worker) : [])]);
  }

  /** Settles after every open doc's updates (and dirty marks) are stored. */
  async whenStored(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.stored(e).catch(() => {})));
  }

  /** Closes every doc at once (links destroyed, writes stored); dirty docs stay dirty in the log. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    await Promise.all([...this.entries.values()].map((e) => this.close(e)));
    this.changeListeners.clear();
  }

  // ------------------------------------------------------------------ internals

  private open(name: string, room: string, want: Want): Entry {
    const doc = new Y.Doc();
    const e: Entry = {
      name,
      room,
      doc,
      binding: null as unknown as LocalBinding,
      loaded: Promise.resolve(),
      ready: Promise.resolve(),
      want,
      mode: 'local',
      link: null,
      offSynced: null,
      refs: 0,
      synced: false,
      fetchFailed: false,
      syncedWaiters: new Set(),
      idleTimer: null,
      pollTimer: null,
      cleanTimer: null,
      cleaning: null,
      writes: 0,
      flushing: 0,
      dirty: false,
      lingering: false,
      dirtyWrite: Promise.resolve(),
      closed: false,
    };
    // A local write marks the doc dirty before its update is queued for storing: 'afterTransaction' comes before the
    // 'update' the log stores. Not 'update' itself: a doc with an 'update' listener has every applied update encoded
    // again, and this one needs only the origin (SYNC-P5).
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (changedDoc(tr)) this.onUpdate(e, tr.origin);
    });
    e.binding = this.o.local.bind(name, doc);
    this.entries.set(name, e);
    // ENG-9: a doc of this name still closing may have writes its log has not stored yet; what it held comes too.
    const before = this.closing.get(name);
    e.loaded = before
      ? Promise.all([e.binding.loaded.catch(() => {}), before]).then(([, state]) => {
          if (state && !e.closed) applyHeldUpdate(doc, state, LOAD_ORIGIN);
        })
      : e.binding.loaded;
    const local = this.o.local;
    const logDirty = (local.isDirty ? local.isDirty(name) : local.dirty().then((s) => s.has(name))).catch(() => false);
    e.ready = Promise.all([e.loaded.catch(() => {}), logDirty]).then(([, wasDirty]) => {
      // ENG-3: a doc the log says is dirty stays dirty until a live ack, even if this session never writes to it.
      if (wasDirty && !e.dirty) e.dirty = true;
      this.connect(e);
    });
    return e;
  }

  private onUpdate(e: Entry, origin: unknown): void {
    if (origin !== LOAD_ORIGIN && this.o.isLocalOrigin(origin)) {
      e.writes++;
      if (!e.dirty) {
        e.dirty = true;
        e.dirtyWrite = this.o.local.setDirty(e.name, true);
        e.dirtyWrite.catch(() => {});
      }
      if (e.mode === 'live') this.scheduleClean(e);
    }
    for (const l of this.changeListeners) l(e.name, origin);
  }

  private stored(e: Entry): Promise<void> {
    return Promise.all([e.dirtyWrite, e.binding.whenStored()]).then(() => {});
  }

  private async flushEntry(e: Entry, signal?: AbortSignal): Promise<void> {
    // ENG-8: the link exists only once the log is applied; a flush right after acquire must not skip the relay.
    await e.ready;
    return e.link ? this.flushVia(e, e.link, signal) : this.stored(e);
  }

  /** Stored, then acknowledged: a doc with no local write since the ack was asked for is clean (ENG-3). */
  private async flushVia(e: Entry, link: LiveLink, signal?: AbortSignal): Promise<void> {
    await this.stored(e);
    const at = e.writes;
    e.flushing++;
    try {
      await link.flush(signal);
    } finally {
      e.flushing--;
    }
    await this.markCleanIfUnchanged(e, at);
  }

  private async markCleanIfUnchanged(e: Entry, at: number): Promise<void> {
    if (e.dirty && e.writes === at) {
      e.dirty = false;
      e.dirtyWrite = this.o.local.setDirty(e.name, false);
      await e.dirtyWrite.catch(() => {});
    }
    // A released doc kept open only for this ack may go now (ENG-6).
    if (!e.dirty && e.lingering && e.refs === 0 && !e.closed) {
      e.lingering = false;
      this.startIdle(e);
    }
  }

  /**
   * ENG-3: a live doc that was written to asks the relay for an ack shortly after, and is clean once it arrives. One
   * request at a time; writes during it ask again after it.
   */
  private scheduleClean(e: Entry): void {
    if (e.cleanTimer || e.cleaning || e.closed) return;
    e.cleanTimer = setTimeout(() => {
      e.cleanTimer = null;
      const link = e.link;
      if (e.closed || !link || !e.dirty) return;
      // Someone's flush is on its way: its ack cleans the doc if nothing was written since; look again after.
      if (e.flushing > 0) return this.scheduleClean(e);
      const ac = new AbortController();
      e.cleaning = ac;
      this.flushVia(e, link, ac.signal)
        .catch(() => {})
        .finally(() => {
          if (e.cleaning === ac) e.cleaning = null;
          if (!e.closed && e.dirty && e.link && !ac.signal.aborted) this.scheduleClean(e);
        });
    }, this.cleanDelayMs);
  }

  private stopCleaning(e: Entry): void {
    if (e.cleanTimer) clearTimeout(e.cleanTimer);
    e.cleanTimer = null;
    e.cleaning?.abort();
    e.cleaning = null;
  }

  private setWant(e: Entry, want: Want): void {
    e.want = want;
    if (e.closed) return;
    if (want !== 'live' && e.link) {
      // Whatever is written is still delivered: release waits for flushes in flight.
      const link = e.link;
      e.link = null;
      this.live--;
      e.offSynced?.();
      e.offSynced = null;
      this.stopCleaning(e);
      void this.flushVia(e, link)
        .catch(() => {})
        .finally(() => link.release());
      e.mode = 'local';
      this.promotePolled();
    }
    if (e.pollTimer) {
      clearTimeout(e.pollTimer);
      e.pollTimer = null;
    }
    this.polled.delete(e);
    if (e.lingering && want !== 'live') {
      e.lingering = false;
      if (e.refs === 0) this.startIdle(e);
    }
    void e.ready.then(() => this.connect(e));
  }

  private connect(e: Entry): void {
    if (e.closed || !this.o.remote) return;
    if (e.want === 'local') {
      if (!e.link) e.mode = 'local';
      return;
    }
    if (e.want === 'snapshot') {
      e.mode = 'snapshot';
      void this.fetch(e);
    } else if (e.link) {
      e.mode = 'live';
    } else if (this.liveCount() < this.maxLive) {
      this.goLive(e);
    } else if (e.mode !== 'poll') {
      e.mode = 'poll';
      this.polled.add(e);
      void this.poll(e);
    }
  }

  private goLive(e: Entry): void {
    e.mode = 'live';
    this.polled.delete(e);
    const link = this.o.remote!.live(e.doc, e.room);
    e.link = link;
    this.live++;
    const onSynced = () => {
      if (e.link !== link) return;
      this.markSynced(e);
      if (e.dirty) this.scheduleClean(e);
    };
    e.offSynced = link.onSynced(onSynced);
    if (link.synced) onSynced();
  }

  private markSynced(e: Entry): void {
    e.synced = true;
    for (const w of [...e.syncedWaiters]) w(true);
  }

  private whenSynced(e: Entry, timeoutMs = Infinity): Promise<boolean> {
    if (e.synced) return Promise.resolve(true);
    if (e.closed || (e.fetchFailed && !e.link)) return Promise.resolve(false);
    if (!this.o.remote || e.want === 'local') return e.ready.then(() => false);
    return new Promise((resolve) => {
      let t: ReturnType<typeof setTimeout> | null = null;
      const w = (ok: boolean) => {
        e.syncedWaiters.delete(w);
        if (t) clearTimeout(t);
        resolve(ok || e.synced);
      };
      e.syncedWaiters.add(w);
      if (Number.isFinite(timeoutMs)) t = setTimeout(() => w(false), Math.max(0, timeoutMs));
    });
  }

  private async fetch(e: Entry): Promise<boolean> {
    if (e.closed || !this.o.remote) return false;
    try {
      const update = await this.o.remote.fetchMissing(e.room, Y.encodeStateVector(e.doc));
      if (e.closed) return false;
      if (e.binding.applyFetched) e.binding.applyFetched(update, FETCH_ORIGIN);
      else applyHeldUpdate(e.doc, update, FETCH_ORIGIN);
      e.fetchFailed = false;
      this.markSynced(e);
      return true;
    } catch {
      // ENG-7: whoever waits for this doc learns at once that the relay's copy is not coming now.
      e.fetchFailed = true;
      for (const w of [...e.syncedWaiters]) w(false);
      if (!e.closed && e.mode === 'snapshot' && e.refs > 0) e.pollTimer = setTimeout(() => void this.fetch(e), this.retryMs);
      return false;
    }
  }

  private async poll(e: Entry): Promise<void> {
    if (e.closed || e.mode !== 'poll') return;
    await this.fetch(e);
    if (e.closed || e.mode !== 'poll') return;
    e.pollTimer = setTimeout(() => void this.poll(e), this.pollMs);
  }

  private release(e: Entry): void {
    e.refs--;
    if (e.refs > 0 || e.closed) return;
    if (e.dirty && e.link && e.want === 'live') {
      // ENG-6: a dirty live doc stays open (and keeps asking for its ack) until the relay has it.
      e.lingering = true;
      this.scheduleClean(e);
      return;
    }
    this.startIdle(e);
  }

  private startIdle(e: Entry): void {
    if (e.idleTimer || e.closed) return;
    if (this.idleCloseMs === 0) void this.close(e);
    else e.idleTimer = setTimeout(() => void this.close(e), this.idleCloseMs);
  }

  private close(e: Entry): Promise<void> {
    if (e.closed) return Promise.resolve();
    let state!: (u: Uint8Array | null) => void;
    const final = new Promise<Uint8Array | null>((r) => (state = r));
    this.closing.set(e.name, final);
    const done = this.closeEntry(e, state);
    void done.finally(() => {
      if (this.closing.get(e.name) === final) this.closing.delete(e.name);
    });
    return done;
  }

  private async closeEntry(e: Entry, state: (u: Uint8Array | null) => void): Promise<void> {
    e.closed = true;
    // What the doc holds now is what a reopen of the same name must see, whether its log has stored it yet or not.
    state(Y.encodeStateAsUpdate(e.doc));
    for (const t of [e.idleTimer, e.pollTimer]) if (t) clearTimeout(t);
    this.stopCleaning(e);
    this.entries.delete(e.name);
    this.polled.delete(e);
    const link = e.link;
    e.link = null;
    if (link) this.live--;
    e.offSynced?.();
    e.offSynced = null;
    if (link) {
      // A dirty live doc gets its ack before the link goes, if the relay answers soon; otherwise it stays dirty.
      if (e.dirty && link.synced) await this.flushVia(e, link, AbortSignal.timeout(2_000)).catch(() => {});
      link.destroy();
    }
    await this.stored(e).catch(() => {});
    e.binding.unbind();
    for (const w of [...e.syncedWaiters]) w(false);
    e.doc.destroy();
    this.promotePolled();
  }

  /** A slot freed: the longest-waiting polled doc goes live. */
  private promotePolled(): void {
    for (const e of [...this.polled]) {
      if (this.live >= this.maxLive) return;
      this.polled.delete(e);
      if (e.mode !== 'poll' || e.closed) continue;
      if (e.pollTimer) clearTimeout(e.pollTimer);
      e.pollTimer = null;
      this.goLive(e);
    }
  }
}

const rank = (w: Want) => (w === 'live' ? 2 : w === 'snapshot' ? 1 : 0);
const isAbortSignal = (x: unknown): x is AbortSignal => typeof AbortSignal !== 'undefined' && x instanceof AbortSignal;

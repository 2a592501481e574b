import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CairnError } from '../domain';
import { adoptExitHandler, dropExitHandler } from './exit-hook';
import {
  AUTH_READ_ONLY,
  CLOSE_UNAUTHENTICATED,
  FLUSH_INCOMPLETE,
  FLUSH_PERSISTED,
  MSG_AUTH,
  MSG_FLUSH,
  MSG_INDEX_CHANGED,
  readIndexChanged,
  MSG_SYNC,
  SYNC_STEP1,
  encodeFlushRequest,
  readFlushAck,
  readPermissionDenied,
} from './protocol';
import type { SendGate } from './send-gate';
import { normaliseRelay } from './urls';

/** How often an idle provider asks the relay for its state anyway: catches anything a lost frame left behind. */
const RESYNC_INTERVAL_MS = 15_000;
/** After a status-2 ack, wait this long before asking again: one round trip for the resync to land. */
const INCOMPLETE_RETRY_MS = 50;
/** Cap on reconnect backoff: a returning network is noticed within this time. */
const MAX_BACKOFF_MS = 2_000;
/** A socket with no incoming frame for this long is taken for dead and replaced (y-websocket's own 30 s rule; ws-level
 * pings from the relay do not count, browsers do not even see them). */
export const SILENCE_TIMEOUT_MS = 30_000;
/** Silence for this share of the timeout sends a keepalive probe, so a healthy idle socket always hears back in time. */
const PROBE_AFTER_SHARE = 1 / 3;
/** The watchdog looks this many times per timeout (y-websocket: every 3 s for 30 s). */
const WATCHDOG_TICKS = 10;

export type ConnState = 'offline' | 'connecting' | 'syncing' | 'synced' | 'error';

export interface RoomConnectionOptions {
  relay: string;
  room: string;
  token?: string | undefined;
  awareness?: Awareness;
  /** Node 20 has no global WebSocket: pass `ws`'s class. */
  WebSocketPolyfill?: unknown;
  connect?: boolean;
  /** Share updates with other tabs of this browser over BroadcastChannel, even while the relay is unreachable. */
  broadcast?: boolean;
  /** Internal, for tests: the silence watchdog's timeout (default `SILENCE_TIMEOUT_MS`). */
  silenceTimeoutMs?: number;
  /** Local updates wait while this gate is held (SendGate: the SDK's journal goes first). */
  gate?: SendGate;
}

interface PendingFlush {
  /** true: persisted; false: the socket went away first, ask again after the next handshake. */
  settle: (persisted: boolean) => void;
  reject: (e: CairnError) => void;
}

/**
 * One document's live link to the relay: the stock y-websocket provider plus Cairn's flush ack, read-only and
 * unauthenticated handling, and an explicit state machine (offline → connecting → syncing → synced, or error) that
 * observers read and never drive.
 */
export class RoomConnection {
  readonly provider: WebsocketProvider;
  state: ConnState = 'offline';
  error: CairnError | null = null;
  readOnly = false;
  private listeners = new Set<(s: ConnState) => void>();
  private readonly indexListeners = new Set<(n: { experimentId: string; seq: number; epoch: string }) => void>();
  private nextReq = 1;
  private pending = new Map<number, PendingFlush>();

  /** The awareness this connection created itself (and so must destroy: it runs an interval timer). */
  private ownAwareness: Awareness | null = null;
  /** Flush calls in progress: `release()` waits for them (another caller may be waiting on this very socket). */
  private activeFlushes = 0;
  private releasing = false;
  private destroyed = false;
  /** Wakes flushes waiting for a state, when the connection is destroyed under them. */
  private wakers = new Set<() => void>();
  private readonly silenceTimeoutMs: number;
  private readonly watchdog: ReturnType<typeof setInterval>;
  /** The doc's update listener that sends through the gate, when there is one (in place of the provider's). */
  private gatedSend: ((update: Uint8Array, origin: unknown) => void) | null = null;
  /** When the last keepalive probe went out (ms since epoch); one probe per silence. */
  private probedAt = 0;

  constructor(readonly doc: Y.Doc, opts: RoomConnectionOptions) {
    const { ws } = normaliseRelay(opts.relay);
    const awareness = opts.awareness ?? (this.ownAwareness = new Awareness(doc));
    this.provider = new WebsocketProvider(`${ws}/sync`, opts.room, doc, {
      connect: false,
      disableBc: !opts.broadcast,
      // `notices`: this client reads the relay's index-changed notices (MSG_INDEX_CHANGED, server/relay RELAY-40).
      params: { ...(opts.token ? { token: opts.token } : {}), notices: '1' },
      // y-websocket's resync timer reads the global `WebSocket.OPEN`, which Node 20 lacks: browsers only.
      resyncInterval: typeof WebSocket === 'undefined' ? -1 : RESYNC_INTERVAL_MS,
      maxBackoffTime: MAX_BACKOFF_MS,
      awareness,
      ...(opts.WebSocketPolyfill ? { WebSocketPolyfill: opts.WebSocketPolyfill as typeof WebSocket } : {}),
    });
    const p = this.provider;
    if (opts.gate) {
      // The provider's own listener sends each local update at once; through the gate, it waits while the gate is held.
      const gate = opts.gate;
      const send = p._updateHandler;
      doc.off('update', send);
      this.gatedSend = (update: Uint8Array, origin: unknown) => gate.send(() => !this.destroyed && send(update, origin));
      doc.on('update', this.gatedSend);
    }
    // A read-only connection does not answer the relay's step 1: whatever it holds would be dropped (RELAY-11), and a
    // big backlog would not fit a read-only socket's frame limit (RELAY-27), closing it 1009 on every reconnect.
    const stockSync = p.messageHandlers[MSG_SYNC]!;
    p.messageHandlers[MSG_SYNC] = (enc, dec, prov, emitSynced, type) => {
      if (this.readOnly && decoding.peekVarUint(dec) === SYNC_STEP1) {
        decoding.readVarUint(dec);
        decoding.readVarUint8Array(dec);
        return;
      }
      stockSync(enc, dec, prov, emitSynced, type);
    };
    p.messageHandlers[MSG_FLUSH] = (_enc, dec) => this.onFlushAck(dec);
    p.messageHandlers[MSG_AUTH] = (_enc, dec) => this.onAuth(dec);
    p.messageHandlers[MSG_INDEX_CHANGED] = (_enc, dec) => {
      const notice = readIndexChanged(dec);
      for (const l of this.indexListeners) l(notice);
    };
    p.on('status', () => this.recompute());
    p.on('sync', () => this.recompute());
    p.on('connection-close', (ev) => {
      if (ev && ev.code === CLOSE_UNAUTHENTICATED) {
        this.fail(new CairnError('UNAUTHENTICATED', ev.reason || 'The relay refused the token'));
      } else if (ev && ev.code >= 4400 && ev.code < 4500) {
        this.fail(new CairnError('BAD_REQUEST', ev.reason || `The relay closed the connection (${ev.code})`));
      }
      this.rejectPending(null);
      this.recompute();
    });
    adoptExitHandler(p);
    // y-websocket's own watchdog has a fixed 30 s timeout; ours does the same job with a keepalive in front of it.
    clearInterval(p._checkInterval);
    this.silenceTimeoutMs = opts.silenceTimeoutMs ?? SILENCE_TIMEOUT_MS;
    this.watchdog = setInterval(() => this.checkSilence(), this.silenceTimeoutMs / WATCHDOG_TICKS);
    if (opts.connect !== false) this.connect();
  }

  connect(): void {
    this.error = null;
    this.provider.connect();
    this.recompute();
  }

  disconnect(): void {
    this.provider.disconnect();
    this.rejectPending(null);
    this.recompute();
  }

  /** Closes the socket but keeps trying (and keeps the cross-tab channel): for a network that just went away,
   * where a half-open socket would otherwise linger until the silence watchdog's timeout (30 s). */
  dropSocket(): void {
    this.provider.ws?.close();
  }

  /** The relay said an experiment's index moved (workspace rooms only, MSG_INDEX_CHANGED). */
  onIndexChanged(cb: (n: { experimentId: string; seq: number; epoch: string }) => void): () => void {
    this.indexListeners.add(cb);
    return () => this.indexListeners.delete(cb);
  }

  onState(cb: (s: ConnState) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /**
   * Resolves when the relay has persisted every change this doc holds now. Waits through disconnects: the
   * handshake on reconnect (sync step 2, which carries the full delete set) resends what the relay lacks, and the
   * ack is only requested after that handshake on the same socket, whose frames the relay handles in order.
   */
  async flush(signal?: AbortSignal): Promise<void> {
    if (this.destroyed) throw new CairnError('ABORTED', 'connection closed');
    this.activeFlushes++;
    try {
      for (;;) {
        if (this.destroyed) throw new CairnError('ABORTED', 'connection closed');
        if (this.error) throw this.error;
        if (this.readOnly) throw new CairnError('PERMISSION_DENIED', 'read-only token: updates are not accepted');
        if (signal?.aborted) throw new CairnError('DEADLINE_EXCEEDED', 'flush aborted');
        if (this.state !== 'synced') {
          await this.waitFor((s) => s === 'synced' || s === 'error', signal);
          continue;
        }
        const ok = await this.requestAck(signal);
        if (ok) return;
      }
    } finally {
      this.activeFlushes--;
      if (this.releasing && this.activeFlushes === 0) this.destroy();
    }
  }

  /**
   * Destroys the connection once no flush is waiting on it. The caller that is done with a room (a run that ended)
   * must not abort flushes other callers started on the same socket: those finish (or reach their deadline) first.
   */
  release(): void {
    this.releasing = true;
    if (this.activeFlushes === 0) this.destroy();
  }

  /** Closes at once: flushes still waiting reject with `ABORTED`. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearInterval(this.watchdog);
    this.rejectPending(new CairnError('ABORTED', 'connection closed'));
    dropExitHandler(this.provider);
    if (this.gatedSend) this.doc.off('update', this.gatedSend);
    this.provider.destroy();
    this.ownAwareness?.destroy();
    this.listeners.clear();
    this.indexListeners.clear();
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * The silence watchdog (y-websocket's, made configurable, with a keepalive in front). The relay's ws-level pings are
   * not messages, and in Node y-websocket's resync timer cannot run (it reads a global `WebSocket.OPEN`), so an idle
   * Node client used to hear nothing for 30 s and reconnect every 30 s. Now a socket silent for a third of the timeout
   * sends one probe: a flush request with an id nobody waits for. The relay answers every flush request at once with a
   * 3-byte ack (RELAY-5), whatever the room holds; query-awareness (3) would return every presence state of the room
   * and sync step 1 makes the relay encode the document's delete set, both growing with the room. The ack lands in
   * `onFlushAck`, finds no waiter and is dropped; its arrival is what resets the silence. A socket that stays silent
   * anyway (half-open: laptop lid, vanished Wi-Fi) is still replaced after the full timeout.
   */
  private checkSilence(): void {
    const p = this.provider;
    const ws = p.ws;
    if (!p.wsconnected || !ws) return;
    const now = Date.now();
    const silent = now - p.wsLastMessageReceived;
    if (silent > this.silenceTimeoutMs) {
      // y-websocket's own close path (the handler it put on this socket): a local close (event null) detaches the
      // socket at once and reconnects with backoff, where `ws.close()` would wait for a close handshake a dead link
      // never completes.
      (ws.onclose as ((ev: CloseEvent | null) => void) | null)?.(null);
      return;
    }
    if (silent >= this.silenceTimeoutMs * PROBE_AFTER_SHARE && this.probedAt <= p.wsLastMessageReceived && ws.readyState === 1) {
      this.probedAt = now;
      try {
        ws.send(encodeFlushRequest(this.nextReq++));
      } catch {
        // A socket failing to send is closing; its close event (or the timeout above) takes it from here.
      }
    }
  }

  private requestAck(signal?: AbortSignal): Promise<boolean> {
    const ws = this.provider.ws;
    // Not open (e.g. CLOSING before its close event ran): retry after a macrotask, never in a microtask loop,
    // or the flush loop would starve the event loop and the close event would never arrive.
    if (!ws || ws.readyState !== 1) return new Promise((r) => setTimeout(() => r(false), 20));
    const id = this.nextReq++;
    let onAbort: (() => void) | null = null;
    return new Promise<boolean>((resolve, reject) => {
      onAbort = () => reject(new CairnError('DEADLINE_EXCEEDED', 'flush aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { settle: resolve, reject });
      try {
        ws.send(encodeFlushRequest(id));
      } catch {
        this.pending.delete(id);
        resolve(false);
      }
    }).finally(() => {
      this.pending.delete(id);
      // Settled by the ack: the listener must go, or a deadline shared by many requests collects one per request.
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    });
  }

  private onFlushAck(dec: decoding.Decoder): void {
    const { reqId: id, status } = readFlushAck(dec);
    const p = this.pending.get(id);
    if (!p) return;
    if (status === FLUSH_PERSISTED) p.settle(true);
    else if (status === FLUSH_INCOMPLETE) {
      // The relay refused one of our updates as arriving ahead of data it lacks and asked for a resync (relay SPEC
      // RELAY-25); our step 2 is on its way. Ask again shortly, on whatever socket is then live.
      setTimeout(() => p.settle(false), INCOMPLETE_RETRY_MS);
    } else {
      this.readOnly = true;
      p.reject(new CairnError('PERMISSION_DENIED', 'read-only token: updates are not accepted'));
    }
  }

  private onAuth(dec: decoding.Decoder): void {
    const notice = readPermissionDenied(dec);
    if (!notice) return;
    if (notice.kind === AUTH_READ_ONLY) {
      this.readOnly = true;
      this.recompute();
    } else {
      this.fail(new CairnError('UNAUTHENTICATED', notice.reason));
    }
  }

  private fail(err: CairnError): void {
    this.error = err;
    this.provider.shouldConnect = false;
    this.rejectPending(err);
    this.recompute();
  }

  /** `err === null` means "connection dropped, retry": the flush loop asks again after the next handshake. */
  private rejectPending(err: CairnError | null): void {
    for (const p of this.pending.values()) {
      if (err) p.reject(err);
      else p.settle(false);
    }
    this.pending.clear();
  }

  private recompute(): void {
    const p = this.provider;
    const next: ConnState = this.error
      ? 'error'
      : p.wsconnected
        ? p.synced
          ? 'synced'
          : 'syncing'
        : p.shouldConnect
          ? 'connecting'
          : 'offline';
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l(next);
  }

  /** Resolves when `pred` holds, the signal aborts or the connection is destroyed (the caller re-checks which). */
  private waitFor(pred: (s: ConnState) => boolean, signal?: AbortSignal): Promise<void> {
    if (pred(this.state) || this.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        off();
        this.wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const off = this.onState((s) => {
        if (pred(s)) done();
      });
      this.wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

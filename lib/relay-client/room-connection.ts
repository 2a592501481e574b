import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebsocketProvider } from 'y-websocket';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CairnError } from '../domain';
import { normaliseRelay } from './urls';

/** Relay extension message: flush ack (server/relay/README.md). */
export const MESSAGE_FLUSH = 100;
const MESSAGE_AUTH = 2;
/** Close codes the relay uses for decisions reconnecting cannot fix (y-websocket stops on 4400-4499). */
export const CLOSE_UNAUTHENTICATED = 4401;
/** How often an idle provider asks the relay for its state anyway: catches anything a lost frame left behind. */
const RESYNC_INTERVAL_MS = 15_000;
/** Cap on reconnect backoff: a returning network is noticed within this time. */
const MAX_BACKOFF_MS = 2_000;

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
  private nextReq = 1;
  private pending = new Map<number, PendingFlush>();

  /** The awareness this connection created itself (and so must destroy: it runs an interval timer). */
  private ownAwareness: Awareness | null = null;

  constructor(readonly doc: Y.Doc, opts: RoomConnectionOptions) {
    const { ws } = normaliseRelay(opts.relay);
    const awareness = opts.awareness ?? (this.ownAwareness = new Awareness(doc));
    this.provider = new WebsocketProvider(`${ws}/sync`, opts.room, doc, {
      connect: false,
      disableBc: !opts.broadcast,
      params: opts.token ? { token: opts.token } : {},
      // y-websocket's resync timer reads the global `WebSocket.OPEN`, which Node 20 lacks: browsers only.
      resyncInterval: typeof WebSocket === 'undefined' ? -1 : RESYNC_INTERVAL_MS,
      maxBackoffTime: MAX_BACKOFF_MS,
      awareness,
      ...(opts.WebSocketPolyfill ? { WebSocketPolyfill: opts.WebSocketPolyfill as typeof WebSocket } : {}),
    });
    const p = this.provider;
    p.messageHandlers[MESSAGE_FLUSH] = (_enc, dec) => this.onFlushAck(dec);
    p.messageHandlers[MESSAGE_AUTH] = (_enc, dec) => this.onAuth(dec);
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
   * where a half-open socket would otherwise linger until y-websocket's 30 s silence timeout. */
  dropSocket(): void {
    this.provider.ws?.close();
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
    for (;;) {
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
  }

  destroy(): void {
    this.rejectPending(new CairnError('ABORTED', 'connection closed'));
    this.provider.destroy();
    this.ownAwareness?.destroy();
    this.listeners.clear();
  }

  private requestAck(signal?: AbortSignal): Promise<boolean> {
    const ws = this.provider.ws;
    // Not open (e.g. CLOSING before its close event ran): retry after a macrotask, never in a microtask loop,
    // or the flush loop would starve the event loop and the close event would never arrive.
    if (!ws || ws.readyState !== 1) return new Promise((r) => setTimeout(() => r(false), 20));
    const id = this.nextReq++;
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, MESSAGE_FLUSH);
    encoding.writeVarUint(e, id);
    return new Promise<boolean>((resolve, reject) => {
      const onAbort = () => reject(new CairnError('DEADLINE_EXCEEDED', 'flush aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { settle: resolve, reject });
      try {
        ws.send(encoding.toUint8Array(e));
      } catch {
        this.pending.delete(id);
        resolve(false);
      }
    }).finally(() => this.pending.delete(id));
  }

  private onFlushAck(dec: decoding.Decoder): void {
    const id = decoding.readVarUint(dec);
    const status = decoding.readVarUint(dec);
    const p = this.pending.get(id);
    if (!p) return;
    if (status === 0) p.settle(true);
    else {
      this.readOnly = true;
      p.reject(new CairnError('PERMISSION_DENIED', 'read-only token: updates are not accepted'));
    }
  }

  private onAuth(dec: decoding.Decoder): void {
    const kind = decoding.readVarUint(dec);
    if (kind !== 0) return;
    const reason = decoding.readVarString(dec);
    if (reason.startsWith('read-only')) {
      this.readOnly = true;
      this.recompute();
    } else {
      this.fail(new CairnError('UNAUTHENTICATED', reason));
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

  private waitFor(pred: (s: ConnState) => boolean, signal?: AbortSignal): Promise<void> {
    if (pred(this.state)) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.onState((s) => {
        if (pred(s)) {
          off();
          resolve();
        }
      });
      signal?.addEventListener('abort', () => {
        off();
        resolve();
      }, { once: true });
    });
  }
}

import * as decoding from 'lib0/decoding';
import type { RawData, WebSocket } from 'ws';
import * as Y from 'yjs';
import {
  AUTH_READ_ONLY,
  AUTH_UNAUTHENTICATED,
  CLOSE_BAD_REQUEST,
  CLOSE_INTERNAL_ERROR,
  CLOSE_UNAUTHENTICATED,
  FLUSH_INCOMPLETE,
  FLUSH_PERSISTED,
  FLUSH_READ_ONLY,
  MSG_AWARENESS,
  MSG_FLUSH,
  MSG_QUERY_AWARENESS,
  MSG_SYNC,
  SYNC_STEP1,
  SYNC_STEP2,
  SYNC_UPDATE,
  encodeAwareness,
  encodeFlushAck,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
} from '../../lib/relay-client/protocol';
import { AwarenessGate, AwarenessRefused, type AwarenessBudget } from './awareness-gate';
import { StorageFailure, UnappliableUpdate, type Room, type RoomPeer } from './rooms';

export const READ_ONLY_REASON = 'read-only token: updates are not accepted';

/** Outstanding "needs" (client ids a refused update touched) a connection may accumulate before it is closed 4400. */
const MAX_NEEDS = 1024;
/**
 * At most one "resend what I lack" (sync step 1) per this interval per connection: a refused step 2 (an id still held
 * by another writer) would otherwise bounce step 1 / step 2 as fast as the link allows.
 */
const RESYNC_MIN_INTERVAL_MS = 500;
/**
 * Presence is not sent to a peer with this much already queued for it: presence is superseded by the next update, and
 * a reader that does not drain its socket must not make the relay buffer everyone's cursor moves (RELAY-27). Document
 * updates are always queued.
 */
const PRESENCE_SKIP_BUFFERED_BYTES = 1024 * 1024;

/** What a connection may do, re-checked while it is open (RELAY-9, RELAY-28). */
export interface ConnectionGrant {
  /** The writer behind it: token id, or a per-connection id in open mode (RELAY-24). */
  readonly principal: string;
  readonly readOnly: boolean;
  /** null while the grant holds; else why not (revoked, expired). Cheap: called before every frame in and out. */
  invalid(): string | null;
  /** The party's presence budget, shared by all its connections (RELAY-27). */
  readonly awareness: AwarenessBudget;
  /** The client asked for relay notices (RELAY-40). */
  readonly notices: boolean;
}

/** A frame the relay refuses: the connection is closed with 4400 and nothing from the frame is kept. */
class ProtocolError extends Error {}

/**
 * One WebSocket in one room. Frames are handled synchronously in arrival order, so by the time a flush request is
 * read, every update this connection sent before it has been committed to the store — the ack can go out at once.
 */
export class SyncConnection implements RoomPeer {
  private deniedSent = false;
  private closed = false;
  /** Cleared by the relay's ping sweep, set again by the pong. */
  alive = true;
  /** Client → clock the room must reach before this connection's refused data is in (flush acks wait for it). */
  private readonly needs = new Map<number, number>();
  private lastResyncAt = 0;
  private resyncTimer: NodeJS.Timeout | null = null;
  private readonly awarenessGate: AwarenessGate;

  constructor(
    private readonly ws: WebSocket,
    readonly room: Room,
    readonly grant: ConnectionGrant,
    private readonly onClose: (conn: SyncConnection) => void,
    private readonly log: (line: string) => void,
  ) {
    this.awarenessGate = new AwarenessGate((update) => this.room.applyAwareness(update, this), grant.awareness);
  }

  get notices(): boolean {
    return this.grant.notices;
  }

  get principal(): string {
    return this.grant.principal;
  }

  private get readOnly(): boolean {
    return this.grant.readOnly;
  }

  start(): void {
    this.room.join(this);
    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('pong', () => {
      this.alive = true;
    });
    this.ws.on('error', (err) => this.log(`ws ${this.room.name.name}: ${err.message}`));
    this.ws.on('close', () => this.finish());
    // A read-only socket hears so first, before the relay's step 1: its client then need not answer with a step 2
    // the relay would drop anyway (and which may not even fit a read-only socket's frame limit, RELAY-27).
    if (this.readOnly) {
      this.deniedSent = true;
      this.send(encodePermissionDenied(AUTH_READ_ONLY, READ_ONLY_REASON));
    }
    this.send(encodeSyncStep1(this.room.doc));
    const states = this.room.awareness.getStates();
    if (states.size > 0) this.send(encodeAwareness(this.room.awareness, [...states.keys()]));
  }

  send(frame: Uint8Array): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    // A revoked or expired token receives nothing more, not even until the next sweep (RELAY-28).
    if (!this.checkGrant()) return;
    this.ws.send(frame, (err) => {
      if (err) this.close(CLOSE_INTERNAL_ERROR, 'send failed');
    });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, truncateReason(reason));
    this.finish();
  }

  /** True when so much is queued for this peer that presence should skip it. */
  congested(): boolean {
    return this.ws.bufferedAmount > PRESENCE_SKIP_BUFFERED_BYTES;
  }

  /** False (and the connection closed 4401) once the grant no longer holds. */
  checkGrant(): boolean {
    if (this.closed) return false;
    const why = this.grant.invalid();
    if (why === null) return true;
    try {
      this.ws.send(encodePermissionDenied(AUTH_UNAUTHENTICATED, `unauthenticated: ${why}`));
    } catch {
      // Going away anyway.
    }
    this.close(CLOSE_UNAUTHENTICATED, `unauthenticated: ${why}`);
    return false;
  }

  ping(): void {
    try {
      this.ws.ping();
    } catch {
      this.terminate();
    }
  }

  /** For the ping sweep: a peer that missed a whole ping interval is gone. */
  terminate(): void {
    this.ws.terminate();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.awarenessGate.destroy();
    this.room.leave(this);
    this.onClose(this);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (!this.checkGrant()) return;
    try {
      if (!isBinary) throw new ProtocolError('text frames are not part of the protocol');
      this.handleFrame(toUint8Array(data));
    } catch (err) {
      if (err instanceof ProtocolError || err instanceof UnappliableUpdate || err instanceof AwarenessRefused) {
        this.close(CLOSE_BAD_REQUEST, err.message);
      } else if (err instanceof StorageFailure) {
        // Not acknowledged, nothing applied or served: the client reconnects and its handshake resends the update.
        this.log(`room ${this.room.name.name}: ${err.message}`);
        this.close(CLOSE_INTERNAL_ERROR, 'storage unavailable, retry later');
      } else {
        // Storage or an internal bug: the client reconnects and re-syncs, and nothing it was not told about is lost.
        this.log(`room ${this.room.name.name}: ${(err as Error).stack ?? String(err)}`);
        this.close(CLOSE_INTERNAL_ERROR, 'internal error');
      }
    }
  }

  private handleFrame(frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    const type = read(() => decoding.readVarUint(decoder), 'message type');
    switch (type) {
      case MSG_SYNC:
        return this.handleSync(decoder);
      case MSG_AWARENESS: {
        const update = read(() => decoding.readVarUint8Array(decoder), 'awareness update');
        const mine = this.room.peers.get(this) ?? new Set<number>();
        return this.awarenessGate.receive(update, mine, (id) => {
          const holder = this.room.awarenessHolder(id);
          return holder !== undefined && holder !== this;
        });
      }
      case MSG_QUERY_AWARENESS:
        return this.send(encodeAwareness(this.room.awareness, [...this.room.awareness.getStates().keys()]));
      case MSG_FLUSH: {
        const reqId = read(() => decoding.readVarUint(decoder), 'flush request id');
        const status = this.readOnly ? FLUSH_READ_ONLY : this.missingData() ? FLUSH_INCOMPLETE : FLUSH_PERSISTED;
        return this.send(encodeFlushAck(reqId, status));
      }
      default:
        throw new ProtocolError(`unknown message type ${type}`);
    }
  }

  private handleSync(decoder: decoding.Decoder): void {
    const sub = read(() => decoding.readVarUint(decoder), 'sync message type');
    if (sub === SYNC_STEP1) {
      const sv = read(() => decoding.readVarUint8Array(decoder), 'state vector');
      const reply = read(() => encodeSyncStep2(this.room.doc, sv), 'state vector');
      return this.send(reply);
    }
    if (sub !== SYNC_STEP2 && sub !== SYNC_UPDATE) throw new ProtocolError(`unknown sync message type ${sub}`);
    // Copy out of the network buffer: the store and the doc keep references to the bytes.
    const update = read(() => decoding.readVarUint8Array(decoder), 'update').slice();
    if (this.readOnly) {
      // Dropped, not hidden: never persisted, applied or broadcast. Told once, not once per keystroke.
      if (!this.deniedSent) {
        this.deniedSent = true;
        this.send(encodePermissionDenied(AUTH_READ_ONLY, READ_ONLY_REASON));
      }
      return;
    }
    const decoded = read(() => Y.decodeUpdate(update), 'update');
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return;
    const result = this.room.receiveUpdate(update, decoded, this);
    if (result.ok) return;
    // Refused (RELAY-25): not stored, applied or sent on. A legitimate client gets here only by a race (an edit sent
    // before its backlog, another tab's data forwarded while that tab is also connected); asking it for a step 2 makes
    // it resend everything the room lacks, and its flushes wait (status 2) until that data is in.
    for (const [client, clock] of result.needs) this.needs.set(client, Math.max(this.needs.get(client) ?? 0, clock));
    if (this.needs.size > MAX_NEEDS) throw new ProtocolError(`too many refused updates: ${result.message}`);
    this.requestResync();
  }

  /** Sends sync step 1 (so the peer answers with what the room lacks), at most once per RESYNC_MIN_INTERVAL_MS. */
  requestResync(): void {
    if (this.closed || this.resyncTimer) return;
    const wait = this.lastResyncAt + RESYNC_MIN_INTERVAL_MS - Date.now();
    const go = () => {
      this.resyncTimer = null;
      if (this.closed || !this.missingData()) return;
      this.lastResyncAt = Date.now();
      this.send(encodeSyncStep1(this.room.doc));
    };
    if (wait <= 0) return go();
    this.resyncTimer = setTimeout(go, wait);
    this.resyncTimer.unref();
  }

  /** True while a refused update's data is still missing from the room. */
  private missingData(): boolean {
    for (const [client, clock] of this.needs) {
      if (Y.getState(this.room.doc.store, client) >= clock) this.needs.delete(client);
    }
    return this.needs.size > 0;
  }
}

/** Runs a decode step; any throw there is the peer's fault, so it becomes a ProtocolError. */
function read<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    throw new ProtocolError(`malformed ${what}: ${(err as Error).message}`);
  }
}

function toUint8Array(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Close reasons are limited to 123 UTF-8 bytes by RFC 6455; ws throws past that. */
export function truncateReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
}

import * as decoding from 'lib0/decoding';
import type { RawData, WebSocket } from 'ws';
import * as Y from 'yjs';
import {
  CLOSE_BAD_REQUEST,
  CLOSE_INTERNAL_ERROR,
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
} from './protocol';
import type { Room, RoomPeer } from './rooms';

export const READ_ONLY_REASON = 'read-only token: updates are not accepted';

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

  constructor(
    private readonly ws: WebSocket,
    private readonly room: Room,
    private readonly readOnly: boolean,
    private readonly onClose: (conn: SyncConnection) => void,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.room.join(this);
    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('pong', () => {
      this.alive = true;
    });
    this.ws.on('error', (err) => this.log(`ws ${this.room.name.name}: ${err.message}`));
    this.ws.on('close', () => this.finish());
    this.send(encodeSyncStep1(this.room.doc));
    const states = this.room.awareness.getStates();
    if (states.size > 0) this.send(encodeAwareness(this.room.awareness, [...states.keys()]));
  }

  send(frame: Uint8Array): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(frame, (err) => {
      if (err) this.close(CLOSE_INTERNAL_ERROR, 'send failed');
    });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, truncateReason(reason));
    this.finish();
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
    this.room.leave(this);
    this.onClose(this);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    try {
      if (!isBinary) throw new ProtocolError('text frames are not part of the protocol');
      this.handleFrame(toUint8Array(data));
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.close(CLOSE_BAD_REQUEST, err.message);
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
        return read(() => this.room.applyAwareness(update, this), 'awareness update');
      }
      case MSG_QUERY_AWARENESS:
        return this.send(encodeAwareness(this.room.awareness, [...this.room.awareness.getStates().keys()]));
      case MSG_FLUSH: {
        const reqId = read(() => decoding.readVarUint(decoder), 'flush request id');
        return this.send(encodeFlushAck(reqId, this.readOnly ? FLUSH_READ_ONLY : FLUSH_PERSISTED));
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
        this.send(encodePermissionDenied(READ_ONLY_REASON));
      }
      return;
    }
    const decoded = read(() => Y.decodeUpdate(update), 'update');
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return;
    this.room.receiveUpdate(update, this);
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

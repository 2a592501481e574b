import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { CLOSE_TOO_BIG } from '../../lib/relay-client/protocol';

/**
 * Per-message-type size limits, enforced while a message is still arriving (SPEC.md RELAY-27).
 *
 * `ws` only knows one `maxPayload` and buffers a whole message before anyone sees it. A write token may legitimately
 * send a 60 MiB sync step 2 (a big offline backlog), so that ceiling must stay high, but the same token must not make
 * the relay buffer 60 MiB of "presence". The y-websocket message type is the first payload byte, so this guard reads
 * the RFC 6455 frame headers as bytes arrive (it never copies payloads), unmasks just that byte, and closes the
 * connection with 1009 as soon as a message of a limited type is declared larger than its limit, before `ws` has
 * buffered more than one TCP chunk of it. The server runs without permessage-deflate, so payload bytes are plain.
 */

/** After refusing, the peer gets this long to read the close frame before the socket is cut. */
const REFUSE_GRACE_MS = 1_000;

type State = 'header' | 'payload';

export class MessageSizeGuard {
  private state: State = 'header';
  private readonly header = new Uint8Array(14);
  private headerLen = 0;
  private payloadLeft = 0;
  private mask0 = 0;
  private frameIsData = false;
  /** The current data message's y-websocket type once its first payload byte was seen. */
  private messageType: number | null = null;
  private awaitingType = false;
  private messageBytes = 0;

  constructor(private readonly limitFor: (messageType: number) => number) {}

  /** Reads one chunk of the client's stream; returns a reason when the message must be refused, else null. */
  feed(chunk: Uint8Array): string | null {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.state === 'header') {
        pos = this.readHeader(chunk, pos);
        if (this.state === 'header') return null;
        const over = this.check();
        if (over) return over;
        continue;
      }
      const n = Math.min(this.payloadLeft, chunk.length - pos);
      if (this.frameIsData && this.awaitingType && n > 0) {
        const b = chunk[pos]! ^ this.mask0;
        // A varuint: one byte below 0x80 is the type; anything longer is no y-websocket type (refused later anyway).
        this.messageType = b < 0x80 ? b : 0xff;
        this.awaitingType = false;
        const over = this.check();
        if (over) return over;
      }
      pos += n;
      this.payloadLeft -= n;
      if (this.payloadLeft === 0) this.state = 'header';
    }
    return null;
  }

  private readHeader(chunk: Uint8Array, pos: number): number {
    while (pos < chunk.length) {
      this.header[this.headerLen++] = chunk[pos++]!;
      if (this.headerLen < 2) continue;
      const len7 = this.header[1]! & 0x7f;
      const masked = (this.header[1]! & 0x80) !== 0;
      const full = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
      if (this.headerLen < full) continue;
      this.startFrame(len7, masked, full);
      return pos;
    }
    return pos;
  }

  private startFrame(len7: number, masked: boolean, full: number): void {
    const h = this.header;
    let len = len7;
    if (len7 === 126) len = (h[2]! << 8) | h[3]!;
    else if (len7 === 127) {
      // 2^53 is past any limit; precision beyond that does not matter here.
      len = 0;
      for (let i = 2; i < 10; i++) len = len * 256 + h[i]!;
    }
    const opcode = h[0]! & 0x0f;
    this.frameIsData = opcode <= 2;
    if (opcode === 1 || opcode === 2) {
      this.messageType = null;
      this.awaitingType = true;
      this.messageBytes = 0;
    }
    if (this.frameIsData) this.messageBytes += len;
    this.mask0 = masked ? h[full - 4]! : 0;
    this.payloadLeft = len;
    this.headerLen = 0;
    this.state = len > 0 ? 'payload' : 'header';
  }

  private check(): string | null {
    if (!this.frameIsData || this.messageType === null) return null;
    const limit = this.limitFor(this.messageType);
    return this.messageBytes > limit ? `message of type ${this.messageType} is over ${limit} bytes` : null;
  }
}

/**
 * Puts a guard in front of ws's own reader on an upgraded socket. Must run right after `handleUpgrade` gave us the
 * WebSocket (ws has attached its 'data' listener; no data event has fired yet, so nothing slips past).
 */
export function guardMessageSizes(ws: WebSocket, socket: Duplex, limitFor: (messageType: number) => number): void {
  const readers = socket.listeners('data') as ((chunk: Buffer) => void)[];
  if (readers.length === 0) return;
  const guard = new MessageSizeGuard(limitFor);
  let refused = false;
  for (const reader of readers) socket.removeListener('data', reader);
  socket.on('data', function guarded(this: Duplex, chunk: Buffer) {
    if (refused) return;
    const why = guard.feed(chunk);
    if (why === null) {
      for (const reader of readers) reader.call(this, chunk);
      return;
    }
    refused = true;
    ws.close(CLOSE_TOO_BIG, why);
    setTimeout(() => socket.destroy(), REFUSE_GRACE_MS).unref();
  });
}

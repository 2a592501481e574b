/**
 * Real `ws` sockets to a real relay, with network conditions injected where incoming frames are handed to the
 * provider (the `message` event): latency, as from a relay across a network rather than on loopback, and silence, as
 * from a half-open link (lid closed, NAT entry gone) where nothing arrives and nothing closes. Pass `lab.WebSocket` as
 * `connect({ WebSocket })`. It also counts the sockets the client opened and saw close, i.e. its reconnects.
 */
import { WebSocket } from 'ws';

export class SocketLab {
  /** Each incoming frame reaches the client this much later (per-socket order kept: same delay, FIFO timers). */
  lagMs = 0;
  readonly opened: WebSocket[] = [];
  /** Sockets that hear nothing, for good: like a half-open TCP connection, a deaf socket never recovers. */
  private deaf = new WeakSet<WebSocket>();
  private silent = false;
  closed = 0;
  /** Bytes of every frame the client's sockets received (what connecting costs on the wire, minus framing). */
  bytesIn = 0;
  /** What y-websocket calls: `new WS(url, protocols)`. */
  readonly WebSocket: new (url: string, protocols?: string | string[]) => WebSocket;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the subclass below reports to this lab
    const lab = this;
    this.WebSocket = class LabWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        lab.opened.push(this);
        if (lab.silent) lab.deaf.add(this);
        this.on('close', () => lab.closed++);
      }

      override emit(event: string | symbol, ...args: unknown[]): boolean {
        if (event !== 'message') return super.emit(event, ...args);
        lab.bytesIn += frameBytes(args[0]);
        if (lab.deaf.has(this)) return false;
        if (lab.lagMs <= 0) return super.emit(event, ...args);
        setTimeout(() => super.emit(event, ...args), lab.lagMs);
        return true;
      }
    };
  }

  /** The network goes away: every socket open now, and every one opened until `restore()`, hears nothing again. */
  silence(): void {
    this.silent = true;
    for (const ws of this.opened) this.deaf.add(ws);
  }

  /** The network is back: sockets opened from now on work. */
  restore(): void {
    this.silent = false;
  }
}

function frameBytes(data: unknown): number {
  if (Array.isArray(data)) return data.reduce((n: number, b: unknown) => n + frameBytes(b), 0);
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return typeof data === 'string' ? data.length : 0;
}

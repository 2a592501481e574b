import { RoomConnection, fetchRoomSnapshot, type EarlySnapshots, type FetchLike, type SendGate } from '../relay-client';
import type { LiveLink, RemoteSide } from './ports';

export interface RelayRemoteOptions {
  relay: string;
  token: string | null;
  fetch: FetchLike;
  /** Node 20 has no global WebSocket: pass `ws`'s class. */
  WebSocketPolyfill?: unknown;
  silenceTimeoutMs?: number;
  /**
   * At most this many sockets opening at once (default MAX_CONNECTING); the others wait their turn (ENG-R3). A script
   * starting 2,000 runs opens 4,000 sockets in a second: past the relay's listen backlog the kernel drops the
   * connection attempts, which retry after 1 s, 3 s, 7 s..., so an unpaced burst took 30 s to connect.
   */
  maxConnecting?: number;
  /** Snapshots asked for before the engine existed (CHART-18): a room's first fetch takes its early answer. */
  early?: EarlySnapshots;
  /** Every live link's local updates wait while this is held (the SDK's chunk flush, SDK-26). */
  gate?: SendGate;
}

export const MAX_CONNECTING = 64;
/** A socket that has not opened after this long gives its turn to the next one (it goes on trying by itself). */
export const CONNECT_TURN_MS = 2_000;

/** The remote side over a Cairn relay: live links are RoomConnections, snapshots `GET /docs/<room>?sv=`. */
export function relayRemote(o: RelayRemoteOptions): RemoteSide {
  const pacer = new Pacer(o.maxConnecting ?? MAX_CONNECTING);
  return {
    live(doc, room): LiveLink {
      const conn = new RoomConnection(doc, {
        relay: o.relay,
        room,
        token: o.token ?? undefined,
        connect: false,
        ...(o.WebSocketPolyfill ? { WebSocketPolyfill: o.WebSocketPolyfill } : {}),
        ...(o.silenceTimeoutMs !== undefined ? { silenceTimeoutMs: o.silenceTimeoutMs } : {}),
        ...(o.gate ? { gate: o.gate } : {}),
      });
      pacer.add(conn);
      const link = linkOf(conn);
      return {
        ...link,
        get synced() {
          return conn.state === 'synced';
        },
        release: () => {
          pacer.drop(conn);
          link.release();
        },
        destroy: () => {
          pacer.drop(conn);
          link.destroy();
        },
      };
    },
    fetchMissing: (room, sv) => {
      const fetchNow = () => fetchRoomSnapshot(o.fetch, o.relay, room, o.token, sv);
      // An early answer that failed is asked for again, with the doc's state as it is now.
      return o.early?.take(o.relay, room, o.token)?.catch(fetchNow) ?? fetchNow();
    },
  };
}

/** Lets at most `max` connections be opening at once; a turn ends when the socket opened, failed, or CONNECT_TURN_MS. */
class Pacer {
  private readonly waiting = new Set<RoomConnection>();
  private readonly turns = new Map<RoomConnection, () => void>();

  constructor(private readonly max: number) {}

  add(conn: RoomConnection): void {
    if (this.turns.size < this.max) this.start(conn);
    else this.waiting.add(conn);
  }

  drop(conn: RoomConnection): void {
    this.waiting.delete(conn);
    this.turns.get(conn)?.();
  }

  private start(conn: RoomConnection): void {
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off();
      this.turns.delete(conn);
      this.next();
    };
    const off = conn.onState((s) => {
      if (s !== 'connecting' && s !== 'offline') end();
    });
    const timer = setTimeout(end, CONNECT_TURN_MS);
    (timer as { unref?: () => void }).unref?.();
    this.turns.set(conn, end);
    conn.connect();
  }

  private next(): void {
    for (const conn of this.waiting) {
      if (this.turns.size >= this.max) return;
      this.waiting.delete(conn);
      this.start(conn);
    }
  }
}

/** A RoomConnection as the engine's LiveLink. */
export function linkOf(conn: RoomConnection): LiveLink & { conn: RoomConnection } {
  return {
    conn,
    get synced() {
      return conn.state === 'synced';
    },
    onSynced(cb) {
      return conn.onState((s) => {
        if (s === 'synced') cb();
      });
    },
    flush: (signal) => conn.flush(signal),
    release: () => conn.release(),
    destroy: () => conn.destroy(),
  };
}

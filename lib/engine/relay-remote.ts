import { RoomConnection, fetchRoomSnapshot, type FetchLike } from '../relay-client';
import type { LiveLink, RemoteSide } from './doc-engine';

export interface RelayRemoteOptions {
  relay: string;
  token: string | null;
  fetch: FetchLike;
  /** Node 20 has no global WebSocket: pass `ws`'s class. */
  WebSocketPolyfill?: unknown;
  silenceTimeoutMs?: number;
}

/** The remote side over a Cairn relay: live links are RoomConnections, snapshots `GET /docs/<room>?sv=`. */
export function relayRemote(o: RelayRemoteOptions): RemoteSide {
  return {
    live(doc, room): LiveLink {
      const conn = new RoomConnection(doc, {
        relay: o.relay,
        room,
        token: o.token ?? undefined,
        ...(o.WebSocketPolyfill ? { WebSocketPolyfill: o.WebSocketPolyfill } : {}),
        ...(o.silenceTimeoutMs !== undefined ? { silenceTimeoutMs: o.silenceTimeoutMs } : {}),
      });
      return linkOf(conn);
    },
    fetchMissing: (room, sv) => fetchRoomSnapshot(o.fetch, o.relay, room, o.token, sv),
  };
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

import type { LiveLink, RemoteSide } from '../engine';
import type { RoomConnection } from '../relay-client';

/** The relay's live links, kept by room so the client can read the workspace connection's state. */
export interface RecordingRemote extends RemoteSide {
  conn(room: string): RoomConnection | undefined;
  onConn(cb: (room: string, conn: RoomConnection) => void): () => void;
}

export function recordingRemote(base: RemoteSide): RecordingRemote {
  const conns = new Map<string, RoomConnection>();
  const listeners = new Set<(room: string, conn: RoomConnection) => void>();
  return {
    live(d, room) {
      const link = base.live(d, room) as LiveLink & { conn: RoomConnection };
      conns.set(room, link.conn);
      for (const l of listeners) l(room, link.conn);
      const forget = () => {
        if (conns.get(room) === link.conn) conns.delete(room);
      };
      return {
        get synced() {
          return link.synced;
        },
        onSynced: (cb) => link.onSynced(cb),
        flush: (signal) => link.flush(signal),
        release: () => {
          forget();
          link.release();
        },
        destroy: () => {
          forget();
          link.destroy();
        },
      };
    },
    fetchMissing: (room, sv) => base.fetchMissing(room, sv),
    conn: (room) => conns.get(room),
    onConn(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
}


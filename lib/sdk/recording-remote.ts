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

/** Waits for the first sync of `room`'s live link, at most `ms`; an unreachable relay (a failed attempt) ends the
 * wait at once, so an offline script starts logging immediately. A refusal (bad token) rejects. */
export async function firstSync(remote: RecordingRemote, room: string, ms: number): Promise<void> {
  const conn =
    remote.conn(room) ??
    (await new Promise<RoomConnection>((resolve) => {
      const off = remote.onConn((r, c) => {
        if (r !== room) return;
        off();
        resolve(c);
      });
    }));
  if (conn.state === 'synced') return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(done, ms);
    const off = conn.onState((s) => {
      if (s === 'synced' || s === 'error') done();
    });
    // The close event of a refused socket arrives before the state turns to 'error': decide a tick later.
    const onClose = () => setTimeout(done, 0);
    conn.provider.on('connection-close', onClose);
    function done() {
      clearTimeout(t);
      off();
      conn.provider.off('connection-close', onClose);
      if (conn.state === 'error' && conn.error) reject(conn.error);
      else resolve();
    }
  });
}

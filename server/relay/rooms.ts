import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { DocStore } from './doc-store';
import type { RoomName } from './room-name';
import { encodeAwareness, encodeSyncUpdate } from './protocol';

/** What a room needs from a connection: a way to send it a frame. */
export interface RoomPeer {
  send(frame: Uint8Array): void;
}

export interface RoomLimits {
  compactAfterRows: number;
  compactAfterBytes: number;
  unloadDelayMs: number;
}

/**
 * One loaded document: the in-memory Y.Doc (the merged state every sync step2 is computed from), its awareness, and
 * the peers connected to it. Invariant: every change in `doc` that came from a peer is already in the store.
 */
export class Room {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  /** Peer → awareness client ids it controls, removed from everyone's view when it leaves. */
  readonly peers = new Map<RoomPeer, Set<number>>();
  private lastSeq = 0;
  private rows = 0;
  private bytesSinceSnapshot = 0;
  unloadTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly name: RoomName,
    private readonly store: DocStore,
    private readonly limits: RoomLimits,
    private readonly log: (line: string) => void,
  ) {
    // The relay is not a participant; without this every peer would see a phantom user.
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      this.broadcast(encodeSyncUpdate(update), origin);
    });
    this.awareness.on('update', (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      const changed = [...change.added, ...change.updated, ...change.removed];
      const ids = this.peers.get(origin as RoomPeer);
      if (ids) {
        for (const id of [...change.added, ...change.updated]) ids.add(id);
        for (const id of change.removed) ids.delete(id);
      }
      this.broadcast(encodeAwareness(this.awareness, changed), origin);
    });
  }

  load(): void {
    const rows = this.store.load(this.name.name);
    for (const row of rows) {
      try {
        Y.applyUpdate(this.doc, row.data, this);
      } catch (err) {
        // A row that decoded when it arrived but cannot be applied must not make the whole room unloadable.
        this.log(`room ${this.name.name}: skipping unreadable row ${row.seq}: ${(err as Error).message}`);
      }
      this.bytesSinceSnapshot += row.data.byteLength;
    }
    this.rows = rows.length;
    this.lastSeq = rows.at(-1)?.seq ?? 0;
    this.compactIfNeeded();
  }

  /**
   * Persist, then apply, then broadcast (the doc 'update' handler broadcasts). The caller has already checked that the
   * update decodes. Throws if the store fails; then nothing was applied or sent.
   */
  receiveUpdate(update: Uint8Array, origin: RoomPeer): void {
    this.lastSeq = this.store.append(this.name.name, update);
    this.rows++;
    this.bytesSinceSnapshot += update.byteLength;
    Y.applyUpdate(this.doc, update, origin);
    this.compactIfNeeded();
  }

  applyAwareness(update: Uint8Array, origin: RoomPeer): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin);
  }

  join(peer: RoomPeer): void {
    this.peers.set(peer, new Set());
  }

  leave(peer: RoomPeer): void {
    const ids = this.peers.get(peer);
    this.peers.delete(peer);
    if (ids && ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null);
  }

  compactIfNeeded(force = false): void {
    const due = this.rows > this.limits.compactAfterRows || this.bytesSinceSnapshot > this.limits.compactAfterBytes;
    if (this.rows <= 1 || !(due || force)) return;
    try {
      // Everything up to lastSeq is in `doc` (applied right after each append), so the snapshot covers those rows.
      const snapshot = Y.encodeStateAsUpdate(this.doc);
      this.store.compact(this.name.name, this.lastSeq, snapshot);
      this.rows = 1;
      this.bytesSinceSnapshot = 0;
    } catch (err) {
      // The uncompacted log is still complete and correct; try again at the next threshold or unload.
      this.log(`room ${this.name.name}: compaction failed: ${(err as Error).message}`);
    }
  }

  get rowCount(): number {
    return this.rows;
  }

  destroy(): void {
    if (this.unloadTimer) clearTimeout(this.unloadTimer);
    this.awareness.destroy();
    this.doc.destroy();
  }

  private broadcast(frame: Uint8Array, except: unknown): void {
    for (const peer of this.peers.keys()) {
      if (peer !== except) peer.send(frame);
    }
  }
}

/** Loads rooms on first use and unloads them a little after the last peer leaves (compacting on the way out). */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();

  constructor(
    private readonly store: DocStore,
    private readonly limits: RoomLimits,
    private readonly log: (line: string) => void,
  ) {}

  /** The loaded room, loading it if needed; cancels a pending unload. Throws if the store cannot be read. */
  open(name: RoomName): Room {
    let room = this.rooms.get(name.name);
    if (!room) {
      room = new Room(name, this.store, this.limits, this.log);
      try {
        room.load();
      } catch (err) {
        room.destroy();
        throw err;
      }
      this.rooms.set(name.name, room);
    }
    if (room.unloadTimer) {
      clearTimeout(room.unloadTimer);
      room.unloadTimer = null;
    }
    return room;
  }

  /** Call after a peer left or an HTTP read finished: schedules the unload if nobody is connected. */
  releaseIfIdle(room: Room): void {
    if (room.peers.size > 0 || room.unloadTimer || this.rooms.get(room.name.name) !== room) return;
    room.unloadTimer = setTimeout(() => {
      room.unloadTimer = null;
      if (room.peers.size === 0) this.unload(room);
    }, this.limits.unloadDelayMs);
    room.unloadTimer.unref();
  }

  get loadedRoomNames(): string[] {
    return [...this.rooms.keys()];
  }

  unloadAll(): void {
    for (const room of [...this.rooms.values()]) this.unload(room);
  }

  private unload(room: Room): void {
    this.rooms.delete(room.name.name);
    room.compactIfNeeded(true);
    room.destroy();
  }
}

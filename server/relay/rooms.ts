import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { DocStore } from './doc-store';
import type { RoomName } from './room-name';
import { encodeAwareness, encodeSyncUpdate } from '../../lib/relay-client/protocol';
import { admitUpdate, type Admission, type DecodedUpdate } from './update-admission';
import { applyHeldUpdate } from '../../lib/engine/held-bytes';

/** What a room needs from a connection: a way to send it a frame, and who it writes as. */
export interface RoomPeer {
  send(frame: Uint8Array): void;
  /** Ask the peer to resend what the room lacks, if a refused update of its is still missing (RELAY-25). */
  requestResync(): void;
  /** True when the peer is so far behind that presence (never document data) should skip it. */
  congested(): boolean;
  /** The writer behind the connection (RELAY-24): a token id, or the connection itself in open mode. */
  readonly principal: string;
  /** The client asked for relay notices (`?notices=1`, RELAY-40); stock y-websocket clients would log them as errors. */
  readonly notices?: boolean;
}

export interface RoomLimits {
  compactAfterRows: number;
  compactAfterBytes: number;
  unloadDelayMs: number;
}

/** An update Yjs cannot integrate (it threw while applying): rolled back and refused, the sender is closed 4400. */
export class UnappliableUpdate extends Error {}
/** The store could not commit: rolled back, nothing served; the sender is closed 1011 and resends on reconnect. */
export class StorageFailure extends Error {}

/** Room names remembered as applicable (RELAY-43) before the set starts again: ~6 MB of names at most. */
const MAX_APPLICABLE = 100_000;

export type ReceiveResult = { ok: true } | Extract<Admission, { ok: false }>;

/** What the relay does around rooms (the index's run-dirty marks, the format-1 conversion): called synchronously. */
export interface RoomHooks {
  /** A room was loaded from the store and registered (nobody has used it yet). */
  loaded?(room: Room): void;
  /**
   * An update (a peer's or the relay's own) was committed as row `seq` of the room and broadcast. `room` is null for a
   * relay write into a room that is not loaded (RoomRegistry.write).
   */
  committed?(name: RoomName, seq: number, room: Room | null): void;
}

/**
 * One loaded document: the in-memory Y.Doc (the merged state every sync step2 is computed from), its awareness, and
 * the peers connected to it. Invariant: `doc` holds exactly what the store holds (minus quarantined rows): an update
 * is applied, then committed, then broadcast, and a failure at either step rebuilds `doc` from the store before
 * anyone can read it (the relay is single-threaded; nothing runs between the steps).
 */
export class Room {
  private current = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.current);
  /** Peer → awareness client ids it controls, removed from everyone's view when it leaves. */
  readonly peers = new Map<RoomPeer, Set<number>>();
  /** Yjs client id → the writer holding it (RELAY-24). Released when its connection leaves. */
  private readonly holders = new Map<number, { principal: string; peer: RoomPeer }>();
  private lastSeq = 0;
  private rows = 0;
  private bytesSinceSnapshot = 0;
  /** Rows that failed to apply but could not be moved aside (store failing too): never compact them away. */
  private unquarantined = 0;
  /** The store could not be read back after a failure: `doc` is a stand-in, never to be compacted into the store. */
  private degraded = false;
  /** While receiving: the doc's update events, held back until the update is committed. */
  private held: { update: Uint8Array; origin: unknown }[] | null = null;
  private quiet = false;
  unloadTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly name: RoomName,
    private readonly store: DocStore,
    private readonly limits: RoomLimits,
    private readonly log: (line: string) => void,
    private readonly hooks: RoomHooks = {},
  ) {
    // The relay is not a participant; without this every peer would see a phantom user.
    this.awareness.setLocalState(null);
    this.watch(this.current);
    this.awareness.on('update', (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      const changed = [...change.added, ...change.updated, ...change.removed];
      const ids = this.peers.get(origin as RoomPeer);
      if (ids) {
        for (const id of [...change.added, ...change.updated]) ids.add(id);
        for (const id of change.removed) ids.delete(id);
      }
      this.broadcast(encodeAwareness(this.awareness, changed), origin, true);
    });
  }

  get doc(): Y.Doc {
    return this.current;
  }

  /**
   * Loads every stored row. A row that throws while applying is moved aside (DocStore.quarantine) and logged, and the
   * doc is rebuilt without it: a half-applied row must not leave half its structs in (RELAY-26).
   */
  load(): void {
    const skip = new Set<number>();
    for (;;) {
      const rows = this.store.load(this.name.name).filter((r) => !skip.has(r.seq));
      // Our own guid: Y.Doc's default is a uuid of 31 random draws, which costs more than loading a small run doc.
      const doc = new Y.Doc({ guid: this.name.name });
      let bad: { seq: number; error: Error } | null = null;
      for (const row of rows) {
        try {
          applyHeldUpdate(doc, row.data, this);
        } catch (err) {
          bad = { seq: row.seq, error: err as Error };
          break;
        }
      }
      if (!bad) {
        if (doc.store.pendingStructs || doc.store.pendingDs) {
          // Stored before admission existed (RELAY-24): kept as they are, and the pending check skips this room.
          this.log(`room ${this.name.name}: holds structs that wait for missing dependencies (stored by an older relay)`);
        }
        this.replaceDoc(doc);
        this.rows = rows.length;
        this.lastSeq = rows.at(-1)?.seq ?? 0;
        this.bytesSinceSnapshot = rows.reduce((n, r) => n + r.data.byteLength, 0);
        break;
      }
      doc.destroy();
      skip.add(bad.seq);
      const reason = `cannot be applied: ${bad.error.message}`;
      try {
        this.store.quarantine(this.name.name, bad.seq, reason);
        this.log(`room ${this.name.name}: row ${bad.seq} ${reason}; moved to doc_rejects, loading the rest`);
      } catch (err) {
        this.unquarantined++;
        this.log(`room ${this.name.name}: row ${bad.seq} ${reason}; skipped (could not move it aside: ${(err as Error).message})`);
      }
    }
    this.compactIfNeeded();
  }

  /** The writer holding a client id here, if any. */
  holderOf(client: number): string | undefined {
    return this.holders.get(client)?.principal;
  }

  /**
   * Admission (RELAY-24), then apply → commit → broadcast. Expected refusals come back as values (the caller asks the
   * sender to resync); throws UnappliableUpdate or StorageFailure, in both cases with `doc` rebuilt from the store
   * and nothing sent to anyone.
   */
  receiveUpdate(update: Uint8Array, decoded: DecodedUpdate, origin: RoomPeer): ReceiveResult {
    const admission = admitUpdate(this.current, decoded, origin.principal, (c) => this.holderOf(c));
    if (!admission.ok && admission.reason === 'invalid') throw new UnappliableUpdate(`update refused: ${admission.message}`);
    if (!admission.ok) return admission;
    const hadPending = this.current.store.pendingStructs !== null || this.current.store.pendingDs !== null;
    const held: { update: Uint8Array; origin: unknown }[] = [];
    this.held = held;
    try {
      Y.applyUpdate(this.current, update, origin);
    } catch (err) {
      this.held = null;
      this.rebuild();
      throw new UnappliableUpdate(`update cannot be applied: ${(err as Error).message}`);
    }
    this.held = null;
    if (!hadPending && (this.current.store.pendingStructs !== null || this.current.store.pendingDs !== null)) {
      // Yjs parked part of it (a dependency cycle the single pass does not see): as good as a gap.
      this.rebuild();
      const needs = new Map<number, number>();
      for (const s of decoded.structs) needs.set(s.id.client, Math.max(needs.get(s.id.client) ?? 0, s.id.clock + s.length));
      return { ok: false, reason: 'gap', message: 'update depends on structs the room does not have', needs };
    }
    this.commit(update, held, () => {
      for (const client of admission.claims) this.holders.set(client, { principal: origin.principal, peer: origin });
    });
    return { ok: true };
  }

  /**
   * The one commit path: `update` (what `held` holds) appended as one row, then the bookkeeping `after` the caller
   * needs, then broadcast (each held update to everyone but its origin), compaction and the committed hook. A failed
   * append rebuilds the doc from the store and throws StorageFailure, nothing sent.
   */
  private commit(update: Uint8Array, held: { update: Uint8Array; origin: unknown }[], after: () => void = () => {}): void {
    try {
      this.lastSeq = this.store.append(this.name.name, update);
    } catch (err) {
      this.rebuild();
      throw new StorageFailure(`storage failed: ${(err as Error).message}`);
    }
    this.rows++;
    this.bytesSinceSnapshot += update.byteLength;
    after();
    for (const h of held) this.broadcast(encodeSyncUpdate(h.update), h.origin);
    this.compactIfNeeded();
    this.hooks.committed?.(this.name, this.lastSeq, this);
  }

  /**
   * A write of the relay's own (the format-1 conversion, RELAY-38): `f` changes the doc, and what it changed is
   * committed as one row, then broadcast, as a peer's update would be. Returns false when `f` changed nothing. Throws
   * StorageFailure (doc rebuilt from the store, nothing sent) when the commit fails, or what `f` threw (doc rebuilt).
   */
  writeLocal(f: (doc: Y.Doc) => void): boolean {
    const held: { update: Uint8Array; origin: unknown }[] = [];
    this.held = held;
    try {
      f(this.current);
    } catch (err) {
      this.held = null;
      this.rebuild();
      throw err;
    }
    this.held = null;
    if (held.length === 0) return false;
    const update = held.length === 1 ? held[0]!.update : Y.mergeUpdates(held.map((h) => h.update));
    // The relay's own write: sent to every peer.
    this.commit(update, held.map((h) => ({ update: h.update, origin: null })));
    return true;
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
    let released = false;
    for (const [client, h] of this.holders) {
      if (h.peer !== peer) continue;
      this.holders.delete(client);
      released = true;
    }
    if (ids && ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null);
    // Someone refused for writing under one of these ids may now deliver it.
    if (released) for (const other of this.peers.keys()) other.requestResync();
  }

  /** Awareness client id → the peer that introduced it (RELAY-27). */
  awarenessHolder(clientId: number): RoomPeer | undefined {
    for (const [peer, ids] of this.peers) if (ids.has(clientId)) return peer;
    return undefined;
  }

  compactIfNeeded(force = false): void {
    const due = this.rows > this.limits.compactAfterRows || this.bytesSinceSnapshot > this.limits.compactAfterBytes;
    if (this.rows <= 1 || this.unquarantined > 0 || this.degraded || !(due || force)) return;
    try {
      // Everything up to lastSeq is in `doc` (applied right before each append), so the snapshot covers those rows.
      const snapshot = Y.encodeStateAsUpdate(this.current);
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
    this.current.destroy();
  }

  /** Back to exactly what the store holds: used after a refused or failed update touched `doc`. */
  private rebuild(): void {
    this.quiet = true;
    try {
      this.load();
    } catch (err) {
      // The store cannot even be read. The doc in hand may hold what was just refused, so it must not be served:
      // serve an empty doc until the room is loaded again (clients' handshakes then resend what they have).
      this.log(`room ${this.name.name}: reload after a failed update failed: ${(err as Error).message}`);
      this.replaceDoc(new Y.Doc());
      // This doc is not the store's content: folding it into a snapshot would delete stored rows.
      this.degraded = true;
    } finally {
      this.quiet = false;
    }
  }

  private replaceDoc(doc: Y.Doc): void {
    if (doc === this.current) return;
    // The old doc is dropped, not destroyed: destroying it would destroy the awareness bound to it.
    this.current.off('update', this.onDocUpdate);
    this.current = doc;
    this.watch(doc);
  }

  private watch(doc: Y.Doc): void {
    doc.on('update', this.onDocUpdate);
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (this.quiet || origin === this) return;
    if (this.held) this.held.push({ update, origin });
    else this.broadcast(encodeSyncUpdate(update), origin);
  };

  /** A relay notice to the peers that asked for them (RELAY-40), read-only ones included: it carries no document data. */
  notify(frame: Uint8Array): void {
    for (const peer of this.peers.keys()) if (peer.notices) peer.send(frame);
  }

  private broadcast(frame: Uint8Array, except: unknown, presence = false): void {
    for (const peer of this.peers.keys()) {
      if (peer !== except && !(presence && peer.congested())) peer.send(frame);
    }
  }
}

/** Loads rooms on first use and unloads them a little after the last peer leaves (compacting on the way out). */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  /** Rooms whose stored rows were applied once in this process (RELAY-43). */
  private readonly applicable = new Set<string>();

  /** Set by the relay once its services exist (they need the registry first). */
  hooks: RoomHooks = {};

  constructor(
    private readonly store: DocStore,
    private readonly limits: RoomLimits,
    private readonly log: (line: string) => void,
  ) {}

  /** The loaded room, loading it if needed; cancels a pending unload. Throws if the store cannot be read. */
  open(name: RoomName): Room {
    let room = this.rooms.get(name.name);
    if (!room) {
      room = new Room(name, this.store, this.limits, this.log, { committed: (n, seq, r) => this.hooks.committed?.(n, seq, r) });
      try {
        room.load();
      } catch (err) {
        room.destroy();
        throw err;
      }
      this.rooms.set(name.name, room);
      this.hooks.loaded?.(room);
    }
    if (room.unloadTimer) {
      clearTimeout(room.unloadTimer);
      room.unloadTimer = null;
    }
    return room;
  }

  /**
   * A write of the relay's own into a room (RELAY-38): through the loaded room (its peers get it at once), else into
   * the store from a throwaway copy, so converting many runs never keeps their rooms loaded. False when `f` changed
   * nothing. Throws when the commit fails (nothing kept).
   */
  write(name: RoomName, f: (doc: Y.Doc) => void): boolean {
    const loaded = this.rooms.get(name.name);
    if (loaded) return loaded.writeLocal(f);
    const d = new Y.Doc({ guid: name.name });
    try {
      try {
        for (const row of this.store.load(name.name)) applyHeldUpdate(d, row.data);
      } catch {
        // A row that cannot be applied: the room's own load moves it aside (RELAY-26); write through it.
        const room = this.open(name);
        try {
          return room.writeLocal(f);
        } finally {
          this.releaseIfIdle(room);
        }
      }
      const updates: Uint8Array[] = [];
      d.on('update', (u: Uint8Array) => void updates.push(u));
      f(d);
      if (updates.length === 0) return false;
      const seq = this.store.append(name.name, updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates));
      this.hooks.committed?.(name, seq, null);
      return true;
    } finally {
      d.destroy();
    }
  }

  /**
   * RELAY-43: what `GET /docs/<room>?sv=` serves for a run or metrics room that is not loaded, from its stored rows:
   * the room is not registered (nor kept for the unload delay) and its state is not encoded again. One row and an
   * empty `sv` (what a fresh reader asks) is the row itself; otherwise the rows merged (`Y.mergeUpdates`) and diffed
   * against `sv` (`Y.diffUpdate`): the content `encodeStateAsUpdate(doc, sv)` of the loaded room holds. The first read
   * of a room in this process applies its rows to a throwaway doc, so a row that does not apply is never served (null:
   * the caller loads the room, whose load moves the row aside, RELAY-26); later rows are this relay's own commits,
   * applied before they were stored. Null as well when the room is loaded: its doc is the truth.
   */
  storedState(name: RoomName, sv: Uint8Array | undefined): Uint8Array | null {
    if (this.rooms.has(name.name) || name.kind === 'workspace') return null;
    const rows = this.store.load(name.name);
    if (rows.length === 0) return Y.encodeStateAsUpdate(new Y.Doc());
    try {
      if (!this.applicable.has(name.name)) {
        const d = new Y.Doc({ guid: name.name });
        try {
          for (const row of rows) applyHeldUpdate(d, row.data);
          if (d.store.pendingStructs || d.store.pendingDs) return null;
        } finally {
          d.destroy();
        }
        if (this.applicable.size >= MAX_APPLICABLE) this.applicable.clear();
        this.applicable.add(name.name);
      }
      const update = rows.length === 1 ? rows[0]!.data : Y.mergeUpdates(rows.map((r) => r.data));
      return !sv || Y.decodeStateVector(sv).size === 0 ? update : Y.diffUpdate(update, sv);
    } catch {
      return null;
    }
  }

  /** The room if it is loaded; never loads. */
  peek(name: string): Room | undefined {
    return this.rooms.get(name);
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

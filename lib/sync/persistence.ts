import * as Y from 'yjs';
import { COMPACT_EVERY_UPDATES, type LocalStore } from '../store';
import { changedDoc } from '../engine/ports';
import { applyHeldUpdate } from '../engine/held-bytes';

/**
 * Binds one Y.Doc to its update log in the LocalStore (README.md "Persistence guarantee").
 *
 * Every update the doc emits — local command, relay, snapshot fetch — is queued and written, except updates applied
 * by `load()` itself (origin STORE_ORIGIN), which are already stored. Queued updates are written in batches, one
 * row per batch (merged), on a single promise chain; `whenPersisted()` returns the chain's tail, which settles only
 * after every update emitted before the call is in IndexedDB. That is what lets a command resolve "saved".
 * Updates of an origin `opts.deferred` names (the relay holds them already) wait up to `deferMs` (SYNC-P4).
 */
export const STORE_ORIGIN = Symbol('cairn-store-load');

/** How long an update the relay already holds (a snapshot, a peer's change) may wait to be stored (SYNC-P4). */
export const DEFER_REMOTE_MS = 3_000;

export interface PersistenceOptions {
  /** Origins of updates that need not be stored at once: the relay holds them already (SYNC-P4). */
  deferred?: (origin: unknown) => boolean;
  deferMs?: number;
}

export class DocPersistence {
  private queue: Uint8Array[] = [];
  private batchScheduled = false;
  private tail: Promise<void> = Promise.resolve();
  /** Row ids this replica has applied or written since the last snapshot (see LocalStore.compact). */
  private known = new Set<number>();
  private lastId = 0;
  /** Set when a write failed: the next batch writes the full doc state, which repairs whatever was lost. */
  private needsSnapshot = false;
  private destroyed = false;
  private errorListeners = new Set<(e: unknown) => void>();
  /** A batch of deferred (remote) updates waiting for its time (SYNC-P4). */
  private deferTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly store: LocalStore,
    readonly name: string,
    readonly doc: Y.Doc,
    private readonly compactEvery: number = COMPACT_EVERY_UPDATES,
    /** Origin of the updates `load()` applies (the doc engine names its own). */
    private readonly loadOrigin: unknown = STORE_ORIGIN,
    private readonly opts: PersistenceOptions = {},
  ) {
    doc.on('update', this.onUpdate);
  }

  /** Applies everything stored for this doc. Call before connecting the doc to the network. */
  async load(): Promise<void> {
    const { update, ids } = await this.store.loadUpdates(this.name);
    if (update) applyHeldUpdate(this.doc, update, this.loadOrigin);
    for (const id of ids) this.known.add(id);
    this.lastId = ids.length ? ids[ids.length - 1]! : 0;
    // A log that grew past the threshold in earlier sessions (or other tabs) is compacted right away.
    if (ids.length > this.compactEvery) this.chain(() => this.compactNow());
  }

  /** Settles after every update emitted so far is stored (deferred ones are written now); rejects if that failed. */
  whenPersisted(): Promise<void> {
    this.writeDeferredNow();
    return this.tail;
  }

  onError(cb: (e: unknown) => void): () => void {
    this.errorListeners.add(cb);
    return () => this.errorListeners.delete(cb);
  }

  /**
   * Applies `update`, bytes the caller holds already (a relay snapshot), and stores those very bytes (SYNC-P5). Yjs
   * encodes every applied update again for the doc's 'update' listeners (~3 ms per MB); with this one off meanwhile, a
   * doc nobody else listens to is spared that. Bytes Yjs refuses rethrow, and the next batch stores the whole doc
   * state, which covers whatever part of them was applied.
   */
  applyUpdate(update: Uint8Array, origin: unknown): void {
    if (this.destroyed) {
      applyHeldUpdate(this.doc, update, origin);
      return;
    }
    let changed = false;
    const seen = (tr: Y.Transaction) => {
      if (changedDoc(tr)) changed = true;
    };
    this.doc.off('update', this.onUpdate);
    this.doc.on('afterTransaction', seen);
    try {
      applyHeldUpdate(this.doc, update, origin);
    } catch (err) {
      this.needsSnapshot = true;
      this.scheduleBatch();
      throw err;
    } finally {
      this.doc.off('afterTransaction', seen);
      if (!this.destroyed) this.doc.on('update', this.onUpdate);
    }
    // Bytes that added nothing (a delta of a doc already up to date) are not stored, as Yjs would emit no update.
    if (changed) this.onUpdate(update, origin);
  }

  /** Stops listening; pending writes still complete (await `whenPersisted()` first to be sure). */
  destroy(): void {
    this.destroyed = true;
    this.doc.off('update', this.onUpdate);
    this.writeDeferredNow();
  }

  private onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this.loadOrigin || this.destroyed) return;
    this.queue.push(update);
    if (this.batchScheduled) return;
    if (this.opts.deferred?.(origin)) {
      // SYNC-P4: the relay has it; storing it can wait until the page has drawn (a local write takes it along).
      this.deferTimer ??= setTimeout(() => this.writeDeferredNow(), this.opts.deferMs ?? DEFER_REMOTE_MS);
      return;
    }
    this.scheduleBatch();
  };

  private scheduleBatch(): void {
    if (this.deferTimer) {
      clearTimeout(this.deferTimer);
      this.deferTimer = null;
    }
    if (this.batchScheduled) return;
    this.batchScheduled = true;
    this.chain(() => this.writeBatch());
  }

  private writeDeferredNow(): void {
    if (this.deferTimer) this.scheduleBatch();
  }

  /** Runs `step` after everything before it, whether that succeeded or not; its own failure rejects its waiters. */
  private chain(step: () => Promise<void>): void {
    const next = this.tail.then(step, step);
    next.catch((e) => {
      for (const l of this.errorListeners) l(e);
    });
    this.tail = next;
  }

  private async writeBatch(): Promise<void> {
    // Take the whole queue at the start: updates emitted while this write is in flight start the next batch.
    this.batchScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (this.needsSnapshot) {
      this.needsSnapshot = false;
      batch.unshift(Y.encodeStateAsUpdate(this.doc));
    }
    if (batch.length === 0) return;
    let ids: number[];
    try {
      // One row per batch: a sync burst of thousands of small updates costs one row, not thousands.
      ids = await this.store.appendUpdates(this.name, [batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch)]);
    } catch (e) {
      this.needsSnapshot = true;
      throw e;
    }
    for (const id of ids) this.known.add(id);
    this.lastId = Math.max(this.lastId, ...ids);
    if (this.known.size > this.compactEvery) await this.compactNow();
  }

  private async compactNow(): Promise<void> {
    if (this.lastId === 0) return;
    // The doc holds every row in `known` (it applied or emitted them), so its state replaces them; rows of other
    // tabs that slipped in below lastId are merged in by the store.
    const snapshot = Y.encodeStateAsUpdate(this.doc);
    await this.store.compact(this.name, snapshot, this.lastId, this.known);
    this.known = new Set([this.lastId]);
  }
}

// From the modules themselves, not lib/domain's index: the data worker's first module loads this (workers/boot.ts).
import { CairnError } from '../domain/errors';
import { asSha256, sha256Hex } from '../domain/ids';
import { DEFAULT_DB_NAME, SCHEMA_VERSION, createDexie, type CairnDexie, type UpdateRow } from './schema';

/**
 * The browser's local storage port: a Yjs update log per document, blobs by sha256, and small settings, all in
 * ONE Dexie database. It knows nothing about Yjs: merging updates is passed in (`mergeUpdates`), so this module
 * depends on Dexie and lib/domain only.
 *
 * Upgrade rule (README.md): when another tab opens a newer schema, this connection closes, every later call throws
 * INVALID_STATE, and `onUpgradeNeeded` listeners are told once so the app can reload onto the new code.
 */

/** Rows per document before its log is compacted into one snapshot: loading stays one merge of a few hundred
 * small rows at most, while compaction (a full state encode) stays rare during a burst of remote updates. */
export const COMPACT_EVERY_UPDATES = 200;

/** A preloaded doc nobody loaded by then is dropped (it may hold megabytes): see LocalStore.preloadUpdates. */
export const PRELOAD_TTL_MS = 15_000;

/** Dexie stores version n as IndexedDB version n×10 (it reserves the decimals). */
const DEXIE_VERSION_SCALE = 10;

/** Merges Yjs updates into one (lib/sync passes `Y.mergeUpdates`). */
export type MergeUpdates = (updates: Uint8Array[]) => Uint8Array;

export interface LocalStoreOptions {
  mergeUpdates: MergeUpdates;
  /** Database name; tests use a fresh one each. */
  name?: string;
}

export interface LoadedDoc {
  /** All stored rows merged into one update, or null when the document has no rows yet. */
  update: Uint8Array | null;
  /** Ids of the rows that were merged, ascending. */
  ids: number[];
}

export interface StoredBlob {
  sha256: string;
  data: Uint8Array;
  size: number;
  mediaType: string;
}

export type UpgradeReason = 'newer-schema-elsewhere' | 'newer-schema-on-disk';

export class LocalStore {
  private readonly db: CairnDexie;
  private readonly merge: MergeUpdates;
  private closedBy: UpgradeReason | null = null;
  private readonly upgradeListeners = new Set<(r: UpgradeReason) => void>();
  /** Docs read ahead of their first loadUpdates (preloadUpdates), each taken at most once. */
  private readonly preloaded = new Map<string, { loaded: Promise<LoadedDoc>; timer: ReturnType<typeof setTimeout> }>();

  private constructor(db: CairnDexie, merge: MergeUpdates) {
    this.db = db;
    this.merge = merge;
    this.db.on('versionchange', () => {
      // Dexie's own handler closes with auto-reopen on; reopening would hit VersionError on every call, so close
      // for good and let the app reload onto the code that knows the new schema.
      this.db.close({ disableAutoOpen: true });
      this.markClosed('newer-schema-elsewhere');
    });
  }

  /** Opens (and upgrades, if this code is newer) the database. A database already newer than this code → INVALID_STATE. */
  static async open(opts: LocalStoreOptions): Promise<LocalStore> {
    const store = new LocalStore(createDexie(opts.name ?? DEFAULT_DB_NAME), opts.mergeUpdates);
    try {
      await store.db.open();
    } catch (err) {
      if (err instanceof Error && err.name === 'VersionError') {
        store.markClosed('newer-schema-on-disk');
        throw newerOnDisk();
      }
      throw new CairnError('INTERNAL_ERROR', `Could not open the local database: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Dexie 4 opens a database that newer code upgraded (no VersionError) and works on whatever tables it knows.
    // Old code must not write into a schema it does not understand: stop and reload instead.
    if (store.db.backendDB().version > SCHEMA_VERSION * DEXIE_VERSION_SCALE) {
      store.db.close({ disableAutoOpen: true });
      store.markClosed('newer-schema-on-disk');
      throw newerOnDisk();
    }
    return store;
  }

  get isOpen(): boolean {
    return this.closedBy === null;
  }

  /** Called once when this connection had to close for a schema upgrade (immediately if it already has). */
  onUpgradeNeeded(cb: (reason: UpgradeReason) => void): () => void {
    if (this.closedBy) {
      const reason = this.closedBy;
      queueMicrotask(() => cb(reason));
      return () => {};
    }
    this.upgradeListeners.add(cb);
    return () => this.upgradeListeners.delete(cb);
  }

  close(): void {
    for (const e of this.preloaded.values()) clearTimeout(e.timer);
    this.preloaded.clear();
    this.db.close({ disableAutoOpen: true });
  }

  // ---- update log -------------------------------------------------------------------------------------------

  /** Appends one update; returns its row id. */
  async appendUpdate(doc: string, update: Uint8Array): Promise<number> {
    this.requireOpen();
    return this.guard(() => this.db.updates.add({ doc, update }) as Promise<number>);
  }

  /** Appends several updates in one transaction; returns their row ids in order. */
  async appendUpdates(doc: string, updates: Uint8Array[]): Promise<number[]> {
    this.requireOpen();
    if (updates.length === 0) return [];
    return this.guard(
      () => this.db.updates.bulkAdd(updates.map((update) => ({ doc, update })), { allKeys: true }) as Promise<number[]>,
    );
  }

  /**
   * STORE-P1: starts reading `docs` now, for the first loadUpdates of each (the data worker's first module reads what
   * the page it was started for opens, while the rest of the worker still compiles: workers/boot.ts). Each read is
   * taken once, within `ttlMs`; a failed one is read again.
   */
  preloadUpdates(docs: readonly string[], ttlMs = PRELOAD_TTL_MS): void {
    for (const doc of docs) {
      if (this.preloaded.has(doc) || !this.isOpen) continue;
      const loaded = this.readUpdates(doc);
      loaded.catch(() => {});
      const timer = setTimeout(() => this.preloaded.delete(doc), ttlMs);
      this.preloaded.set(doc, { loaded, timer });
    }
  }

  /**
   * Every row of a document, merged into one update. A preloaded read is used only when the document's row ids are
   * still the same (a keys-only read): a row another tab appended or compacted meanwhile means reading again.
   */
  async loadUpdates(doc: string): Promise<LoadedDoc> {
    this.requireOpen();
    const early = this.preloaded.get(doc);
    if (early) {
      clearTimeout(early.timer);
      this.preloaded.delete(doc);
      const got = await early.loaded.catch(() => null);
      if (got) {
        const ids = (await this.guard(() => this.db.updates.where('doc').equals(doc).primaryKeys())) as number[];
        if (ids.length === got.ids.length && ids.every((id, i) => id === got.ids[i])) return got;
      }
    }
    return this.readUpdates(doc);
  }

  private async readUpdates(doc: string): Promise<LoadedDoc> {
    this.requireOpen();
    const rows = await this.guard(() => this.db.updates.where('doc').equals(doc).sortBy('id'));
    if (rows.length === 0) return { update: null, ids: [] };
    const updates = rows.map((r) => r.update);
    return { update: updates.length === 1 ? updates[0]! : this.merge(updates), ids: rows.map((r) => r.id!) };
  }

  /** Which of `docs` have at least one stored update: one read of the `doc` index's keys, not of the rows. */
  async storedDocs(docs: readonly string[]): Promise<Set<string>> {
    this.requireOpen();
    if (docs.length === 0) return new Set();
    const keys = await this.guard(() => this.db.updates.where('doc').anyOf([...docs]).uniqueKeys());
    return new Set(keys.map(String));
  }

  async countUpdates(doc: string): Promise<number> {
    this.requireOpen();
    return this.guard(() => this.db.updates.where('doc').equals(doc).count());
  }

  /**
   * Replaces every row of `doc` with id ≤ `uptoId` by ONE row holding `snapshot`, in one transaction; the snapshot
   * row takes id `uptoId`, so it still sorts before rows appended after the snapshot was taken.
   *
   * Another tab may have appended rows for the same doc that the caller never saw. Rows ≤ uptoId whose id is not in
   * `known` are merged into the snapshot rather than dropped (without `known`, every row is merged in: always safe,
   * just slower). Returns the ids that were replaced.
   */
  async compact(doc: string, snapshot: Uint8Array, uptoId: number, known?: ReadonlySet<number>): Promise<number[]> {
    this.requireOpen();
    return this.guard(() =>
      this.db.transaction('rw', this.db.updates, async () => {
        const rows: UpdateRow[] = await this.db.updates.where('doc').equals(doc).and((r) => r.id! <= uptoId).toArray();
        const foreign = rows.filter((r) => !known || !known.has(r.id!)).map((r) => r.update);
        const merged = foreign.length ? this.merge([snapshot, ...foreign]) : snapshot;
        const ids = rows.map((r) => r.id!);
        await this.db.updates.bulkDelete(ids);
        await this.db.updates.put({ id: uptoId, doc, update: merged });
        return ids;
      }),
    );
  }

  /** Names of the documents with rows whose name starts with `prefix` (sorted). */
  async docNames(prefix: string): Promise<string[]> {
    this.requireOpen();
    const keys = await this.guard(() => this.db.updates.where('doc').startsWith(prefix).uniqueKeys());
    return (keys as string[]).sort();
  }

  /** Moves every row of document `from` to document `to` (in one transaction; rows keep their ids and order). */
  async renameDoc(from: string, to: string): Promise<void> {
    this.requireOpen();
    await this.guard(() =>
      this.db.transaction('rw', this.db.updates, async () => {
        await this.db.updates.where('doc').equals(from).modify({ doc: to });
      }),
    );
  }

  /** Drops a document's whole log (a closed run doc the user asked to forget, tests). */
  async deleteDoc(doc: string): Promise<void> {
    this.requireOpen();
    await this.guard(() => this.db.updates.where('doc').equals(doc).delete());
  }

  // ---- settings ---------------------------------------------------------------------------------------------

  /** `undefined` when never set (a stored `null` is a real value: "explicitly none"). */
  async getSetting<T>(key: string): Promise<T | undefined> {
    this.requireOpen();
    const row = await this.guard(() => this.db.settings.get(key));
    return row?.value as T | undefined;
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    this.requireOpen();
    await this.guard(() => this.db.settings.put({ key, value }));
  }

  /** Keys of the settings whose key starts with `prefix` (sorted). */
  async settingKeys(prefix: string): Promise<string[]> {
    this.requireOpen();
    return this.guard(() => this.db.settings.where('key').startsWith(prefix).primaryKeys() as Promise<string[]>);
  }

  async deleteSetting(key: string): Promise<void> {
    this.requireOpen();
    await this.guard(() => this.db.settings.delete(key));
  }

  // ---- caches -----------------------------------------------------------------------------------------------

  /** Derived data saved to paint fast; `undefined` when never saved. Never read as the truth (lib/store README). */
  async getCache<T>(key: string): Promise<T | undefined> {
    this.requireOpen();
    const row = await this.guard(() => this.db.caches.get(key));
    return row?.value as T | undefined;
  }

  /** Whether something is saved under `key` (its primary key only: a saved index can be megabytes). */
  async hasCache(key: string): Promise<boolean> {
    this.requireOpen();
    return (await this.guard(() => this.db.caches.where('key').equals(key).count())) > 0;
  }

  async putCache(key: string, value: unknown): Promise<void> {
    this.requireOpen();
    await this.guard(() => this.db.caches.put({ key, value, savedAt: Date.now() }));
  }

  // ---- blobs ------------------------------------------------------------------------------------------------

  /** Stores bytes under their sha256, verified here because the caller's hash may come from a peer. */
  async putBlob(sha256: string, data: Uint8Array | Blob, mediaType = 'application/octet-stream'): Promise<void> {
    this.requireOpen();
    const sha = asSha256(sha256);
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(await data.arrayBuffer());
    const actual = await sha256Hex(bytes);
    if (actual !== sha) throw new CairnError('INVALID_PARAMETER_VALUE', `blob content hashes to ${actual}, not ${sha}`, { expected: sha, actual });
    await this.guard(() => this.db.blobs.put({ sha256: sha, data: bytes, size: bytes.byteLength, mediaType, storedAt: Date.now() }));
  }

  async getBlob(sha256: string): Promise<StoredBlob | null> {
    this.requireOpen();
    const row = await this.guard(() => this.db.blobs.get(sha256));
    return row ? { sha256: row.sha256, data: row.data, size: row.size, mediaType: row.mediaType } : null;
  }

  async hasBlob(sha256: string): Promise<boolean> {
    this.requireOpen();
    return (await this.guard(() => this.db.blobs.where('sha256').equals(sha256).count())) > 0;
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private markClosed(reason: UpgradeReason): void {
    if (this.closedBy) return;
    this.closedBy = reason;
    for (const l of this.upgradeListeners) l(reason);
    this.upgradeListeners.clear();
  }

  private requireOpen(): void {
    if (this.closedBy) throw closedError();
  }

  /** A Dexie call that fails because the connection closed underneath it is the same INVALID_STATE, not a bug. */
  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      if (this.closedBy) throw closedError();
      if (err instanceof CairnError) throw err;
      const name = err instanceof Error ? err.name : '';
      if (name === 'QuotaExceededError' || (err as { inner?: { name?: string } })?.inner?.name === 'QuotaExceededError')
        throw new CairnError('RESOURCE_EXHAUSTED', 'The browser refused to store more data (storage quota exceeded).');
      throw new CairnError('INTERNAL_ERROR', `Local database error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function newerOnDisk(): CairnError {
  return new CairnError('INVALID_STATE', 'The local database was upgraded by a newer version of Cairn; reload the page.');
}

function closedError(): CairnError {
  return new CairnError('INVALID_STATE', 'The local database was upgraded in another tab; this tab must reload before writing.');
}


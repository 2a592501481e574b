import type { Journal, JournalState } from './journal';
import { replay } from './journal';

/**
 * Browser journal on raw IndexedDB (the SDK never imports Dexie): database `cairn-sdk/<namespace>`, store `records`
 * (auto-increment keys keep append order) and store `blobs`. Appends are queued into one transaction per tick;
 * `durable()` resolves when every queued record's transaction has committed.
 */
const DB_VERSION = 1;

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(t: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export async function openBrowserJournal(namespace: string): Promise<Journal> {
  const open = indexedDB.open(`cairn-sdk/${namespace}`, DB_VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('records')) db.createObjectStore('records', { autoIncrement: true });
    if (!db.objectStoreNames.contains('blobs')) db.createObjectStore('blobs');
  };
  const db = await req(open);
  let queue: Uint8Array[] = [];
  let last: Promise<void> = Promise.resolve();
  let count = 0;

  const drain = () => {
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    const t = db.transaction('records', 'readwrite');
    const s = t.objectStore('records');
    for (const r of batch) s.add(r);
    const p = done(t);
    last = last.then(() => p);
  };

  return {
    async load(): Promise<JournalState> {
      const t = db.transaction('records', 'readonly');
      const all = (await req(t.objectStore('records').getAll())) as Uint8Array[];
      count = all.length;
      return replay(all, `IndexedDB cairn-sdk/${namespace}`);
    },
    append(records: Uint8Array[]): void {
      if (queue.length === 0) queueMicrotask(drain);
      queue.push(...records);
      count += records.length;
    },
    async durable(): Promise<void> {
      drain();
      await last;
    },
    async stored(): Promise<void> {
      drain();
      await last;
    },
    async putBlob(sha256: string, bytes: Uint8Array): Promise<void> {
      const t = db.transaction('blobs', 'readwrite');
      t.objectStore('blobs').put(bytes, sha256);
      await done(t);
    },
    async getBlob(sha256: string): Promise<Uint8Array | null> {
      const t = db.transaction('blobs', 'readonly');
      return ((await req(t.objectStore('blobs').get(sha256))) as Uint8Array | undefined) ?? null;
    },
    async rewrite(records: Uint8Array[]): Promise<void> {
      drain();
      await last;
      const t = db.transaction('records', 'readwrite');
      const s = t.objectStore('records');
      s.clear();
      for (const r of records) s.add(r);
      await done(t);
      count = records.length;
    },
    // Browser journals are bounded by record count rather than bytes: ~1 KB a record on average.
    size: () => count * 1024,
    async close(): Promise<void> {
      drain();
      await last;
      db.close();
    },
  };
}

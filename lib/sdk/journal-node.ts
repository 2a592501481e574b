import type { Journal, JournalState } from './journal';
import { replay } from './journal';
import { CairnError } from '../domain';

/**
 * Node journal: one append-only file, `<dir>/journal.bin`, written with writeSync so a record is in the OS page
 * cache (and survives the process being killed) before the call that logged it returns.
 * Frame: u32 length, u32 FNV-1a checksum, payload. A torn or corrupt tail (crash mid-write) is cut off on load.
 */
type Fs = typeof import('node:fs');
type Path = typeof import('node:path');

function fnv1a(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Reused framing buffer: the hot path (one append per logMetric call) allocates nothing here. */
let scratch = new Uint8Array(64 * 1024);

function frame(records: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const r of records) n += 8 + r.length;
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  const out = scratch.subarray(0, n);
  const dv = new DataView(out.buffer, 0, n);
  let o = 0;
  for (const r of records) {
    dv.setUint32(o, r.length, true);
    dv.setUint32(o + 4, fnv1a(r), true);
    out.set(r, o + 8);
    o += 8 + r.length;
  }
  return out;
}

export async function openNodeJournal(dir: string): Promise<Journal> {
  const fs: Fs = await import('node:fs');
  const path: Path = await import('node:path');
  fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
  const file = path.join(dir, 'journal.bin');
  let fd = fs.openSync(file, 'a+');
  let bytes = fs.fstatSync(fd).size;
  /** Appended since the last fsync (true at first: a killed predecessor's writes may still be in the page cache). */
  let unsynced = true;
  /** The fsync callers of this tick share: one fsync covers everything written before it, so 200 run.end() calls
   * started together cost one, not 200 (each blocks the event loop for about a millisecond). */
  let syncing: Promise<void> | null = null;
  let closed = false;

  const journal: Journal = {
    async load(): Promise<JournalState> {
      const buf = fs.readFileSync(file);
      const records: Uint8Array[] = [];
      let o = 0;
      while (o + 8 <= buf.length) {
        const len = buf.readUInt32LE(o);
        const sum = buf.readUInt32LE(o + 4);
        if (o + 8 + len > buf.length) break;
        const rec = new Uint8Array(buf.buffer, buf.byteOffset + o + 8, len);
        if (fnv1a(rec) !== sum) {
          // Only the LAST frame may be torn (a crash mid-append); a bad frame with data after it is damage, and
          // cutting there would throw away good records: refuse and leave the file as it is.
          if (o + 8 + len < buf.length)
            throw new CairnError('DATA_LOSS', `The Cairn journal at ${file} is damaged at byte ${o}; it was left untouched. Use another data dir, or move this one aside.`);
          break;
        }
        records.push(rec.slice());
        o += 8 + len;
      }
      if (o !== buf.length) {
        // A torn tail from a crash mid-write: drop it so later appends start on a record boundary.
        fs.ftruncateSync(fd, o);
        bytes = o;
      }
      return replay(records, file);
    },
    append(records: Uint8Array[]): void {
      if (records.length === 0) return;
      const f = frame(records);
      let off = 0;
      while (off < f.length) off += fs.writeSync(fd, f, off, f.length - off);
      bytes += f.length;
      unsynced = true;
    },
    durable(): Promise<void> {
      // writeSync already handed the bytes to the kernel; fsync additionally covers power loss. It runs after the
      // caller's appends (a microtask later), so it covers them.
      return (syncing ??= Promise.resolve().then(() => {
        syncing = null;
        if (!unsynced || closed) return;
        unsynced = false;
        try {
          fs.fsyncSync(fd);
        } catch (e) {
          unsynced = true;
          throw e;
        }
      }));
    },
    stored: () => Promise.resolve(),
    async putBlob(sha256: string, data: Uint8Array): Promise<void> {
      const p = path.join(dir, 'blobs', sha256);
      if (fs.existsSync(p)) return;
      const tmp = `${p}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, data);
      fs.renameSync(tmp, p);
    },
    async getBlob(sha256: string): Promise<Uint8Array | null> {
      const p = path.join(dir, 'blobs', sha256);
      return fs.existsSync(p) ? new Uint8Array(fs.readFileSync(p)) : null;
    },
    async rewrite(records: Uint8Array[]): Promise<void> {
      const tmp = `${file}.compact`;
      const f = frame(records).slice();
      fs.writeFileSync(tmp, f);
      const tfd = fs.openSync(tmp, 'r+');
      fs.fsyncSync(tfd);
      fs.closeSync(tfd);
      fs.closeSync(fd);
      fs.renameSync(tmp, file);
      fd = fs.openSync(file, 'a+');
      bytes = f.length;
    },
    size: () => bytes,
    async close(): Promise<void> {
      closed = true;
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
  return journal;
}

/**
 * A STORE-only (uncompressed) zip writer and reader with CRC-32, small enough to audit, for moving a model directory
 * as one blob. Deterministic by construction (MODEL-12): entries sorted by path, every timestamp the DOS epoch
 * (1980-01-01 00:00), no extra fields, no comments, the same attributes for every file — the same files always give
 * the same bytes, so the zip's sha256 identifies the model's content. Model files are mostly already-compressed
 * weights; STORE costs little and keeps the reader trivial. Readable by `unzip` and every zip tool.
 *
 * Limits: no zip64 (each file and the whole zip under 4 GiB, at most 65,535 entries); the reader takes STORE entries
 * (what this writer writes), and DEFLATE ones when the caller passes an `inflateRaw` (project zips, server/projects);
 * it refuses others with NOT_IMPLEMENTED.
 */
import { CairnError, invalid } from '../domain';

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const END_SIG = 0x06054b50;
/** DOS date of 1980-01-01 (year 0, month 1, day 1); time 00:00:00 is 0. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** General-purpose flag bit 11: names are UTF-8. */
const UTF8_FLAG = 0x0800;
const VERSION = 20;
const MAX_U32 = 0xffffffff;

let table: Uint32Array | null = null;
/** CRC-32 (IEEE 802.3, the zip one): crc32("123456789") is 0xCBF43926. */
export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A path inside a model zip: relative, `/`-separated, no `.`/`..` segments, no backslash (no zip slip). */
export function checkEntryPath(path: string): string {
  const segs = path.split('/');
  if (!path || path.startsWith('/') || path.includes('\\') || /^[A-Za-z]:/.test(path) || segs.some((s) => s === '' || s === '.' || s === '..')) {
    throw invalid(`Invalid path in model archive: '${path}'`, { path });
  }
  return path;
}

/** Write files (path → bytes) as a deterministic STORE zip. */
export function writeZip(files: ReadonlyMap<string, Uint8Array> | Record<string, Uint8Array>): Uint8Array {
  const entries = (files instanceof Map ? [...files.entries()] : Object.entries(files)).map(([p, b]) => [checkEntryPath(p), b] as const);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length > 0xffff) throw invalid('A model archive holds at most 65,535 files');
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [path, data] of entries) {
    const name = enc.encode(path);
    const crc = crc32(data);
    if (data.length > MAX_U32) throw invalid(`'${path}' is too large for a model archive (4 GiB at most)`);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, LOCAL_SIG, true);
    lv.setUint16(4, VERSION, true);
    lv.setUint16(6, UTF8_FLAG, true);
    lv.setUint16(8, 0, true); // STORE
    lv.setUint16(10, 0, true);
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 0, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, CENTRAL_SIG, true);
    cv.setUint16(4, VERSION, true);
    cv.setUint16(6, VERSION, true);
    cv.setUint16(8, UTF8_FLAG, true);
    cv.setUint16(10, 0, true);
    cv.setUint16(12, 0, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, data);
    centrals.push(central);
    offset += local.length + data.length;
    if (offset > MAX_U32) throw invalid('A model archive is 4 GiB at most');
  }
  const centralSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, END_SIG, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralSize + end.length);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export interface ReadZipOptions {
  /**
   * Raw DEFLATE decoding (method 8) for zips other tools wrote — Node passes `zlib.inflateRawSync`. This module stays
   * pure (browser and Node); without it a deflated entry is refused with NOT_IMPLEMENTED. `size` is the entry's
   * declared size: the decoder must not produce more (Node: `maxOutputLength`), or a small entry could inflate to
   * gigabytes before its size is checked.
   */
  inflateRaw?: (data: Uint8Array, size: number) => Uint8Array;
  /** The most bytes all entries may hold together, by their declared sizes, checked before any is read. */
  maxBytes?: number;
}

/** Read a STORE zip (and DEFLATE with `inflateRaw`) into path → bytes, checking every CRC (DATA_LOSS on a mismatch)
 * and every path (no zip slip). */
export function readZip(zip: Uint8Array, opts: ReadZipOptions = {}): Map<string, Uint8Array> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const corrupt = (why: string) => new CairnError('DATA_LOSS', `Invalid model archive: ${why}`);
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === END_SIG) {
      end = i;
      break;
    }
  }
  if (end < 0) throw corrupt('no end of central directory');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const dec = new TextDecoder('utf-8', { fatal: true });
  const out = new Map<string, Uint8Array>();
  let declared = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || view.getUint32(at, true) !== CENTRAL_SIG) throw corrupt(`central directory entry ${n} is damaged`);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const size = view.getUint32(at + 20, true);
    const rawSize = view.getUint32(at + 24, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const localAt = view.getUint32(at + 42, true);
    let path: string;
    try {
      path = dec.decode(zip.subarray(at + 46, at + 46 + nameLen));
    } catch {
      throw corrupt(`central directory entry ${n} has a name that is not UTF-8`);
    }
    at += 46 + nameLen + extraLen + commentLen;
    if (path.endsWith('/')) continue; // a directory entry another tool wrote
    checkEntryPath(path);
    declared += rawSize;
    if (opts.maxBytes !== undefined && declared > opts.maxBytes)
      throw invalid(`The archive holds more than ${opts.maxBytes} bytes once unpacked (at '${path}')`);
    const inflate = method === 8 ? opts.inflateRaw : undefined;
    if (method !== 0 && !inflate) throw new CairnError('NOT_IMPLEMENTED', `'${path}' is compressed (method ${method}); model archives are stored uncompressed`);
    if (localAt + 30 > zip.length || view.getUint32(localAt, true) !== LOCAL_SIG) throw corrupt(`the local header of '${path}' is damaged`);
    const start = localAt + 30 + view.getUint16(localAt + 26, true) + view.getUint16(localAt + 28, true);
    if (start + size > zip.length) throw corrupt(`'${path}' runs past the end of the archive`);
    let data: Uint8Array;
    if (inflate) {
      try {
        data = inflate(zip.subarray(start, start + size), rawSize);
      } catch {
        throw corrupt(`'${path}' is not valid DEFLATE data`);
      }
      if (data.length !== rawSize) throw corrupt(`'${path}' inflates to ${data.length} bytes, not the ${rawSize} its header says`);
    } else data = zip.slice(start, start + size);
    if (crc32(data) !== crc) throw corrupt(`'${path}' does not match its CRC-32`);
    if (out.has(path)) throw corrupt(`'${path}' appears twice`);
    out.set(path, data);
  }
  return out;
}

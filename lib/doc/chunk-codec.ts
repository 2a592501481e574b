/**
 * Binary columnar metric chunks (lib/doc/SPEC.md DOC-M4). One chunk holds up to a few thousand points of ONE metric
 * key, so a run doc grows by one Yjs item per key per flush, never per point.
 *
 * Layout (little endian):
 *   u8      format (CHUNK_FORMAT)
 *   varuint keyLength, utf8 key
 *   varuint n
 *   n × f64 values          (raw IEEE 754: NaN and ±Infinity survive bit for bit)
 *   steps column, then timestamps column, each:
 *     u8 0 + n × zigzag varint deltas from the previous value (first from 0), when every delta is an integer
 *          within ±2^52 (so the zigzag stays exact), or
 *     u8 1 + n × f64 raw values otherwise (huge jumps, non-integers)
 * Steps and timestamps are integers up to 2^53, so the varint code uses arithmetic, not 32-bit bit operations.
 * Typical cost: 8 B value + 1 B step + 1–2 B timestamp ≈ 10–11 B per point.
 */
export const CHUNK_FORMAT = 1;

export interface Series {
  steps: Float64Array;
  timestamps: Float64Array;
  values: Float64Array;
}

export interface DecodedChunk extends Series {
  key: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

class Writer {
  buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  varuint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }
  zigzag(v: number): void {
    this.varuint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
}

/** Encodes points [start, end) of the three columns (default: all of them). */
export function encodeChunk(
  key: string,
  steps: ArrayLike<number>,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  start = 0,
  end = values.length,
): Uint8Array {
  if (steps.length < end || timestamps.length < end) throw new RangeError('chunk columns must have equal length');
  const n = end - start;
  const keyBytes = enc.encode(key);
  const w = new Writer(16 + keyBytes.length + n * 11);
  w.buf[w.pos++] = CHUNK_FORMAT;
  w.varuint(keyBytes.length);
  w.ensure(keyBytes.length);
  w.buf.set(keyBytes, w.pos);
  w.pos += keyBytes.length;
  w.varuint(n);
  w.ensure(n * 8);
  const view = new DataView(w.buf.buffer, w.buf.byteOffset);
  for (let i = 0; i < n; i++) view.setFloat64(w.pos + i * 8, values[start + i]!, true);
  w.pos += n * 8;
  writeColumn(w, steps, start, end);
  writeColumn(w, timestamps, start, end);
  return w.buf.slice(0, w.pos);
}

const MAX_DELTA = 2 ** 52;

function writeColumn(w: Writer, col: ArrayLike<number>, start: number, end: number): void {
  let prev = 0;
  let deltas = true;
  for (let i = start; i < end && deltas; i++) {
    const d = col[i]! - prev;
    if (!Number.isInteger(d) || d > MAX_DELTA || d < -MAX_DELTA) deltas = false;
    prev = col[i]!;
  }
  w.ensure(1);
  w.buf[w.pos++] = deltas ? 0 : 1;
  if (deltas) {
    prev = 0;
    for (let i = start; i < end; i++) {
      w.zigzag(col[i]! - prev);
      prev = col[i]!;
    }
    return;
  }
  w.ensure((end - start) * 8);
  const view = new DataView(w.buf.buffer, w.buf.byteOffset);
  for (let i = start; i < end; i++, w.pos += 8) view.setFloat64(w.pos, col[i]!, true);
}

export class ChunkFormatError extends Error {}

/** Reads one steps/timestamps column into `out`; returns the position after it. */
function readColumn(b: Uint8Array, pos: number, out: Float64Array): number {
  if (pos >= b.length) throw new ChunkFormatError('truncated chunk');
  const mode = b[pos++];
  if (mode === 1) {
    if (pos + out.length * 8 > b.length) throw new ChunkFormatError('truncated column');
    new Uint8Array(out.buffer, out.byteOffset, out.length * 8).set(b.subarray(pos, pos + out.length * 8));
    return pos + out.length * 8;
  }
  if (mode !== 0) throw new ChunkFormatError(`unknown column mode ${mode}`);
  let prev = 0;
  const len = b.length;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    if (pos >= len) throw new ChunkFormatError('truncated chunk');
    const first = b[pos++]!;
    // Fast paths in 32-bit integer arithmetic for the varints a run's columns are made of: a step delta of 1 is one
    // byte, a timestamp delta under 8 s two. They decode the same number as the general loop below; a cold worker
    // (JIT not warm yet) runs a few operations per point instead of a dozen, which is most of a chart's first decode.
    if (first < 0x80) {
      prev += (first >>> 1) ^ -(first & 1);
    } else if (pos < len && b[pos]! < 0x80) {
      const v = (first & 0x7f) | (b[pos++]! << 7);
      prev += (v >>> 1) ^ -(v & 1);
    } else {
      let v = first & 0x7f;
      let mul = 0x80;
      for (;;) {
        if (pos >= len) throw new ChunkFormatError('truncated chunk');
        const byte = b[pos++]!;
        v += (byte & 0x7f) * mul;
        if (byte < 0x80) break;
        mul *= 0x80;
        if (mul > 2 ** 63) throw new ChunkFormatError('varint too long');
      }
      prev += v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    }
    out[i] = prev;
  }
  return pos;
}

/** Key, point count and where the values start: what a reader needs to size its arrays before decoding. */
export interface ChunkHeader {
  key: string;
  n: number;
  valuesAt: number;
}

export function readChunkHeader(b: Uint8Array): ChunkHeader {
  if (b.length < 3 || b[0] !== CHUNK_FORMAT) throw new ChunkFormatError(`unknown chunk format ${b[0]}`);
  let pos = 1;
  const readVar = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (pos >= b.length) throw new ChunkFormatError('truncated chunk');
      const byte = b[pos++]!;
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) return v;
      mul *= 0x80;
    }
  };
  const keyLen = readVar();
  if (pos + keyLen > b.length) throw new ChunkFormatError('truncated key');
  const key = dec.decode(b.subarray(pos, pos + keyLen));
  pos += keyLen;
  const n = readVar();
  if (pos + n * 8 > b.length) throw new ChunkFormatError('truncated values');
  return { key, n, valuesAt: pos };
}

/** Decodes a chunk's columns straight into `out` at `offset` (no per-chunk arrays): the hot path of reading a run. */
export function decodeChunkInto(b: Uint8Array, h: ChunkHeader, out: Series, offset: number): void {
  const { n, valuesAt } = h;
  const end = valuesAt + n * 8;
  // The values' bytes copied once into the output's own bytes (both little-endian float64, as a Float64Array view of
  // them would read): no per-chunk copy to align an odd offset first.
  new Uint8Array(out.values.buffer, out.values.byteOffset + offset * 8, n * 8).set(b.subarray(valuesAt, end));
  let pos = readColumn(b, end, out.steps.subarray(offset, offset + n));
  pos = readColumn(b, pos, out.timestamps.subarray(offset, offset + n));
  if (pos !== b.length) throw new ChunkFormatError('trailing bytes in chunk');
}

export function decodeChunk(b: Uint8Array): DecodedChunk {
  const h = readChunkHeader(b);
  const out = { steps: new Float64Array(h.n), timestamps: new Float64Array(h.n), values: new Float64Array(h.n) };
  decodeChunkInto(b, h, out, 0);
  return { key: h.key, ...out };
}

/**
 * Only the key of a chunk, without decoding its columns (for filtering chunks by key). Throws ChunkFormatError on
 * bytes that are no chunk: it read past the end of an empty or truncated array forever (`undefined < 0x80` is false),
 * which a peer's junk chunk turned into a hung worker.
 */
export function chunkKey(b: Uint8Array): string {
  if (b.length < 3 || b[0] !== CHUNK_FORMAT) throw new ChunkFormatError(`unknown chunk format ${b[0]}`);
  let pos = 1;
  let keyLen = 0;
  let mul = 1;
  for (;;) {
    if (pos >= b.length) throw new ChunkFormatError('truncated chunk');
    const byte = b[pos++]!;
    keyLen += (byte & 0x7f) * mul;
    if (byte < 0x80) break;
    mul *= 0x80;
  }
  if (pos + keyLen > b.length) throw new ChunkFormatError('truncated key');
  return dec.decode(b.subarray(pos, pos + keyLen));
}

/** Concatenates decoded chunks of one key in order; sorts by step (stable) only when they are out of order. */
export function concatSeries(parts: Series[]): Series {
  let n = 0;
  for (const p of parts) n += p.values.length;
  const steps = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  let o = 0;
  for (const p of parts) {
    steps.set(p.steps, o);
    timestamps.set(p.timestamps, o);
    values.set(p.values, o);
    o += p.values.length;
  }
  return sortedByStep({ steps, timestamps, values });
}

/** The series itself when its steps never decrease; otherwise a stably sorted copy. */
export function sortedByStep(s: Series): Series {
  const { steps, timestamps, values } = s;
  const n = steps.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (steps[i]! < steps[i - 1]!) sorted = false;
  if (sorted) return s;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => steps[a]! - steps[b]! || a - b);
  return {
    steps: Float64Array.from(order, (i) => steps[i]!),
    timestamps: Float64Array.from(order, (i) => timestamps[i]!),
    values: Float64Array.from(order, (i) => values[i]!),
  };
}

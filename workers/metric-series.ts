import * as Y from 'yjs';
import { chunkKey, concatSeries, decodeChunk, decodeChunkInto, metricChunks, readChunkHeader, sortedByStep, type ChunkHeader, type DecodedChunk, type Series } from '../lib/doc';
import { DEFAULT_BUCKETS, bucketSeries, type ChartSeries } from '../lib/search/bucket';

export type { ChartSeries };

/**
 * Chart series of one run doc: decode chunks (each chunk decoded once, cached by identity: Yjs keeps the same
 * Uint8Array object for an item's content), concatenate per key, bucket with lib/search. Never on the main thread.
 */

/** Most buckets a caller may ask for: beyond this a "downsampled" series is no longer cheap to send or draw. */
export const MAX_BUCKETS = 20_000;

const decoded = new WeakMap<Uint8Array, DecodedChunk | null>();

function decodeCached(b: Uint8Array): DecodedChunk | null {
  let d = decoded.get(b);
  if (d === undefined) {
    try {
      d = decodeChunk(b);
    } catch {
      d = null; // a malformed chunk from a peer is skipped, not fatal to the chart
    }
    decoded.set(b, d);
  }
  return d;
}

/** Every key's full series of a metrics doc, in step order. Chunk order in the Y.Array does not matter: concatSeries sorts by step. */
export function readRunSeries(metricsDoc: Y.Doc): Map<string, Series> {
  const parts = new Map<string, Series[]>();
  for (const b of metricChunks(metricsDoc).toArray()) {
    if (!(b instanceof Uint8Array)) continue;
    const ch = decodeCached(b);
    if (!ch) continue;
    let list = parts.get(ch.key);
    if (!list) parts.set(ch.key, (list = []));
    list.push(ch);
  }
  const out = new Map<string, Series>();
  for (const [k, list] of parts) out.set(k, list.length === 1 ? list[0]! : concatSeries(list));
  return out;
}

/** One ChartSeries per key, sorted by key; arrays are fresh (safe to transfer). */
export function chartSeries(metricsDoc: Y.Doc, buckets: number = DEFAULT_BUCKETS): ChartSeries[] {
  const n = Math.max(1, Math.min(MAX_BUCKETS, Math.floor(buckets) || DEFAULT_BUCKETS));
  const out: ChartSeries[] = [];
  for (const [key, s] of [...readRunSeries(metricsDoc)].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const b = bucketSeries(s.steps, s.values, n);
    if (b.bucketed) {
      out.push({ key, steps: b.steps, values: b.values, min: b.min, max: b.max, count: s.values.length });
    } else {
      // Copies: the inputs may be cached decoded chunks, and transferring them would detach the cache.
      out.push({ key, steps: s.steps.slice(), values: s.values.slice(), count: s.values.length });
    }
  }
  return out;
}

/** The buffers to hand to Comlink.transfer. */
export function seriesBuffers(series: ChartSeries[]): ArrayBuffer[] {
  const bufs: ArrayBuffer[] = [];
  const seen = new Set<ArrayBuffer>();
  for (const s of series) {
    for (const a of [s.steps, s.values, s.min, s.max, s.cells, s.counts, s.finite]) {
      const b = a?.buffer as ArrayBuffer | undefined;
      // A buffer listed twice makes postMessage throw.
      if (b && !seen.has(b)) {
        seen.add(b);
        bufs.push(b);
      }
    }
  }
  return bufs;
}

// ---------------------------------------------------------------------------------------------------------------
// One key of a metrics doc, kept decoded and grown as chunks arrive (charts-api.ts): a live chart's every re-query
// reads only the chunks it has not seen, not the whole run again.

interface KeyEntry {
  steps: Float64Array;
  timestamps: Float64Array;
  values: Float64Array;
  n: number;
  seen: WeakSet<Uint8Array>;
}

const byDoc = new WeakMap<Y.Doc, Map<string, KeyEntry>>();

/** `a` with room for `need` values (a new array of `cap` when it has not, the old values copied). */
function grow(a: Float64Array, need: number, cap: number): Float64Array {
  if (need <= a.length) return a;
  const next = new Float64Array(Math.max(need, cap));
  next.set(a);
  return next;
}

/**
 * Every point of `key` in the doc, in step order, or null when the doc has no chunk of that key. The arrays are views
 * of a cache: read them, never transfer or write them. New chunks are appended; a chunk whose steps go back in time
 * (a second writer, a late flush) re-sorts the key once.
 */
export function keySeries(metricsDoc: Y.Doc, key: string): Series | null {
  let keys = byDoc.get(metricsDoc);
  if (!keys) byDoc.set(metricsDoc, (keys = new Map()));
  let e = keys.get(key);
  if (!e) {
    e = { steps: new Float64Array(0), timestamps: new Float64Array(0), values: new Float64Array(0), n: 0, seen: new WeakSet() };
    keys.set(key, e);
  }
  let any = e.n > 0;
  let unsorted = false;
  // The new chunks of this key first (their headers only), so the columns grow once (to the exact size on a first
  // read), then each is decoded straight into them: no per-chunk arrays to allocate, copy and collect.
  const fresh: { b: Uint8Array; h: ChunkHeader }[] = [];
  let more = 0;
  for (const b of metricChunks(metricsDoc).toArray()) {
    if (!(b instanceof Uint8Array)) continue;
    if (e.seen.has(b)) {
      if (!any) any = chunkKeyOf(b) === key;
      continue;
    }
    e.seen.add(b);
    if (chunkKeyOf(b) !== key) continue;
    any = true;
    let h: ChunkHeader;
    try {
      h = readChunkHeader(b);
    } catch {
      continue; // a malformed chunk from a peer is skipped, not fatal to the chart
    }
    fresh.push({ b, h });
    more += h.n;
  }
  if (more > 0) {
    const need = e.n + more;
    const cap = e.n === 0 ? need : Math.max(need, e.steps.length * 2);
    e.steps = grow(e.steps, need, cap);
    e.timestamps = grow(e.timestamps, need, cap);
    e.values = grow(e.values, need, cap);
    for (const { b, h } of fresh) {
      const at = e.n;
      try {
        decodeChunkInto(b, h, e, at);
      } catch {
        continue; // its columns are cut short: what it wrote past `at` is overwritten by the next chunk
      }
      const m = h.n;
      if (m > 0 && at > 0 && e.steps[at]! < e.steps[at - 1]!) unsorted = true;
      for (let i = at + 1; i < at + m && !unsorted; i++) if (e.steps[i]! < e.steps[i - 1]!) unsorted = true;
      e.n += m;
    }
  }
  if (unsorted) {
    const s = sortedByStep({ steps: e.steps.subarray(0, e.n), timestamps: e.timestamps.subarray(0, e.n), values: e.values.subarray(0, e.n) });
    e.steps = s.steps.slice();
    e.timestamps = s.timestamps.slice();
    e.values = s.values.slice();
  }
  if (!any) return null;
  return { steps: e.steps.subarray(0, e.n), timestamps: e.timestamps.subarray(0, e.n), values: e.values.subarray(0, e.n) };
}

/** The metric keys a metrics doc holds chunks of, in the order they first appear (junk chunks skipped). */
export function metricKeys(metricsDoc: Y.Doc): string[] {
  const keys = new Set<string>();
  for (const b of metricChunks(metricsDoc).toArray()) {
    const k = b instanceof Uint8Array ? chunkKeyOf(b) : null;
    if (k !== null) keys.add(k);
  }
  return [...keys];
}

function chunkKeyOf(b: Uint8Array): string | null {
  try {
    return chunkKey(b);
  } catch {
    return null;
  }
}

import * as Y from 'yjs';
import { concatSeries, decodeChunk, metricChunks, type DecodedChunk, type Series } from '../lib/doc';
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
  for (const s of series) {
    for (const a of [s.steps, s.values, s.min, s.max]) if (a) bufs.push(a.buffer as ArrayBuffer);
  }
  return bufs;
}

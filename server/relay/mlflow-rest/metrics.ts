import type * as Y from 'yjs';
import * as doc from '../../../lib/doc/index';
import { invalid, notFound, type RunId } from '../../../lib/domain/index';
import type { Call } from './routes';
import { decodeOffsetToken, doubleText, encodeOffsetToken } from './wire';

/** get-history's page without `max_results` (what MLflow's client always asks for, paging on). */
export const HISTORY_DEFAULT_PAGE = 25_000;
/** get-history's largest page: a whole 100k-point history is one GET when a client asks for it (MLflow allows it). */
export const HISTORY_MAX_RESULTS = 1_000_000;
/** get-history-bulk-interval: at most this many runs, and points per run (MLflow's MAX_RESULTS_PER_RUN). */
export const BULK_MAX_RUNS = 100;
export const BULK_MAX_RESULTS = 2_500;

/**
 * Each chunk's points rendered as proto-JSON text, kept with the chunk (chunks never change once written: a flush
 * appends new ones). A history read then formats only chunks it has not seen: a chart polling a live run's 100k-point
 * history formats the last flush's points, not 100k doubles. Bounded: past CHUNK_TEXT_BUDGET characters the cache
 * starts over; entries go with their chunks when a room unloads.
 */
interface RenderedChunk {
  n: number;
  first: number;
  last: number;
  /** Steps non-decreasing inside the chunk. */
  sorted: boolean;
  text: string;
}
const CHUNK_TEXT_BUDGET = 64 * 1024 * 1024;
let renderedChunks = new WeakMap<Uint8Array, RenderedChunk>();
let renderedChars = 0;

function renderChunk(b: Uint8Array, keyJson: string): RenderedChunk | null {
  const hit = renderedChunks.get(b);
  if (hit) return hit;
  let d: doc.DecodedChunk;
  try {
    d = doc.decodeChunk(b);
  } catch {
    return null;
  }
  const n = d.values.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (d.steps[i]! < d.steps[i - 1]!) sorted = false;
  const parts: string[] = new Array(n);
  for (let i = 0; i < n; i++) parts[i] = pointText(keyJson, d.values[i]!, d.timestamps[i]!, d.steps[i]!);
  const r: RenderedChunk = { n, first: n ? d.steps[0]! : 0, last: n ? d.steps[n - 1]! : 0, sorted, text: parts.join(',') };
  renderedChars += r.text.length;
  if (renderedChars > CHUNK_TEXT_BUDGET) {
    renderedChunks = new WeakMap();
    renderedChars = r.text.length;
  }
  renderedChunks.set(b, r);
  return r;
}

/** The chunks of one key in array order, rendered; null when they are not in step order (then the series is sorted). */
function renderedInOrder(metricsDoc: Y.Doc, key: string, keyJson: string): { b: Uint8Array; r: RenderedChunk }[] | null {
  const out: { b: Uint8Array; r: RenderedChunk }[] = [];
  for (const b of doc.metricChunks(metricsDoc).toArray()) {
    if (!(b instanceof Uint8Array)) continue;
    try {
      if (doc.readChunkHeader(b).key !== key) continue;
    } catch {
      continue;
    }
    const r = renderChunk(b, keyJson);
    if (!r || r.n === 0) continue;
    if (!r.sorted || (out.length > 0 && out[out.length - 1]!.r.last > r.first)) return null;
    out.push({ b, r });
  }
  return out;
}

function pointText(keyJson: string, value: number, timestamp: number, step: number, runId?: string): string {
  return `{"key":${keyJson},"value":${doubleText(value)},"timestamp":${timestamp},"step":${step}${runId === undefined ? '' : `,"run_id":"${runId}"`}}`;
}

/**
 * One page of a metric's history in step order (SPEC REST-13), written straight to proto-JSON text (a 100k-point
 * history is 100k objects otherwise). Without `max_results` MLflow answers no metrics and a token for offset 0 (its
 * bug, README of the traffic); the door answers the first page of HISTORY_DEFAULT_PAGE points, with a token when
 * more follow.
 */
export function historyPage(metricsDoc: Y.Doc, key: string, maxResults: number | undefined, pageToken: string | undefined): string {
  const max = maxResults ?? HISTORY_DEFAULT_PAGE;
  if (max < 1 || max > HISTORY_MAX_RESULTS) throw invalid(`Invalid value ${max} for parameter 'max_results' supplied. It must be between 1 and ${HISTORY_MAX_RESULTS}`);
  const offset = decodeOffsetToken(pageToken);
  const keyJson = JSON.stringify(key);
  const chunks = renderedInOrder(metricsDoc, key, keyJson);
  if (!chunks) return renderHistory(metricsDoc, key, offset, max);
  const total = chunks.reduce((n, c) => n + c.r.n, 0);
  if (offset >= total) return '{}';
  const end = Math.min(total, offset + max);
  const pieces: string[] = [];
  let at = 0;
  for (const { b, r } of chunks) {
    const from = Math.max(offset, at);
    const to = Math.min(end, at + r.n);
    if (from < to) {
      if (from === at && to === at + r.n) pieces.push(r.text);
      else {
        const d = doc.decodeChunk(b);
        const sub: string[] = [];
        for (let i = from - at; i < to - at; i++) sub.push(pointText(keyJson, d.values[i]!, d.timestamps[i]!, d.steps[i]!));
        pieces.push(sub.join(','));
      }
    }
    at += r.n;
    if (at >= end) break;
  }
  const next = end < total ? `,"next_page_token":"${encodeOffsetToken(end)}"` : '';
  return `{"metrics":[${pieces.join(',')}]${next}}`;
}

/** The general path: the series decoded and sorted by step (chunks out of step order), then one page rendered. */
function renderHistory(metricsDoc: Y.Doc, key: string, offset: number, max: number): string {
  const s = doc.readSeries(metricsDoc, key).get(key);
  const n = s?.values.length ?? 0;
  if (!s || offset >= n) return '{}';
  const end = Math.min(n, offset + max);
  const keyJson = JSON.stringify(key);
  const parts: string[] = new Array(end - offset);
  for (let i = offset; i < end; i++) parts[i - offset] = pointText(keyJson, s.values[i]!, s.timestamps[i]!, s.steps[i]!);
  const next = end < n ? `,"next_page_token":"${encodeOffsetToken(end)}"` : '';
  return `{"metrics":[${parts.join(',')}]${next}}`;
}

/** The legacy ajax `metrics/get-history-bulk`: at most this many points in all (MLflow's MAX_HISTORY_RESULTS). */
export const BULK_HISTORY_MAX = 25_000;

/**
 * The UI's legacy `metrics/get-history-bulk?run_id=a&run_id=b&metric_key=` (REST-14): every point of the key of each
 * run (≤ 100), runs in the order asked, each in step order, at most `max_results` (≤ 25,000) points in all.
 */
export function historyBulk(call: Call, i: { run_id: string[]; metric_key: string; max_results?: number }): string {
  const ids = [...new Set(i.run_id)];
  if (ids.length === 0) throw invalid("GetMetricHistoryBulk request must specify at least one run_id.");
  if (ids.length > BULK_MAX_RUNS) throw invalid(`GetMetricHistoryBulk request cannot specify more than ${BULK_MAX_RUNS} run_ids. Received ${ids.length} run_ids.`);
  const max = Math.min(i.max_results ?? BULK_HISTORY_MAX, BULK_HISTORY_MAX);
  if (max < 1) throw invalid(`max_results must be between 1 and ${BULK_HISTORY_MAX}`);
  const keyJson = JSON.stringify(i.metric_key);
  const parts: string[] = [];
  for (const id of ids) {
    const run = call.docs.readRun(call.ws, id);
    if (!run) throw notFound(`Run with id=${id} not found`);
    const s = call.docs.metrics(call.ws, run.info.runId as RunId, (d) => doc.readSeries(d, i.metric_key).get(i.metric_key));
    if (!s) continue;
    for (let j = 0; j < s.values.length && parts.length < max; j++) parts.push(pointText(keyJson, s.values[j]!, s.timestamps[j]!, s.steps[j]!, id));
  }
  return parts.length ? `{"metrics":[${parts.join(',')}]}` : '{}';
}

/**
 * MLflow's get-history-bulk-interval (SPEC REST-14): the distinct steps of all asked runs within [start_step,
 * end_step] are sampled evenly down to `max_results`, each run's first and last step (in the range) are always kept,
 * and every point of each run at a kept step is answered, runs in the order asked, points in step order.
 */
export function bulkInterval(
  call: Call,
  i: { run_ids: string[]; metric_key: string; start_step?: number; end_step?: number; max_results?: number },
): string {
  const ids = [...new Set(i.run_ids)];
  if (ids.length === 0) throw invalid("Missing value for required parameter 'run_ids'. See the API docs for more information about request parameters.");
  if (ids.length > BULK_MAX_RUNS) throw invalid(`GetMetricHistoryBulkInterval request must specify at most ${BULK_MAX_RUNS} run_ids. Received ${ids.length} run_ids.`);
  const max = i.max_results ?? BULK_MAX_RESULTS;
  if (max < 1 || max > BULK_MAX_RESULTS) throw invalid(`max_results must be between 1 and ${BULK_MAX_RESULTS}, got ${max}`);
  if ((i.start_step === undefined) !== (i.end_step === undefined)) throw invalid('If either start step or end step are specified, both must be specified.');
  const lo = i.start_step ?? -Infinity;
  const hi = i.end_step ?? Infinity;
  if (lo > hi) throw invalid('end_step must be greater than or equal to start_step.');
  const series = ids.map((id) => {
    const run = call.docs.readRun(call.ws, id);
    if (!run) throw notFound(`Run with id=${id} not found`);
    return { id, s: call.docs.metrics(call.ws, run.info.runId as RunId, (d) => doc.readSeries(d, i.metric_key).get(i.metric_key)) };
  });
  const all = new Set<number>();
  for (const { s } of series) if (s) for (const step of s.steps) if (step >= lo && step <= hi) all.add(step);
  const sorted = [...all].sort((a, b) => a - b);
  const keep = new Set<number>();
  if (sorted.length <= max) for (const st of sorted) keep.add(st);
  else {
    const every = sorted.length / max;
    for (let k = 0; k < max; k++) keep.add(sorted[Math.floor(k * every)]!);
  }
  const keyJson = JSON.stringify(i.metric_key);
  const parts: string[] = [];
  for (const { id, s } of series) {
    if (!s) continue;
    const steps = s.steps;
    let first = -1;
    let last = -1;
    for (let j = 0; j < steps.length; j++) {
      if (steps[j]! < lo || steps[j]! > hi) continue;
      if (first < 0) first = j;
      last = j;
    }
    if (first < 0) continue;
    const firstStep = steps[first]!;
    const lastStep = steps[last]!;
    for (let j = first; j <= last; j++) {
      const st = steps[j]!;
      if (st < lo || st > hi) continue;
      if (keep.has(st) || st === firstStep || st === lastStep) parts.push(pointText(keyJson, s.values[j]!, s.timestamps[j]!, st, id));
    }
  }
  return parts.length ? `{"metrics":[${parts.join(',')}]}` : '{}';
}

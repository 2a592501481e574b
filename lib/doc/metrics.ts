import * as Y from 'yjs';
import {
  KeySchema,
  MetricPointSchema,
  MetricValueSchema,
  StepSchema,
  TimestampSchema,
  fastCheck,
  invalid,
  memoize,
  type CairnError,
  parseInput,
  type MetricPoint,
} from '../domain';
import { decodeChunkInto, encodeChunk, readChunkHeader, sortedByStep, type ChunkHeader, type Series } from './chunk-codec';
import { FORMAT_VERSION, SEP, metricChunks, metricsMeta, runMetrics } from './layout';
import { LOCAL_ORIGIN, requireRun, type Ctx } from './commands';
import { isLater, mergeShares } from './read';
import { SummaryShare } from './records';

/** Largest chunk: big enough that 1M points are a few hundred Yjs items, small enough to sync in one frame. */
export const CHUNK_MAX_POINTS = 8192;

/** Validates points (DOC-M1). Kept separate so batching callers can validate at call time and append later. */
export function validatePoints(points: unknown[]): MetricPoint[] {
  return points.map((p, i) => parseInput(MetricPointSchema, p, `metrics[${i}]`));
}

/* The same rules for column-wise input, checked at logging speed (a million points a second): the field checks are
 * derived from MetricPointSchema's own field schemas, keys are remembered once valid. */
const keyOk = memoize((k) => KeySchema.safeParse(k).success);
const valueOk = fastCheck(MetricValueSchema);
const stepOk = fastCheck(StepSchema);
const timestampOk = fastCheck(TimestampSchema);

/**
 * DOC-M1 for the SDK's column-wise calls (`keys[i]`, `values[i]`, `steps[i]`, `timestamps[i]` are one point). Throws
 * INVALID_PARAMETER_VALUE for the first bad point, with MetricPointSchema's message for it.
 */
export function validatePointColumns(keys: readonly unknown[], values: readonly unknown[], steps: readonly unknown[], timestamps: readonly unknown[]): void {
  for (let i = 0; i < keys.length; i++) {
    if (keyOk(keys[i]) && valueOk(values[i]) && stepOk(steps[i]) && timestampOk(timestamps[i])) continue;
    const point: Record<string, unknown> = { key: keys[i], value: values[i], step: steps[i], timestamp: timestamps[i] };
    try {
      parseInput(MetricPointSchema, point, `metric '${String(keys[i])}'`);
    } catch (e) {
      // Name the value that was refused: a script logging in a loop needs to see which one.
      const field = (e as CairnError).details?.issues as { path: string[] }[] | undefined;
      const name = field?.[0]?.path[0];
      throw name && name in point ? invalid(`${(e as CairnError).message} (got ${String(point[name])})`, (e as CairnError).details) : e;
    }
    // The fast checks and the schema disagree: a bug here, but the point is still refused.
    throw invalid(`metric '${String(keys[i])}': invalid point`);
  }
}

/** The metrics doc's meta (DOC-L1); INVALID_PARAMETER_VALUE when the doc already belongs to another run. */
export function initMetricsDoc(metricsDoc: Y.Doc, runId: string): void {
  const meta = metricsMeta(metricsDoc);
  if (meta.get('runId') === runId) return;
  if (meta.get('runId') !== undefined) throw invalid(`metrics doc belongs to run ${String(meta.get('runId'))}, not ${runId}`);
  metricsDoc.transact(() => {
    meta.set('formatVersion', FORMAT_VERSION);
    meta.set('runId', runId);
  }, LOCAL_ORIGIN);
}

/** One key's points, column-wise. Arrays may be longer than `length` (growable buffers); only [0, length) counts. */
export interface Column {
  steps: ArrayLike<number>;
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
  length?: number;
}

const colLength = (c: Column) => c.length ?? c.values.length;

function share(col: Column): SummaryShare {
  const s: SummaryShare = { latest: NaN, latestStep: -Infinity, latestTimestamp: -Infinity, min: NaN, max: NaN, count: 0 };
  const n = colLength(col);
  for (let i = 0; i < n; i++) {
    const v = col.values[i]!;
    const st = col.steps[i]!;
    const ts = col.timestamps[i]!;
    if (s.count === 0 || isLater(st, ts, v, s.latestStep, s.latestTimestamp, s.latest)) {
      s.latest = v;
      s.latestStep = st;
      s.latestTimestamp = ts;
    }
    if (!Number.isNaN(v)) {
      s.min = Number.isNaN(s.min) ? v : Math.min(s.min, v);
      s.max = Number.isNaN(s.max) ? v : Math.max(s.max, v);
    }
    s.count++;
  }
  return s;
}


/**
 * Appends already validated points: one binary chunk per key (split at CHUNK_MAX_POINTS) in ONE metrics-doc
 * transaction (DOC-M4), then this writer's summary share per key in ONE run-doc transaction (DOC-M2): a summary
 * share is rewritten once per flush, never per point (DOC-M6). Refused for deleted runs.
 */
export function appendMetrics(c: Ctx, metricsDoc: Y.Doc, runId: string, points: readonly MetricPoint[]): void {
  const cols = new Map<string, { steps: number[]; timestamps: number[]; values: number[] }>();
  for (const p of points) {
    let col = cols.get(p.key);
    if (!col) cols.set(p.key, (col = { steps: [], timestamps: [], values: [] }));
    col.steps.push(p.step);
    col.timestamps.push(p.timestamp);
    col.values.push(p.value);
  }
  appendMetricColumns(c, metricsDoc, runId, cols);
}

/**
 * The same as appendMetrics for points already grouped by key. `allowDeleted` is for points a client accepted while
 * the run was active and flushes later: another client deleting the run meanwhile must not lose them (DOC-M5).
 */
export function appendMetricColumns(
  c: Ctx,
  metricsDoc: Y.Doc,
  runId: string,
  cols: ReadonlyMap<string, Column>,
  opts: { allowDeleted?: boolean } = {},
): void {
  if (cols.size === 0) return;
  const d = requireRun(c, runId, !opts.allowDeleted);
  const m = runMetrics(d);
  initMetricsDoc(metricsDoc, runId);
  const chunks: Uint8Array[] = [];
  for (const [key, col] of cols) {
    const n = colLength(col);
    for (let i = 0; i < n; i += CHUNK_MAX_POINTS) {
      chunks.push(encodeChunk(key, col.steps, col.timestamps, col.values, i, Math.min(n, i + CHUNK_MAX_POINTS)));
    }
  }
  metricsDoc.transact(() => metricChunks(metricsDoc).push(chunks), LOCAL_ORIGIN);
  d.transact(() => {
    for (const [key, col] of cols) {
      const k = key + SEP + c.actor;
      // This writer's share as the readers see it: one a peer garbled under our actor id is replaced (DOC-L7).
      const mine = SummaryShare.parse(m.get(k));
      m.set(k, mine ? mergeShares(mine, share(col)) : share(col));
    }
  }, LOCAL_ORIGIN);
}

/**
 * Decodes every chunk of a metrics doc into one series per key, in step order. Two passes: headers first to size one
 * array per key, then each chunk decodes straight into place (half the allocation of decode-then-concatenate).
 */
export function readSeries(metricsDoc: Y.Doc, onlyKey?: string): Map<string, Series> {
  // A malformed chunk (a peer's bug) is skipped, not allowed to hide every other point of the run.
  const chunks: Uint8Array[] = [];
  const headers: ChunkHeader[] = [];
  for (const b of metricChunks(metricsDoc).toArray()) {
    try {
      if (!(b instanceof Uint8Array)) continue;
      headers.push(readChunkHeader(b));
      chunks.push(b);
    } catch {
      continue;
    }
  }
  const totals = new Map<string, number>();
  for (const h of headers) if (onlyKey === undefined || h.key === onlyKey) totals.set(h.key, (totals.get(h.key) ?? 0) + h.n);
  const out = new Map<string, Series>();
  const filled = new Map<string, number>();
  for (const [k, n] of totals) {
    out.set(k, { steps: new Float64Array(n), timestamps: new Float64Array(n), values: new Float64Array(n) });
    filled.set(k, 0);
  }
  for (let i = 0; i < chunks.length; i++) {
    const h = headers[i]!;
    const s = out.get(h.key);
    if (!s) continue;
    const at = filled.get(h.key)!;
    try {
      decodeChunkInto(chunks[i]!, h, s, at);
      filled.set(h.key, at + h.n);
    } catch {
      // Columns truncated or garbled: leave its slots to be trimmed below.
    }
  }
  for (const [k, s] of out) {
    const n = filled.get(k)!;
    const whole = n === s.values.length ? s : { steps: s.steps.slice(0, n), timestamps: s.timestamps.slice(0, n), values: s.values.slice(0, n) };
    out.set(k, sortedByStep(whole));
  }
  return out;
}

export interface HistoryPoint {
  step: number;
  timestamp: number;
  value: number;
}

/** MLflow's get-history: every point of one key, in step order. */
export function metricHistory(metricsDoc: Y.Doc, key: string): HistoryPoint[] {
  const s = readSeries(metricsDoc, key).get(key);
  if (!s) return [];
  const out: HistoryPoint[] = new Array(s.values.length);
  for (let i = 0; i < s.values.length; i++) out[i] = { step: s.steps[i]!, timestamp: s.timestamps[i]!, value: s.values[i]! };
  return out;
}

import * as Comlink from 'comlink';
import { z } from 'zod';
import { metricChunks, readRun, type Series } from '../lib/doc';
import { TERMINAL_STATUSES, asRunId, parseInput, type RunStatus } from '../lib/domain';
import { metricsRoom } from '../lib/relay-client';
import {
  DEFAULT_BUCKETS,
  bucketGrid,
  bucketSeries,
  gridFor,
  lowerBound,
  upperBound,
  type ChartSeries,
  type Grid,
} from '../lib/search/bucket';
import { seriesXY, type XAxis } from '../lib/search/series-x';
import type { DocHost } from '../lib/sync';
import { MAX_BUCKETS, keySeries, metricKeys, seriesBuffers } from './metric-series';
import type { ServiceCore } from './service-core';

/**
 * The data worker's functions for charts (components/charts/SPEC.md CHART-*): one metric key of many runs, bucketed
 * to ~`buckets` points each (the whole series, or a zoomed x range), and the live tails of running runs.
 *
 * Sockets: a finished run's metrics doc is fetched ONCE as a snapshot (no socket), read, released, and its series
 * kept here (FinishedCache) so zooming does not fetch again; only a RUNNING run's doc goes live, through the engine's
 * live slots (maxLive, the rest poll), and it stays open only while a page subscribes to `metrics:<runId>` (the hook
 * does so for the runs this answer marks `live`). 100 runs never open 100 sockets.
 */

/** One run's line: its series of the key, null when the run has no such key. `live`: RUNNING (its chart grows). */
export interface RunSeries {
  runId: string;
  series: ChartSeries | null;
  live?: boolean;
}

/** A live chart's request for what arrived after the buckets it has drawn (CHART-8). */
export interface SeriesTail {
  runId: string;
  grid: Grid;
  /** The last (open) cell the chart holds: the answer's buckets start there. */
  fromCell: number;
}

/** Most runs one chart may ask for (compare's limit). */
export const MAX_CHART_RUNS = 100;
/** A zoomed range with at most this many points (shared by the chart's runs) is sent raw: real points, no buckets. */
export const RAW_ZOOM_BUDGET = 12_000;
/** A finished run's metrics doc not held here waits this long for the relay's snapshot. */
const SNAPSHOT_WAIT_MS = 5_000;
/** Points of finished runs' series kept decoded in the worker (≈ 24 B each: steps, timestamps, values). */
const FINISHED_CACHE_POINTS = 6_000_000;
/** A page prefetch decodes at most this many points ahead of the charts' requests (CHART-14). */
const PREFETCH_DECODE_POINTS = 2_000_000;

const finite = z.number().refine(Number.isFinite, 'must be finite');
const XAxisSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('step') }).strict(),
  z.object({ kind: z.literal('wall') }).strict(),
  z.object({ kind: z.literal('relative') }).strict(),
  z.object({ kind: z.literal('metric'), key: z.string().min(1).max(250) }).strict(),
]);
const KeyArg = z.string().min(1).max(250);
const RunIdsArg = z.array(z.string().min(1).max(256)).max(MAX_CHART_RUNS);
const OptsArg = z
  .object({
    buckets: z.number().int().min(2).max(MAX_BUCKETS).optional(),
    range: z.tuple([finite, finite]).refine(([a, b]) => a <= b, 'range must be [lo, hi] with lo ≤ hi').nullable().optional(),
    xAxis: XAxisSchema.optional(),
  })
  .strict();
const TailsArg = z
  .array(
    z
      .object({
        runId: z.string().min(1).max(256),
        grid: z.object({ origin: finite, width: finite.refine((w) => w > 0, 'width must be positive') }).strict(),
        fromCell: z.number().int().min(0),
      })
      .strict(),
  )
  .max(MAX_CHART_RUNS);

export type RunsSeriesOptions = z.input<typeof OptsArg>;

/** Finished runs' series by run and key, least recently used dropped past FINISHED_CACHE_POINTS. */
class FinishedCache {
  private readonly map = new Map<string, Series | null>();
  private points = 0;
  get(runId: string, key: string): Series | null | undefined {
    const k = `${runId}\n${key}`;
    const v = this.map.get(k);
    if (v === undefined) return undefined;
    this.map.delete(k);
    this.map.set(k, v);
    return v;
  }
  set(runId: string, key: string, s: Series | null): void {
    const k = `${runId}\n${key}`;
    if (this.map.has(k)) return;
    // No copy: keySeries' views are never written again (appends go past them, a re-sort makes new arrays), and
    // they outlive the doc, which is released at once.
    const own = s;
    this.map.set(k, own);
    this.points += own?.values.length ?? 0;
    for (const [old, v] of this.map) {
      if (this.points <= FINISHED_CACHE_POINTS || old === k) break;
      this.map.delete(old);
      this.points -= v?.values.length ?? 0;
    }
  }
  clear(): void {
    this.map.clear();
    this.points = 0;
  }
}

interface Loaded {
  series: Map<string, Series | null>;
  live: boolean;
  startTime: number | undefined;
}

const isTerminal = (s: string | undefined) => !!s && TERMINAL_STATUSES.includes(s as RunStatus);

export function chartsApi(core: ServiceCore) {
  const finished = new FinishedCache();
  let cacheHost: DocHost | null = null;

  /** Status and start time from the index, else from the run doc (fetched as a snapshot: no socket for this). */
  async function runFacts(h: DocHost, runId: string): Promise<{ status: string | undefined; startTime: number | undefined }> {
    const row = h.runs.row(runId);
    if (row) return { status: row.status, startTime: row.startTime };
    const handle = h.acquireRun(runId, h.settings.relayUrl ? 'snapshot' : 'local');
    try {
      await handle.loaded;
      let run = readRun(runId, handle.doc);
      if (!run && (await handle.whenSynced(SNAPSHOT_WAIT_MS))) run = readRun(runId, handle.doc);
      return { status: run?.info.status, startTime: run?.info.startTime };
    } finally {
      handle.release();
    }
  }

  /** The finished-series cache of host `h` (a switch of relay or workspace empties it). */
  function cacheOf(h: DocHost): FinishedCache {
    if (cacheHost !== h) {
      finished.clear();
      cacheHost = h;
    }
    return finished;
  }

  /** A finished run's metrics doc, as a snapshot (no socket), or null for a running run: its chart goes live. */
  function acquireFinished(h: DocHost, runId: string) {
    const room = metricsRoom(h.settings.workspace, runId);
    return h.engine.acquire(room, room, h.settings.relayUrl ? 'snapshot' : 'local');
  }

  /** The run's series of `keys`: a finished run's from the cache or one snapshot; a running one's from its doc. */
  async function load(h: DocHost, runId: string, keys: string[]): Promise<Loaded> {
    const finished = cacheOf(h);
    asRunId(runId);
    const { status, startTime } = await runFacts(h, runId);
    const terminal = isTerminal(status);
    const series = new Map<string, Series | null>();
    if (terminal) {
      for (const k of keys) {
        const hit = finished.get(runId, k);
        if (hit !== undefined) series.set(k, hit);
      }
      if (series.size === keys.length) return { series, live: false, startTime };
    }
    const t0 = performance.now();
    const handle = terminal ? acquireFinished(h, runId) : h.acquireMetrics(runId);
    try {
      await handle.loaded;
      if (terminal || metricChunks(handle.doc).length === 0) await handle.whenSynced(SNAPSHOT_WAIT_MS);
      const t1 = performance.now();
      performance.measure?.('cairn:charts:doc', { start: t0, end: t1 });
      for (const k of keys) {
        if (series.has(k)) continue;
        const s = keySeries(handle.doc, k);
        series.set(k, s);
        if (terminal) finished.set(runId, k, s);
      }
      performance.measure?.('cairn:charts:read', { start: t1, end: performance.now() });
    } finally {
      handle.release();
    }
    return { series, live: !terminal && status !== undefined, startTime };
  }

  const keysFor = (key: string, xAxis: XAxis) => (xAxis.kind === 'metric' && xAxis.key !== key ? [key, xAxis.key] : [key]);

  function xyOf(l: Loaded, key: string, xAxis: XAxis) {
    const s = l.series.get(key);
    if (!s) return null;
    const other = xAxis.kind === 'metric' ? l.series.get(xAxis.key) : undefined;
    return { xy: seriesXY(s, xAxis, { startTime: l.startTime, other }), count: s.values.length };
  }

  function answer(out: RunSeries[]): RunSeries[] {
    return Comlink.transfer(out, seriesBuffers(out.flatMap((r) => (r.series ? [r.series] : []))));
  }

  return {
    /**
     * CHART-14: fetches the metrics docs of the finished runs a page is about to chart (a cold run or compare page:
     * workers/page-hint.ts) while the page's scripts still load, and reads their series into the finished cache (up
     * to PREFETCH_DECODE_POINTS) while the page renders. Each doc is released once applied and lingers in the doc
     * engine (IDLE_CLOSE_MS). The runs' status comes from the experiment's index when `experimentId` is given, else
     * from each run doc.
     */
    async prefetchRunSeries(experimentId: string | null, runIds: string[]): Promise<number> {
      const ids = parseInput(RunIdsArg, runIds, 'run ids');
      const h = await core.ready();
      if (!h.settings.relayUrl) return 0;
      if (experimentId !== null) await h.runs.rows(parseInput(z.string().min(1).max(256), experimentId, 'experiment id')).catch(() => []);
      const cache = cacheOf(h);
      let decoded = 0;
      const fetched = await Promise.all(
        ids.map(async (runId) => {
          asRunId(runId);
          if (!isTerminal((await runFacts(h, runId)).status)) return false;
          const handle = acquireFinished(h, runId);
          try {
            await handle.loaded;
            const ok = await handle.whenSynced(SNAPSHOT_WAIT_MS);
            // While the page still renders, the worker reads the series ahead of the charts' requests (a budget:
            // a compare of many long runs decodes only what the cache would keep).
            for (const k of ok ? metricKeys(handle.doc) : []) {
              if (decoded >= PREFETCH_DECODE_POINTS) break;
              if (cache.get(runId, k) !== undefined) continue;
              const s = keySeries(handle.doc, k);
              cache.set(runId, k, s);
              decoded += s?.values.length ?? 0;
            }
            return ok;
          } finally {
            handle.release();
          }
        }),
      );
      return fetched.filter(Boolean).length;
    },

    /**
     * One metric key of each run (in the order asked), bucketed to `buckets` points (default 1,500) with the min/max
     * band, the true last point and the x extent; with `range` only the points whose x is in it, bucketed on a grid
     * over the range, or sent raw when the range holds few enough points (CHART-3, CHART-4).
     */
    async getRunsSeries(runIds: string[], key: string, opts: RunsSeriesOptions = {}): Promise<RunSeries[]> {
      const ids = parseInput(RunIdsArg, runIds, 'run ids');
      const k = parseInput(KeyArg, key, 'metric key');
      const o = parseInput(OptsArg, opts, 'chart options');
      const xAxis = o.xAxis ?? { kind: 'step' };
      const n = o.buckets ?? DEFAULT_BUCKETS;
      const rawLimit = Math.max(n, Math.floor(RAW_ZOOM_BUDGET / Math.max(1, ids.length)));
      const h = await core.ready();
      const t0 = performance.now();
      const out = await Promise.all(
        ids.map(async (runId): Promise<RunSeries> => {
          const l = await load(h, runId, keysFor(k, xAxis));
          const got = xyOf(l, k, xAxis);
          if (!got) return { runId, series: null, live: l.live };
          return { runId, series: chartOfRange(k, got.xy, got.count, n, o.range ?? null, rawLimit), live: l.live };
        }),
      );
      performance.measure?.('cairn:charts:series', { start: t0, end: performance.now() });
      return answer(out);
    },

    /**
     * What arrived after a live chart's last drawn cell: per run, the buckets of the same grid from `fromCell` on
     * (the open cell again, then new ones), with `before` = the points before that cell so the chart can tell its
     * closed buckets are still exact (CHART-8).
     */
    async getRunsSeriesTails(key: string, tails: SeriesTail[], opts: { xAxis?: XAxis } = {}): Promise<RunSeries[]> {
      const k = parseInput(KeyArg, key, 'metric key');
      const ts = parseInput(TailsArg, tails, 'series tails');
      const xAxis = parseInput(z.object({ xAxis: XAxisSchema.optional() }).strict(), opts, 'chart options').xAxis ?? { kind: 'step' as const };
      const h = await core.ready();
      const out = await Promise.all(
        ts.map(async (t): Promise<RunSeries> => {
          const l = await load(h, t.runId, keysFor(k, xAxis));
          const got = xyOf(l, k, xAxis);
          if (!got) return { runId: t.runId, series: null, live: l.live };
          return { runId: t.runId, series: chartTail(k, got.xy, got.count, t.grid, t.fromCell), live: l.live };
        }),
      );
      return answer(out);
    },
  };
}

/** A whole series (range null) or the points of x range `range`, as a ChartSeries. */
export function chartOfRange(
  key: string,
  xy: { xs: Float64Array; values: Float64Array },
  count: number,
  n: number,
  range: [number, number] | null,
  rawLimit = n,
): ChartSeries {
  const { xs, values } = xy;
  const len = xs.length;
  const extent: [number, number] | undefined = len > 0 ? [xs[0]!, xs[len - 1]!] : undefined;
  const i0 = range ? lowerBound(xs, range[0]) : 0;
  const i1 = range ? upperBound(xs, range[1], i0) : len;
  const m = i1 - i0;
  const base = { key, count, before: i0, ...(extent ? { extent } : {}) };
  if (m <= (range ? Math.max(n, rawLimit) : n)) {
    return { ...base, steps: xs.slice(i0, i1), values: values.slice(i0, i1) };
  }
  const last: [number, number] = [xs[i1 - 1]!, values[i1 - 1]!];
  const grid = gridFor(xs[i0]!, xs[i1 - 1]!, n);
  if (!grid) {
    // Every x equal: split by index (no grid, so no live append for this one).
    const b = bucketSeries(xs.subarray(i0, i1), values.subarray(i0, i1), n);
    return { ...base, steps: b.steps.slice(), values: b.values.slice(), min: b.min.slice(), max: b.max.slice(), last };
  }
  const b = bucketGrid(xs, values, grid, i0, i1);
  return { ...base, steps: b.x, values: b.values, min: b.min, max: b.max, grid, cells: b.cells, counts: b.counts, finite: b.finite, last };
}

/** The buckets of `grid` from cell `fromCell` to the end of the series. */
export function chartTail(key: string, xy: { xs: Float64Array; values: Float64Array }, count: number, grid: Grid, fromCell: number): ChartSeries {
  const { xs, values } = xy;
  const len = xs.length;
  const i0 = lowerBound(xs, grid.origin + fromCell * grid.width);
  const b = bucketGrid(xs, values, grid, i0, len, fromCell);
  return {
    key,
    count,
    before: i0,
    steps: b.x,
    values: b.values,
    min: b.min,
    max: b.max,
    grid,
    cells: b.cells,
    counts: b.counts,
    finite: b.finite,
    ...(len > 0 ? { extent: [xs[0]!, xs[len - 1]!] as [number, number], last: [xs[len - 1]!, values[len - 1]!] as [number, number] } : {}),
  };
}

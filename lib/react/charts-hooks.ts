'use client';

import { useRef } from 'react';
import { DEFAULT_BUCKETS } from '../search/bucket';
import { appendTail, openCell } from '../search/live-series';
import type { XAxis } from '../search/series-x';
import type { RunSeries, SeriesTail } from '../../workers/charts-api';
import type { QueryResult } from './contract';
import type { DataClient } from './data-client';
import { useWorkerQuery } from './worker-query';

/** Hooks and contract types for charts (series of many runs, zoomed ranges): each hook is a useWorkerQuery (worker-query.ts) over the worker's charts-api.ts. */

export type { XAxis } from '../search/series-x';
export type { Grid } from '../search/bucket';
export type { RunSeries } from '../../workers/charts-api';
export { DEFAULT_BUCKETS } from '../search/bucket';

export interface RunsSeriesOptions {
  /** Points per line (default 1,500). */
  buckets?: number;
  /** Only this x range, bucketed finer (a zoom); null or absent: the whole series. */
  range?: [number, number] | null;
  xAxis?: XAxis;
}

const STEP: XAxis = { kind: 'step' };
const NONE: RunSeries[] = [];

/**
 * One metric key of 1..100 runs, one entry per run in the order given (`series: null`: the run has no such key).
 * Live: the runs the worker reports RUNNING are subscribed (`metrics:<runId>`, which holds their doc live in the
 * worker, within its live-socket budget); finished runs are read once from a snapshot and never hold a socket. On each
 * change of a running run only what arrived after its last drawn bucket is fetched and appended (CHART-8); a zoomed
 * range (`range`) is fetched again instead.
 */
export function useRunsSeries(runIds: string[], key: string, opts: RunsSeriesOptions = {}): QueryResult<RunSeries[]> {
  const buckets = opts.buckets ?? DEFAULT_BUCKETS;
  const range = opts.range ?? null;
  const xAxis = opts.xAxis ?? STEP;
  const qkey = `runs-series:${key}:${buckets}:${JSON.stringify(range)}:${JSON.stringify(xAxis)}:${runIds.join(',')}`;
  const last = useRef<{ key: string; data: RunSeries[] } | null>(null);
  // The topics come from the last answer: once it is in, the re-render subscribes the live runs.
  const live = last.current?.key === qkey ? last.current.data.filter((r) => r.live).map((r) => `metrics:${r.runId}`) : [];
  const result = useWorkerQuery(qkey, live, async (c) => {
    if (runIds.length === 0) return NONE;
    const prev = last.current?.key === qkey ? last.current.data : null;
    const data = prev && !range ? await grow(c, prev, runIds, key, buckets, xAxis) : await c.getRunsSeries(runIds, key, { buckets, range, xAxis });
    last.current = { key: qkey, data };
    return data;
  });
  return result;
}

/** `prev` with each live run's tail appended (or its whole series fetched again when it cannot be appended). */
async function grow(c: DataClient, prev: RunSeries[], runIds: string[], key: string, buckets: number, xAxis: XAxis): Promise<RunSeries[]> {
  const tails: SeriesTail[] = [];
  const whole: string[] = [];
  for (const r of prev) {
    if (!r.live) continue;
    const cell = openCell(r.series);
    if (cell === null || !r.series?.grid) whole.push(r.runId);
    else tails.push({ runId: r.runId, grid: r.series.grid, fromCell: cell });
  }
  if (tails.length === 0 && whole.length === 0) return prev;
  const byId = new Map(prev.map((r) => [r.runId, r]));
  const got = tails.length ? await c.getRunsSeriesTails(key, tails, { xAxis }) : [];
  for (const t of got) {
    const old = byId.get(t.runId)?.series;
    const grown = old && t.series ? appendTail(old, t.series, buckets) : null;
    if (grown) byId.set(t.runId, { runId: t.runId, series: grown, live: t.live ?? false });
    else whole.push(t.runId);
  }
  if (whole.length) for (const r of await c.getRunsSeries(whole, key, { buckets, range: null, xAxis })) byId.set(r.runId, r);
  return runIds.map((id) => byId.get(id) ?? { runId: id, series: null });
}

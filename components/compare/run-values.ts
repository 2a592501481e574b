import type { Axis, RunRow } from '@/lib/react';

/**
 * The values a chart over runs can put on an axis (CMP-4): any param, any metric's latest value, or one of the run's
 * own attributes. One home for "what is the x of this run", shared by compare's scatter and parallel coordinates and
 * the dashboard cards.
 */

/** Attributes that make sense on an axis: numbers (times) and short categories (status, user). */
export const AXIS_ATTRIBUTES = ['start_time', 'duration', 'status', 'user_id'] as const;

/** `params.lr`, `metrics.loss`, `attributes.duration`: MLflow's search-language names, so people recognise them. */
export function axisLabel(a: Axis): string {
  return `${a.kind === 'param' ? 'params' : a.kind === 'metric' ? 'metrics' : 'attributes'}.${a.key}`;
}

export const sameAxis = (a: Axis, b: Axis) => a.kind === b.kind && a.key === b.key;

/** Parses `params.lr` (as axisLabel writes it) back; null for anything else. */
export function parseAxis(s: string): Axis | null {
  const m = /^(params|metrics|attributes)\.(.+)$/.exec(s);
  if (!m) return null;
  const kind = m[1] === 'params' ? 'param' : m[1] === 'metrics' ? 'metric' : 'attr';
  return { kind, key: m[2]! };
}

/** A param value that is a plain decimal number reads as that number (lr = "0.01" plots at 0.01). */
function numeric(s: string): number | string {
  const t = s.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return s;
  return Number(t);
}

/** The run's value on an axis, or null when the run has none. Metrics: the latest value. */
export function axisValue(run: RunRow, a: Axis): number | string | null {
  switch (a.kind) {
    case 'param':
      return Object.hasOwn(run.params, a.key) ? numeric(run.params[a.key]!) : null;
    case 'metric':
      return Object.hasOwn(run.metrics, a.key) ? run.metrics[a.key]!.latest : null;
    case 'attr':
      switch (a.key) {
        case 'start_time':
          return run.info.startTime || null;
        case 'duration':
          return run.info.endTime !== null && run.info.startTime ? run.info.endTime - run.info.startTime : null;
        case 'status':
          return run.info.status;
        case 'user_id':
          return run.info.userId || null;
        default:
          return null;
      }
  }
}

/** Every axis the runs have a value on: params, then metrics, then attributes, keys sorted. */
export function availableAxes(runs: readonly RunRow[]): Axis[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const r of runs) {
    for (const k of Object.keys(r.params)) params.add(k);
    for (const k of Object.keys(r.metrics)) metrics.add(k);
  }
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return [
    ...sorted(params).map((key): Axis => ({ kind: 'param', key })),
    ...sorted(metrics).map((key): Axis => ({ kind: 'metric', key })),
    ...AXIS_ATTRIBUTES.map((key): Axis => ({ kind: 'attr', key })),
  ];
}

/** Every metric key of the runs, sorted. */
export function metricKeysOf(runs: readonly RunRow[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) keys.add(k);
  return [...keys].sort((a, b) => a.localeCompare(b));
}

/**
 * An axis is numeric when every value the runs have on it is a number (NaN and ±Infinity included: they are dropped
 * from the plot, not turned into categories); otherwise it is a category axis of the distinct values, sorted.
 */
export function axisScale(runs: readonly RunRow[], a: Axis): { type: 'value' } | { type: 'category'; categories: string[] } {
  const cats = new Set<string>();
  let allNumbers = true;
  for (const r of runs) {
    const v = axisValue(r, a);
    if (v === null) continue;
    if (typeof v !== 'number') allNumbers = false;
    cats.add(String(v));
  }
  if (allNumbers) return { type: 'value' };
  return { type: 'category', categories: [...cats].sort((x, y) => x.localeCompare(y)) };
}

/** Axes of a parallel-coordinates chart shown before anyone chooses: its params then metrics, at most `max`. */
export function defaultParallelAxes(runs: readonly RunRow[], max: number): Axis[] {
  const all = availableAxes(runs);
  const own = all.filter((a) => a.kind !== 'attr').slice(0, max);
  return own.length >= 2 ? own : all.slice(0, Math.max(2, own.length));
}

/** A scatter's axes before anyone chooses: x the first param that varies as a number, y the first metric. */
export function defaultScatterAxes(runs: readonly RunRow[]): { x: Axis; y: Axis } {
  const all = availableAxes(runs);
  const params = all.filter((a) => a.kind === 'param');
  const x = params.find((a) => axisScale(runs, a).type === 'value') ?? params[0] ?? { kind: 'attr', key: 'start_time' };
  const y = all.find((a) => a.kind === 'metric') ?? { kind: 'attr', key: 'duration' };
  return { x, y };
}

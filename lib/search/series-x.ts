/**
 * The x column of a chart: a metric series drawn against its step, wall time, time since the run started, or another
 * metric of the same run (W&B's "x-axis" choice). Pure; the data worker derives it before bucketing, so bucketing and
 * range lookups always see x ascending.
 */

/** What a chart's x axis shows. */
export type XAxis = { kind: 'step' } | { kind: 'wall' } | { kind: 'relative' } | { kind: 'metric'; key: string };

/** One key's points in step order (lib/doc's Series shape). */
export interface StepSeries {
  steps: Float64Array;
  timestamps: Float64Array;
  values: Float64Array;
}

/** x ascending with the values in the same order. For the step axis these are the series' own arrays (no copy). */
export interface XY {
  xs: Float64Array;
  values: Float64Array;
}

/**
 * The series against `axis`: steps as they are; wall time = the timestamp (ms since epoch); relative = seconds since
 * `startTime` (the run's start; the first timestamp when unknown); metric = the other key's value logged at the same
 * step (its last one there), points whose step has no such value, or whose x is not finite, dropped. Sorted by x
 * (stably) when the result is not ascending already.
 */
export function seriesXY(s: StepSeries, axis: XAxis, o: { startTime?: number | undefined; other?: StepSeries | null | undefined } = {}): XY {
  if (axis.kind === 'step') return { xs: s.steps, values: s.values };
  if (axis.kind === 'wall') return ascending({ xs: s.timestamps, values: s.values });
  if (axis.kind === 'relative') {
    const n = s.timestamps.length;
    let t0 = o.startTime !== undefined && Number.isFinite(o.startTime) && o.startTime > 0 ? o.startTime : Infinity;
    if (t0 === Infinity) for (let i = 0; i < n; i++) t0 = Math.min(t0, s.timestamps[i]!);
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = (s.timestamps[i]! - t0) / 1000;
    return ascending({ xs, values: s.values });
  }
  return ascending(joinByStep(s, o.other ?? null));
}

/** The other key's value at each step of `s` (both in step order): a merge walk, O(n + m). */
function joinByStep(s: StepSeries, other: StepSeries | null): XY {
  const n = s.steps.length;
  const xs = new Float64Array(n);
  const values = new Float64Array(n);
  if (!other) return { xs: xs.subarray(0, 0), values: values.subarray(0, 0) };
  let j = 0;
  let k = 0;
  const m = other.steps.length;
  for (let i = 0; i < n; i++) {
    const step = s.steps[i]!;
    while (j < m && other.steps[j]! < step) j++;
    // The last value the other key has at this step.
    let at = -1;
    for (let t = j; t < m && other.steps[t] === step; t++) at = t;
    if (at < 0) continue;
    const x = other.values[at]!;
    if (!Number.isFinite(x)) continue;
    xs[k] = x;
    values[k] = s.values[i]!;
    k++;
  }
  return { xs: xs.slice(0, k), values: values.slice(0, k) };
}

/** `xy` itself when x never decreases, else a stably sorted copy. */
function ascending(xy: XY): XY {
  const { xs, values } = xy;
  const n = xs.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (xs[i]! < xs[i - 1]!) sorted = false;
  if (sorted) return xy;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]! || a - b);
  return { xs: Float64Array.from(order, (i) => xs[i]!), values: Float64Array.from(order, (i) => values[i]!) };
}

import type { ChartSeries } from '@/lib/react';
import type { ZoomWindow } from './EChart';

/**
 * Zoom re-bucketing on the page side (CHART-4): the dataZoom window becomes an x range the worker buckets finer, and
 * the finer points replace the coarse ones inside the range while the coarse ones stay outside it, so panning never
 * shows an empty edge while the next range is on its way.
 */

/** The x range a zoom window shows over `extent`, or null when it shows (almost) everything. */
export function windowToRange(w: ZoomWindow, extent: [number, number] | null, log = false): [number, number] | null {
  if (!extent || (w.start <= 0.01 && w.end >= 99.99)) return null;
  const [a, b] = extent;
  if (!(b > a)) return null;
  const at = (p: number) => {
    const f = Math.min(1, Math.max(0, p / 100));
    if (log && a > 0) return 10 ** (Math.log10(a) + (Math.log10(b) - Math.log10(a)) * f);
    return a + (b - a) * f;
  };
  const lo = at(w.start);
  const hi = at(w.end);
  return hi > lo ? [lo, hi] : null;
}

/** The x extent covering every series (null when none has points). */
export function unionExtent(series: (ChartSeries | null | undefined)[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    if (!s) continue;
    const e = s.extent ?? (s.steps.length > 0 ? [s.steps[0]!, s.steps[s.steps.length - 1]!] : null);
    if (!e) continue;
    lo = Math.min(lo, e[0]);
    hi = Math.max(hi, e[1]);
  }
  return lo <= hi ? [lo, hi] : null;
}

/** `full`'s points outside `range`, `zoomed`'s inside (its band; no band (NaN, a gap) where it is raw points). */
export function spliceRange(full: ChartSeries, zoomed: ChartSeries, range: [number, number]): ChartSeries {
  const xs = full.steps;
  let i0 = 0;
  while (i0 < xs.length && xs[i0]! < range[0]) i0++;
  let i1 = i0;
  while (i1 < xs.length && xs[i1]! <= range[1]) i1++;
  const m = zoomed.steps.length;
  const n = i0 + m + (xs.length - i1);
  const banded = !!(full.min || zoomed.min);
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  const min = banded ? new Float64Array(n) : undefined;
  const max = banded ? new Float64Array(n) : undefined;
  const put = (src: ChartSeries, from: number, to: number, at: number) => {
    steps.set(src.steps.subarray(from, to), at);
    values.set(src.values.subarray(from, to), at);
    if (src.min && src.max) {
      min?.set(src.min.subarray(from, to), at);
      max?.set(src.max.subarray(from, to), at);
    } else {
      min?.fill(NaN, at, at + to - from);
      max?.fill(NaN, at, at + to - from);
    }
  };
  put(full, 0, i0, 0);
  put(zoomed, 0, m, i0);
  put(full, i1, xs.length, i0 + m);
  // The true last point is the whole series' (the zoomed one is the range's last).
  return {
    key: full.key,
    count: full.count,
    steps,
    values,
    ...(min && max ? { min, max } : {}),
    ...(full.last ? { last: full.last } : {}),
    ...(full.extent ? { extent: full.extent } : {}),
  };
}

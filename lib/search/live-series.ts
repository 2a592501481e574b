import { mergePairs, pointsIn, spliceBuckets, type ChartSeries, type GridBuckets } from './bucket';

/**
 * A live chart's growth rule (components/charts/SPEC.md CHART-8), pure so it is tested without a worker: the chart
 * keeps its grid (bucket width and origin) once drawn and asks only for the buckets from its last, still open, cell
 * on. Closed buckets are kept as they are; the open one is replaced; new ones are appended. When the chart holds more
 * than 2n buckets, pairs of neighbouring cells are merged (the width doubles), so the count falls back to ~n: every
 * point is merged O(log(total / n)) times overall, amortised O(1) per point, and redraws never re-bucket the series.
 */

const toBuckets = (s: ChartSeries): GridBuckets | null =>
  s.grid && s.cells && s.counts && s.finite && s.min && s.max
    ? { x: s.steps, values: s.values, min: s.min, max: s.max, cells: s.cells, counts: s.counts, finite: s.finite }
    : null;

/** The cell a live chart asks its next tail from (its last bucket's), or null when it cannot append (not gridded). */
export function openCell(s: ChartSeries | null | undefined): number | null {
  if (!s?.grid || !s.cells || s.cells.length === 0) return null;
  return s.cells[s.cells.length - 1]!;
}

/**
 * `prev` grown by `tail` (an answer for `openCell(prev)` on prev's grid), merged pairwise while it holds more than
 * `2n` buckets. Null when prev's closed buckets no longer match the series (points arrived before the open cell,
 * e.g. from a second writer): the caller re-fetches the whole series then.
 */
export function appendTail(prev: ChartSeries, tail: ChartSeries, n: number): ChartSeries | null {
  const a = toBuckets(prev);
  const b = toBuckets(tail);
  const from = openCell(prev);
  if (!a || !b || from === null || !tail.grid || tail.grid.width !== prev.grid!.width || tail.grid.origin !== prev.grid!.origin) return null;
  const keep = a.cells.length - 1;
  if (tail.before !== pointsIn(a, keep) || tail.count < prev.count) return null;
  let merged = spliceBuckets(a, from, b);
  let width = prev.grid!.width;
  while (merged.cells.length > 2 * n) {
    merged = mergePairs(merged);
    width *= 2;
  }
  const extent: [number, number] | undefined = prev.extent && tail.extent ? [prev.extent[0], tail.extent[1]] : (tail.extent ?? prev.extent);
  return {
    key: prev.key,
    count: tail.count,
    before: 0,
    steps: merged.x,
    values: merged.values,
    min: merged.min,
    max: merged.max,
    cells: merged.cells,
    counts: merged.counts,
    finite: merged.finite,
    grid: { origin: prev.grid!.origin, width },
    ...(tail.last ? { last: tail.last } : prev.last ? { last: prev.last } : {}),
    ...(extent ? { extent } : {}),
  };
}

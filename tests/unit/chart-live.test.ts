import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS, bucketGrid, gridFor, lowerBound, mergePairs, type ChartSeries } from '@/lib/search/bucket';
import { appendTail, openCell } from '@/lib/search/live-series';
import { chartOfRange, chartTail } from '@/workers/charts-api';

const series = (n: number, f: (i: number) => number = (i) => Math.sin(i / 50) * (i % 7 === 0 ? 3 : 1)) => ({
  xs: Float64Array.from({ length: n }, (_, i) => i),
  values: Float64Array.from({ length: n }, (_, i) => f(i)),
});
const prefix = (xy: { xs: Float64Array; values: Float64Array }, n: number) => ({ xs: xy.xs.subarray(0, n), values: xy.values.subarray(0, n) });

describe('live growth', () => {
  it('[CHART-8] appending tails keeps every closed bucket exactly as drawn and replaces only the open one', () => {
    const n = 100;
    const all = series(50_000);
    let s: ChartSeries = chartOfRange('m', prefix(all, 1_000), 1_000, n, null);
    expect(s.grid).toBeDefined();
    for (const upTo of [1_010, 1_200, 1_500, 1_900]) {
      const before = { cells: s.cells!.slice(), x: s.steps.slice(), values: s.values.slice(), min: s.min!.slice(), max: s.max!.slice() };
      const tail = chartTail('m', prefix(all, upTo), upTo, s.grid!, openCell(s)!);
      // The worker reads only the points from the open cell on.
      expect(tail.before).toBe(lowerBound(all.xs, s.grid!.origin + openCell(s)! * s.grid!.width));
      const grown = appendTail(s, tail, n)!;
      expect(grown).not.toBeNull();
      const closed = before.cells.length - 1;
      expect([...grown.cells!.subarray(0, closed)]).toEqual([...before.cells.subarray(0, closed)]);
      expect([...grown.steps.subarray(0, closed)]).toEqual([...before.x.subarray(0, closed)]);
      expect([...grown.values.subarray(0, closed)]).toEqual([...before.values.subarray(0, closed)]);
      expect([...grown.min!.subarray(0, closed)]).toEqual([...before.min.subarray(0, closed)]);
      expect([...grown.max!.subarray(0, closed)]).toEqual([...before.max.subarray(0, closed)]);
      expect(grown.count).toBe(upTo);
      expect(grown.last).toEqual([upTo - 1, all.values[upTo - 1]]);
      s = grown;
    }
    // The grown line equals bucketing the whole series on its grid at once.
    const whole = bucketGrid(prefix(all, 1_900).xs, prefix(all, 1_900).values, s.grid!);
    expect([...s.cells!]).toEqual([...whole.cells]);
    for (let i = 0; i < whole.cells.length; i++) {
      expect(s.values[i]).toBeCloseTo(whole.values[i]!, 9);
      expect(s.min![i]).toBe(whole.min[i]);
      expect(s.max![i]).toBe(whole.max[i]);
    }
  });

  it('[CHART-8] past 2n buckets neighbours merge pairwise (width doubles), equal to bucketing on the wider grid', () => {
    const n = 50;
    const all = series(20_000);
    let s: ChartSeries = chartOfRange('m', prefix(all, 500), 500, n, null);
    const width0 = s.grid!.width;
    let merges = 0;
    for (let upTo = 600; upTo <= 20_000; upTo += 100) {
      const grown = appendTail(s, chartTail('m', prefix(all, upTo), upTo, s.grid!, openCell(s)!), n)!;
      if (grown.grid!.width !== s.grid!.width) merges++;
      s = grown;
      expect(s.cells!.length).toBeLessThanOrEqual(2 * n);
    }
    expect(merges).toBeGreaterThanOrEqual(4);
    expect(s.grid!.width).toBe(width0 * 2 ** merges);
    expect(s.cells!.length).toBeGreaterThanOrEqual(n / 2);
    const whole = bucketGrid(all.xs, all.values, s.grid!);
    expect([...s.cells!]).toEqual([...whole.cells]);
    for (let i = 0; i < whole.cells.length; i++) {
      expect(s.values[i]).toBeCloseTo(whole.values[i]!, 9);
      expect(s.steps[i]).toBeCloseTo(whole.x[i]!, 6);
      expect(s.min![i]).toBe(whole.min[i]);
      expect(s.max![i]).toBe(whole.max[i]);
    }
  });

  it('[CHART-8] a tail that does not match the drawn buckets (points inserted before the open cell) is refused', () => {
    const all = series(5_000);
    const s = chartOfRange('m', prefix(all, 4_000), 4_000, 100, null);
    const tail = chartTail('m', prefix(all, 4_500), 4_500, s.grid!, openCell(s)!);
    expect(appendTail(s, { ...tail, before: tail.before! + 3 }, 100)).toBeNull();
    expect(appendTail(s, { ...tail, count: 10 }, 100)).toBeNull();
    expect(appendTail({ ...s, grid: undefined }, tail, 100)).toBeNull();
  });

  it('[CHART-3] 1M points → 1,500 grid buckets, the spike kept, without copying the series', () => {
    const all = series(1_000_000);
    all.values[777_777] = 1e9;
    const s = chartOfRange('m', all, all.xs.length, DEFAULT_BUCKETS, null);
    expect(s.steps.length).toBeLessThanOrEqual(DEFAULT_BUCKETS);
    expect(s.steps.length).toBeGreaterThanOrEqual(DEFAULT_BUCKETS - 1);
    expect(Math.max(...s.max!)).toBe(1e9);
    expect(gridFor(5, 5, 10)).toBeNull();
    const m = mergePairs(bucketGrid(all.xs, all.values, { origin: 0, width: 1000 }));
    expect(m.cells.length).toBe(500);
    expect(m.counts[0]).toBe(2000);
  });

  it('[CHART-13] grid bucketing ends on infinite, NaN and far-out x values (it looped forever on Infinity)', () => {
    const values = Float64Array.from([1, 2, 3, 4]);
    const inf = bucketGrid(Float64Array.from([-Infinity, 0, 1, Infinity]), values, { origin: 0, width: 1 });
    expect([...inf.cells]).toEqual([0, 1]);
    expect([...inf.values]).toEqual([2, 3]);
    const far = bucketGrid(Float64Array.from([0, 1, 1e200, 1e300]), values, { origin: 0, width: 1e-3 });
    expect([...far.counts]).toEqual([1, 1, 1, 1]);
    expect(far.cells[3]).toBeGreaterThan(far.cells[2]!);
    const nan = bucketGrid(Float64Array.from([NaN, NaN]), Float64Array.from([1, 2]), { origin: 0, width: 1 });
    expect(nan.cells.length).toBe(0);
  });

  it('[CHART-3] grid buckets equal a one-point-at-a-time reference on random series (NaN and ±Infinity in x and values, ranges, minCell)', () => {
    // The reference: every point with a finite x goes to the cell c with edge(c) ≤ x < edge(c+1) (clamped to minCell),
    // consecutive points of one cell form one bucket, sums in point order.
    const reference = (xs: Float64Array, values: Float64Array, grid: { origin: number; width: number }, from: number, to: number, minCell: number) => {
      const edge = (c: number) => grid.origin + c * grid.width;
      const rows: number[][] = [];
      for (let i = from; i < to; i++) {
        const x = xs[i]!;
        if (!Number.isFinite(x)) continue;
        let c = Math.floor((x - grid.origin) / grid.width);
        while (edge(c + 1) <= x) c++;
        while (edge(c) > x) c--;
        c = Math.max(minCell, c);
        const v = values[i]!;
        let r = rows[rows.length - 1];
        if (!r || r[0] !== c) rows.push((r = [c, 0, 0, 0, 0, NaN, Infinity, -Infinity]));
        r[1]! += 1; // count
        r[2]! += x; // x sum
        if (Number.isFinite(v)) {
          r[3]! += v;
          r[4]! += 1;
        } else if (!Number.isNaN(v)) r[5] = v;
        if (v < r[6]!) r[6] = v;
        if (v > r[7]!) r[7] = v;
      }
      return rows.map(([cell, count, xSum, fSum, fCount, lastV, lo, hi]) => {
        const allNaN = fCount === 0 && Number.isNaN(lastV);
        return [cell, xSum! / count!, fCount! > 0 ? fSum! / fCount! : lastV, allNaN ? NaN : lo, allNaN ? NaN : hi, count, fCount];
      });
    };
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(rand() * 400);
      const xs = new Float64Array(n);
      let x = rand() < 0.2 ? -Infinity : rand() * 100 - 50;
      for (let i = 0; i < n; i++) {
        x = Number.isFinite(x) ? x + pick([0, 0.001, 0.5, 1, 3, 50]) : rand() * 10;
        xs[i] = rand() < 0.05 ? pick([NaN, Infinity]) : x;
      }
      const values = Float64Array.from({ length: n }, () => (rand() < 0.1 ? pick([NaN, Infinity, -Infinity, -0, 0]) : rand() * 20 - 10));
      const finite = [...xs].filter(Number.isFinite);
      const grid = (finite.length > 1 ? gridFor(finite[0]!, finite[finite.length - 1]!, 2 + Math.floor(rand() * 60)) : null) ?? { origin: -3, width: 0.7 };
      const from = rand() < 0.5 ? 0 : Math.floor(rand() * n);
      const to = rand() < 0.5 ? n : from + Math.floor(rand() * (n - from + 1));
      const minCell = rand() < 0.7 ? -Infinity : Math.floor(rand() * 20);
      const b = bucketGrid(xs, values, grid, from, to, minCell);
      const got = [...b.cells].map((_, k) => [b.cells[k], b.x[k], b.values[k], b.min[k], b.max[k], b.counts[k], b.finite[k]]);
      expect(got, `round ${round}`).toEqual(reference(xs, values, grid, from, to, minCell));
    }
  });

  it('[CHART-3] grid buckets skip NaN in min/max, keep ±Infinity, mean finite values; an all-NaN cell is NaN; NaN x skipped', () => {
    const xs = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, NaN]);
    const values = Float64Array.from([NaN, NaN, NaN, 1, Infinity, 3, -Infinity, Infinity, NaN, 5]);
    const b = bucketGrid(xs, values, { origin: 0, width: 3 });
    expect([...b.cells]).toEqual([0, 1, 2]);
    expect(b.values[0]).toBeNaN();
    expect(b.min[0]).toBeNaN();
    expect(b.max[0]).toBeNaN();
    expect([b.values[1], b.min[1], b.max[1], b.counts[1], b.finite[1]]).toEqual([2, 1, Infinity, 3, 2]);
    expect([b.values[2], b.min[2], b.max[2], b.counts[2], b.finite[2]]).toEqual([Infinity, -Infinity, Infinity, 3, 0]);
  });
});

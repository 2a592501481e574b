import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS, bucketSeries } from '@/lib/search/bucket';

const f64 = (xs: number[]) => Float64Array.from(xs);
const range = (n: number, f: (i: number) => number = (i) => i) => Float64Array.from({ length: n }, (_, i) => f(i));

describe('bucketSeries', () => {
  it('passes a short series through untouched (same arrays, min = max = values)', () => {
    const steps = f64([0, 1, 2]);
    const values = f64([3, NaN, 5]);
    const b = bucketSeries(steps, values, 3);
    expect(b.bucketed).toBe(false);
    expect(b.steps).toBe(steps);
    expect(b.values).toBe(values);
    expect(b.min).toBe(values);
    expect(b.max).toBe(values);
  });

  it('splits the step range into equal buckets with mean, min and max per bucket', () => {
    // steps 0..9, 2 buckets: [0..4] and [5..9]
    const b = bucketSeries(range(10), range(10, (i) => i * 10), 2);
    expect(b.bucketed).toBe(true);
    expect([...b.steps]).toEqual([2, 7]);
    expect([...b.values]).toEqual([20, 70]);
    expect([...b.min]).toEqual([0, 50]);
    expect([...b.max]).toEqual([40, 90]);
  });

  it("'last' mode keeps each bucket's last point (its step and last non-NaN value)", () => {
    const b = bucketSeries(range(6), f64([1, 2, 3, 4, 5, NaN]), 2, 'last');
    expect([...b.steps]).toEqual([2, 5]);
    expect([...b.values]).toEqual([3, 5]);
  });

  it('drops empty buckets of irregular steps, so output ≤ n points', () => {
    const steps = f64([0, 1, 2, 3, 1000]);
    const b = bucketSeries(steps, f64([1, 1, 1, 1, 9]), 4);
    expect(b.steps.length).toBe(2);
    expect([...b.values]).toEqual([1, 9]);
  });

  it('falls back to index buckets when every step is equal (MLflow default step 0)', () => {
    const b = bucketSeries(new Float64Array(100), range(100), 10);
    expect(b.steps.length).toBe(10);
    expect([...b.min.slice(0, 3)]).toEqual([0, 10, 20]);
    expect([...b.max.slice(0, 3)]).toEqual([9, 19, 29]);
  });

  it('ignores NaN in min/max, keeps ±Infinity as extremes, means only finite values; all-NaN gives NaN', () => {
    const values = f64([NaN, NaN, NaN, 1, Infinity, 3, -Infinity, Infinity, NaN]);
    const b = bucketSeries(range(9), values, 3);
    // bucket 0: all NaN
    expect(b.values[0]).toBeNaN();
    expect(b.min[0]).toBeNaN();
    expect(b.max[0]).toBeNaN();
    // bucket 1: 1, Inf, 3 → mean of finite = 2, min 1, max Inf
    expect(b.values[1]).toBe(2);
    expect(b.min[1]).toBe(1);
    expect(b.max[1]).toBe(Infinity);
    // bucket 2: -Inf, Inf, NaN → no finite value: last non-NaN (Inf); band spans both infinities
    expect(b.values[2]).toBe(Infinity);
    expect(b.min[2]).toBe(-Infinity);
    expect(b.max[2]).toBe(Infinity);
  });

  it('buckets 1M points to DEFAULT_BUCKETS, keeping a single spike in the max band, in well under a second', () => {
    const n = 1_000_000;
    const steps = range(n);
    const values = range(n, (i) => Math.sin(i / 1000));
    values[654_321] = 1e9;
    const t0 = performance.now();
    const b = bucketSeries(steps, values);
    const ms = performance.now() - t0;
    expect(b.steps.length).toBe(DEFAULT_BUCKETS);
    expect(Math.max(...b.max)).toBe(1e9);
    expect(Math.min(...b.min)).toBeCloseTo(-1, 5);
    // every bucket covers n / DEFAULT_BUCKETS consecutive steps
    expect(Math.abs(b.steps[1]! - b.steps[0]! - n / DEFAULT_BUCKETS)).toBeLessThan(1);
    expect(ms).toBeLessThan(500);
    // columns own separate buffers (the worker transfers each)
    expect(new Set([b.steps.buffer, b.values.buffer, b.min.buffer, b.max.buffer]).size).toBe(4);
  });

  it('refuses a non-positive bucket count', () => {
    expect(() => bucketSeries(range(3), range(3), 0)).toThrow(RangeError);
  });
});

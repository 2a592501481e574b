/**
 * Min/max bucketing of a metric series for charts: N points out, each with the bucket's min and max, so a chart of
 * 1M points draws a faithful band from ~1000 points and spikes never disappear.
 *
 * Buckets split the STEP range into equal widths (a chart's x axis is the step), and empty buckets are dropped, so
 * the output has at most `n` points. When every step is equal (MLflow's default step is 0) or a step is not finite,
 * buckets split the points by index instead.
 *
 * Non-finite values: min/max skip NaN but keep ±Infinity (a diverged loss is a real extreme). The representative
 * value is the mean of the bucket's FINITE values (one Infinity would otherwise flatten the whole line), falling back
 * to the last non-NaN value when the bucket has no finite value; a bucket of only NaN gives NaN everywhere.
 */

/** Points a chart draws per series: more than a wide screen has pixels, few enough to send and draw instantly. */
export const DEFAULT_BUCKETS = 1000;

export type BucketMode = 'mean' | 'last';

export interface Bucketed {
  steps: Float64Array;
  values: Float64Array;
  min: Float64Array;
  max: Float64Array;
  /** False when the input had ≤ n points: steps/values are the input arrays and min/max ARE `values` (same object). */
  bucketed: boolean;
}

/**
 * `steps` must be ascending (lib/doc's readSeries sorts them). `mode` picks the representative value: the mean of
 * the bucket or its last value; its step is the mean step of the bucket's points or the last point's step.
 */
export function bucketSeries(
  steps: Float64Array,
  values: Float64Array,
  n: number = DEFAULT_BUCKETS,
  mode: BucketMode = 'mean',
): Bucketed {
  const len = Math.min(steps.length, values.length);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bucket count must be a positive integer, got ${n}`);
  if (len <= n) {
    const s = steps.length === len ? steps : steps.subarray(0, len);
    const v = values.length === len ? values : values.subarray(0, len);
    return { steps: s, values: v, min: v, max: v, bucketed: false };
  }
  const first = steps[0]!;
  const last = steps[len - 1]!;
  const span = last - first;
  const byStep = Number.isFinite(span) && span > 0;
  const out = new Accumulator(n);
  let bucket = -1;
  for (let i = 0; i < len; i++) {
    // Index of the bucket this point falls in; the last step maps to n-1, not n.
    const b = byStep ? Math.min(n - 1, Math.floor(((steps[i]! - first) / span) * n)) : Math.floor((i * n) / len);
    if (b !== bucket) {
      if (bucket >= 0) out.close(mode);
      bucket = b;
    }
    out.add(steps[i]!, values[i]!);
  }
  out.close(mode);
  return out.result();
}

/** Running state of the open bucket plus the output columns. */
class Accumulator {
  private readonly steps: Float64Array;
  private readonly values: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private k = 0;
  private count = 0;
  private stepSum = 0;
  private lastStep = NaN;
  private finiteSum = 0;
  private finiteCount = 0;
  private lastNonNaN = NaN;
  private lo = NaN;
  private hi = NaN;

  constructor(n: number) {
    this.steps = new Float64Array(n);
    this.values = new Float64Array(n);
    this.min = new Float64Array(n);
    this.max = new Float64Array(n);
  }

  add(step: number, v: number): void {
    this.count++;
    this.stepSum += step;
    this.lastStep = step;
    if (v === v) {
      this.lastNonNaN = v;
      // NaN-free min/max: the first non-NaN value seeds both (lo !== lo tests for NaN).
      if (this.lo !== this.lo || v < this.lo) this.lo = v;
      if (this.hi !== this.hi || v > this.hi) this.hi = v;
      if (v !== Infinity && v !== -Infinity) {
        this.finiteSum += v;
        this.finiteCount++;
      }
    }
  }

  close(mode: BucketMode): void {
    if (this.count === 0) return;
    const k = this.k++;
    if (mode === 'mean') {
      this.steps[k] = this.stepSum / this.count;
      this.values[k] = this.finiteCount > 0 ? this.finiteSum / this.finiteCount : this.lastNonNaN;
    } else {
      this.steps[k] = this.lastStep;
      this.values[k] = this.lastNonNaN;
    }
    this.min[k] = this.lo;
    this.max[k] = this.hi;
    this.count = 0;
    this.stepSum = 0;
    this.finiteSum = 0;
    this.finiteCount = 0;
    this.lastNonNaN = NaN;
    this.lo = NaN;
    this.hi = NaN;
  }

  result(): Bucketed {
    const k = this.k;
    // slice (not subarray) so each column owns its buffer: the worker transfers them separately.
    return {
      steps: this.steps.slice(0, k),
      values: this.values.slice(0, k),
      min: this.min.slice(0, k),
      max: this.max.slice(0, k),
      bucketed: true,
    };
  }
}

/** A metric series ready to draw: at most ~`buckets` points; min/max bands when the series was bucketed. */
export interface ChartSeries {
  key: string;
  steps: Float64Array;
  values: Float64Array;
  /** Present when points were bucketed: per-bucket min and max (same length as steps). */
  min?: Float64Array;
  max?: Float64Array;
  /** Total points in the run for this key (before bucketing). */
  count: number;
}

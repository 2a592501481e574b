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

/** Points a chart draws per series (W&B draws 1,500): more than a wide screen has pixels, few enough to send and draw instantly. */
export const DEFAULT_BUCKETS = 1500;

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

/**
 * A metric series ready to draw: at most ~`buckets` points; min/max bands when the series was bucketed. `steps` holds
 * the x of each point: the step, unless the caller asked for another x axis (wall time, relative time, another key).
 */
export interface ChartSeries {
  key: string;
  steps: Float64Array;
  values: Float64Array;
  /** Present when points were bucketed: per-bucket min and max (same length as steps). */
  min?: Float64Array;
  max?: Float64Array;
  /** Total points in the run for this key (before bucketing). */
  count: number;
  /** Grid-bucketed series (bucketGrid): the grid, each bucket's cell, point count and finite-value count (live append). */
  grid?: Grid;
  cells?: Float64Array;
  counts?: Float64Array;
  finite?: Float64Array;
  /** The true last point [x, value] of the series (or of the range asked for), which a bucket mean would hide. */
  last?: [number, number];
  /** x of the series' first and last point (the whole series, also when only a range was bucketed). */
  extent?: [number, number];
  /** Points of the whole series before the first bucket sent (a tail or range answer): the live merge checks it. */
  before?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Grid buckets: fixed-width cells over x, for zoomed ranges and for live series that grow without re-bucketing.

/** Cell c covers x in [origin + c·width, origin + (c+1)·width). */
export interface Grid {
  origin: number;
  width: number;
}

/** Grid-bucketed points: one entry per non-empty cell, cells ascending. */
export interface GridBuckets {
  /** Mean x of the cell's points. */
  x: Float64Array;
  /** Mean of the cell's finite values; the last non-NaN value when it has none (as bucketSeries). */
  values: Float64Array;
  min: Float64Array;
  max: Float64Array;
  cells: Float64Array;
  counts: Float64Array;
  finite: Float64Array;
}

/** First index i in [lo, hi) with xs[i] >= x (xs ascending), hi when none: the range lookup, O(log n), no copy. */
export function lowerBound(xs: ArrayLike<number>, x: number, lo = 0, hi = xs.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i in [lo, hi) with xs[i] > x. */
export function upperBound(xs: ArrayLike<number>, x: number, lo = 0, hi = xs.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The grid that puts x in [first, last] into at most `n` cells (the last point in a cell of its own at most): width
 * span / (n − 1), so a series that grows past `last` keeps its cells and only adds new ones. Null when the span is
 * empty or not finite (every step equal): bucket by index then.
 */
export function gridFor(first: number, last: number, n: number): Grid | null {
  const span = last - first;
  if (!Number.isFinite(span) || span <= 0 || n < 2) return null;
  return { origin: first, width: span / (n - 1) };
}

/** Most steps cellOf corrects a cell by: rounding moves an edge by far less (a tiny width on a huge origin: ~100). */
const MAX_EDGE_STEPS = 1024;

/**
 * Buckets points [from, to) of ascending `xs` on `grid` (cells below `minCell` are clamped to it, so a tail never
 * leaks into a closed cell through rounding). Same value rules as bucketSeries. Reads the inputs in place.
 */
export function bucketGrid(xs: Float64Array, values: Float64Array, grid: Grid, from = 0, to = xs.length, minCell = -Infinity): GridBuckets {
  const { origin, width } = grid;
  // A point is in cell c when origin + c·width ≤ x < origin + (c+1)·width (edges computed one way everywhere: a
  // tail's lowerBound(origin + cell·width) agrees with it to the last bit).
  const edge = (c: number) => origin + c * width;
  const cellOf = (x: number) => {
    let c = Math.floor((x - origin) / width);
    // CHART-13: only a safe integer can be corrected (for ±Infinity, NaN or a cell past 2^53, c + 1 is c again and the
    // loops never ended); the corrections undo rounding, a few steps, bounded anyway.
    if (!Number.isSafeInteger(c)) return Math.max(minCell, c);
    for (let i = 0; i < MAX_EDGE_STEPS && edge(c + 1) <= x; i++) c++;
    for (let i = 0; i < MAX_EDGE_STEPS && edge(c) > x; i++) c--;
    return Math.max(minCell, c);
  };
  // Cells ascend with x, so the output has at most (last cell − first cell + 1) entries: sized so, not by point count.
  const span = to > from ? cellOf(xs[to - 1]!) - cellOf(xs[from]!) + 1 : 0;
  const out = emptyBuckets(Math.max(0, Math.min(to - from, Number.isFinite(span) ? span : to - from)));
  let k = 0;
  let i = from;
  while (i < to && !Number.isFinite(xs[i]!)) i++; // a non-finite x has no place on the axis
  let cell = i < to ? cellOf(xs[i]!) : NaN;
  // One pass of the inner loop per cell: its counters are fresh locals (kept in registers), the per-point work is one
  // comparison against the cell's upper edge, and a non-finite value (rare) takes the else branch. Sums run in point
  // order, as they always did, so every figure is the same to the last bit.
  while (i < to) {
    const next = edge(cell + 1);
    const start = i;
    let skipped = 0; // points with a non-finite x, which no cell holds
    let nonFinite = 0; // values that are NaN or ±Infinity
    let xSum = 0;
    let fSum = 0;
    // lastV: the last ±Infinity (the representative when a cell has no finite value); lo/hi start at ±Infinity so a
    // NaN (every comparison false) is skipped without a test of its own.
    let lastV = NaN;
    let lo = Infinity;
    let hi = -Infinity;
    let c = cell;
    for (; i < to; i++) {
      const x = xs[i]!;
      // True past the open cell's edge, and for NaN: then either skip the point, or find its cell (the same one when
      // cellOf could not correct a rounding, CHART-13: that point stays in the open cell).
      if (!(x < next)) {
        if (x - x !== 0) {
          skipped++;
          continue;
        }
        c = cellOf(x);
        if (c !== cell) break;
      }
      const v = values[i]!;
      xSum += x;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (v - v === 0) fSum += v;
      else {
        nonFinite++;
        if (v === v) lastV = v;
      }
    }
    const count = i - start - skipped;
    if (count > 0) closeCell(out, k++, cell, count, xSum, fSum, count - nonFinite, lastV, lo, hi);
    cell = c;
  }
  return sliceBuckets(out, 0, k);
}

/** Writes one closed cell (a plain function: a closure over the loop's counters would keep them off registers). */
function closeCell(out: GridBuckets, k: number, cell: number, count: number, xSum: number, fSum: number, fCount: number, lastV: number, lo: number, hi: number): void {
  // No finite value and no infinity: every value was NaN.
  const allNaN = fCount === 0 && lastV !== lastV;
  out.cells[k] = cell;
  out.x[k] = xSum / count;
  out.values[k] = fCount > 0 ? fSum / fCount : lastV;
  out.min[k] = allNaN ? NaN : lo;
  out.max[k] = allNaN ? NaN : hi;
  out.counts[k] = count;
  out.finite[k] = fCount;
}

/** Buckets on a grid twice as wide: cell c goes to ⌊c/2⌋ (how a live chart halves its bucket count, amortised). */
export function mergePairs(b: GridBuckets): GridBuckets {
  const n = b.cells.length;
  const out = emptyBuckets(n);
  let k = -1;
  for (let i = 0; i < n; i++) {
    const c = Math.floor(b.cells[i]! / 2);
    if (k < 0 || out.cells[k] !== c) {
      k++;
      out.cells[k] = c;
      out.x[k] = b.x[i]!;
      out.values[k] = b.values[i]!;
      out.min[k] = b.min[i]!;
      out.max[k] = b.max[i]!;
      out.counts[k] = b.counts[i]!;
      out.finite[k] = b.finite[i]!;
      continue;
    }
    const cn = out.counts[k]! + b.counts[i]!;
    out.x[k] = (out.x[k]! * out.counts[k]! + b.x[i]! * b.counts[i]!) / cn;
    const fa = out.finite[k]!;
    const fb = b.finite[i]!;
    if (fa + fb > 0) out.values[k] = ((fa > 0 ? out.values[k]! * fa : 0) + (fb > 0 ? b.values[i]! * fb : 0)) / (fa + fb);
    else if (b.values[i] === b.values[i]) out.values[k] = b.values[i]!; // the later last non-NaN value
    out.min[k] = nanMin(out.min[k]!, b.min[i]!);
    out.max[k] = nanMax(out.max[k]!, b.max[i]!);
    out.counts[k] = cn;
    out.finite[k] = fa + fb;
  }
  return sliceBuckets(out, 0, k + 1);
}

/** `a`'s buckets before cell `cell`, then `b`'s (b starts at or after `cell`): how a live tail replaces the open cell. */
export function spliceBuckets(a: GridBuckets, cell: number, b: GridBuckets): GridBuckets {
  const keep = lowerBound(a.cells, cell);
  const n = keep + b.cells.length;
  const out = emptyBuckets(n);
  for (const k of COLUMNS) {
    out[k].set(a[k].subarray(0, keep), 0);
    out[k].set(b[k], keep);
  }
  return out;
}

/** Points held by buckets [0, end). */
export function pointsIn(b: GridBuckets, end = b.counts.length): number {
  let n = 0;
  for (let i = 0; i < end; i++) n += b.counts[i]!;
  return n;
}

const COLUMNS = ['x', 'values', 'min', 'max', 'cells', 'counts', 'finite'] as const;

function emptyBuckets(n: number): GridBuckets {
  return {
    x: new Float64Array(n), values: new Float64Array(n), min: new Float64Array(n), max: new Float64Array(n),
    cells: new Float64Array(n), counts: new Float64Array(n), finite: new Float64Array(n),
  };
}

/** Each column its own buffer (slice), so the worker can transfer them separately. */
function sliceBuckets(b: GridBuckets, from: number, to: number): GridBuckets {
  const out = {} as GridBuckets;
  for (const k of COLUMNS) out[k] = b[k].slice(from, to);
  return out;
}

const nanMin = (a: number, b: number) => (a !== a ? b : b !== b ? a : Math.min(a, b));
const nanMax = (a: number, b: number) => (a !== a ? b : b !== b ? a : Math.max(a, b));

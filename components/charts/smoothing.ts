/**
 * Debiased exponential moving average, as TensorBoard and W&B smooth a line: s_t = β·s_{t−1} + (1−β)·x_t from
 * s_0 = 0, shown as s_t / (1 − β^t) so the start is not pulled towards zero. t counts only finite points: a NaN or
 * ±Infinity is skipped (its output is NaN, a gap) and does not poison what follows.
 */
export function emaDebiased(values: ArrayLike<number>, beta: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (!(beta > 0)) {
    for (let i = 0; i < n; i++) out[i] = Number.isFinite(values[i]!) ? values[i]! : NaN;
    return out;
  }
  let s = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) {
      out[i] = NaN;
      continue;
    }
    t++;
    s = beta * s + (1 - beta) * x;
    out[i] = s / (1 - Math.pow(beta, t));
  }
  return out;
}

/**
 * A small seeded PRNG (mulberry32: 32-bit state, period 2^32) so that a training run is a pure function of its
 * params: the same seed gives the same split, the same initial weights, the same batches and so the same model,
 * in a browser worker and in Node alike. Not for anything that needs unpredictability.
 */
export type Rng = () => number;

/** A generator of floats in [0, 1) from a 32-bit seed (any integer; it is reduced mod 2^32). */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `xs` in place (Fisher–Yates) with `rng`; returns it. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(xs: T, rng: Rng): T {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
  return xs;
}

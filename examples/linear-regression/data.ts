/** A seeded synthetic data set: y = 3x − 2 plus Gaussian noise, so any run with the same seed sees the same points. */

/** mulberry32: a small, fast, seeded PRNG (32-bit state). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const TRUE_SLOPE = 3;
export const TRUE_INTERCEPT = -2;

export interface Point {
  x: number;
  y: number;
}

export function makeData(n: number, noise: number, seed: number): Point[] {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: n }, () => {
    const x = rand() * 2 - 1;
    return { x, y: TRUE_SLOPE * x + TRUE_INTERCEPT + noise * gauss() };
  });
}

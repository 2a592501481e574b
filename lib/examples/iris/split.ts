import { IRIS_CLASS_COUNT, IRIS_FEATURE_COUNT, irisTable } from './dataset';
import { seededRng, shuffleInPlace } from './prng';

/** Rows of a split: features row-major (n × 4) and labels. */
export interface IrisSplitPart {
  features: Float64Array;
  labels: Int32Array;
  /** Row numbers in the full table (0-based), in this part's order. */
  rows: Int32Array;
}
export interface IrisSplit {
  train: IrisSplitPart;
  test: IrisSplitPart;
}

/** The held-out share of each class: 10 of 50 flowers per species (30 test rows, 120 train rows). */
export const DEFAULT_TEST_FRACTION = 0.2;

function part(features: Float64Array, labels: Int32Array, rows: number[]): IrisSplitPart {
  const f = new Float64Array(rows.length * IRIS_FEATURE_COUNT);
  const l = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    f.set(features.subarray(r * IRIS_FEATURE_COUNT, (r + 1) * IRIS_FEATURE_COUNT), i * IRIS_FEATURE_COUNT);
    l[i] = labels[r]!;
  });
  return { features: f, labels: l, rows: Int32Array.from(rows) };
}

/**
 * A stratified train/test split drawn with `seed` (IRIS-2): each class gives round(50 × testFraction) rows to the
 * test part, chosen by a seeded shuffle; both parts are then shuffled so classes are interleaved.
 */
export function splitIris(seed: number, testFraction = DEFAULT_TEST_FRACTION): IrisSplit {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`test fraction must be in (0, 1), got ${testFraction}`);
  const { features, labels } = irisTable();
  const rng = seededRng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < IRIS_CLASS_COUNT; c++) {
    const rows = shuffleInPlace(Array.from({ length: labels.length }, (_, i) => i).filter((i) => labels[i] === c), rng);
    const nTest = Math.round(rows.length * testFraction);
    test.push(...rows.slice(0, nTest));
    train.push(...rows.slice(nTest));
  }
  shuffleInPlace(train, rng);
  shuffleInPlace(test, rng);
  return { train: part(features, labels, train), test: part(features, labels, test) };
}

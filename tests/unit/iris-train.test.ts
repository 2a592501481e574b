import { describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import {
  IRIS_CLASSES,
  IRIS_FEATURES,
  IRIS_ROWS,
  defaultIrisParams,
  irisRow,
  irisTable,
  splitIris,
  trainIris,
  trainIrisEpochs,
  type EpochMetrics,
  type IrisModelKind,
} from '@/lib/examples/iris';

const KINDS: IrisModelKind[] = ['logistic_regression', 'mlp'];

describe('Iris dataset and split', () => {
  it('[IRIS-1] 150 rows × 4 features, 50 flowers per class, with Fisher’s per-class sums and known rows', () => {
    const { features, labels } = irisTable();
    expect(IRIS_ROWS).toBe(150);
    expect(features.length).toBe(150 * 4);
    expect(IRIS_FEATURES).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(IRIS_CLASSES).toEqual(['setosa', 'versicolor', 'virginica']);
    expect([0, 1, 2].map((c) => labels.filter((l) => l === c).length)).toEqual([50, 50, 50]);
    // Column sums per class: 50 × the class means R's `aggregate(. ~ Species, iris, mean)` prints.
    const sums = [0, 1, 2].map((c) =>
      [0, 1, 2, 3].map((j) => {
        let s = 0;
        for (let i = 0; i < 150; i++) if (labels[i] === c) s += features[i * 4 + j]!;
        return Math.round(s * 10) / 10;
      }),
    );
    expect(sums).toEqual([
      [250.3, 171.4, 73.1, 12.3],
      [296.8, 138.5, 213.0, 66.3],
      [329.4, 148.7, 277.6, 101.3],
    ]);
    expect(irisRow(0)).toEqual({ features: [5.1, 3.5, 1.4, 0.2], label: 0 });
    // Rows 35 and 38 (1-based) are the two that UCI's iris.data transcribed wrongly; this is the corrected table.
    expect(irisRow(34).features).toEqual([4.9, 3.1, 1.5, 0.2]);
    expect(irisRow(37).features).toEqual([4.9, 3.6, 1.4, 0.1]);
    expect(irisRow(50)).toEqual({ features: [7.0, 3.2, 4.7, 1.4], label: 1 });
    expect(irisRow(100)).toEqual({ features: [6.3, 3.3, 6.0, 2.5], label: 2 });
    expect(irisRow(149)).toEqual({ features: [5.9, 3.0, 5.1, 1.8], label: 2 });
    expect(() => irisRow(150)).toThrow(RangeError);
  });

  it('[IRIS-2] the split is stratified (10 test flowers per class), disjoint, covering, and a function of the seed', () => {
    const a = splitIris(7);
    expect(a.train.labels.length).toBe(120);
    expect(a.test.labels.length).toBe(30);
    expect([0, 1, 2].map((c) => a.test.labels.filter((l) => l === c).length)).toEqual([10, 10, 10]);
    const all = [...a.train.rows, ...a.test.rows].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 150 }, (_, i) => i));
    // The features travel with their rows.
    const { features } = irisTable();
    a.test.rows.forEach((r, i) => expect([...a.test.features.subarray(i * 4, i * 4 + 4)]).toEqual([...features.subarray(r * 4, r * 4 + 4)]));
    expect([...splitIris(7).test.rows]).toEqual([...a.test.rows]);
    expect([...splitIris(8).test.rows]).not.toEqual([...a.test.rows]);
  });
});

describe('Iris trainer', () => {
  it('[IRIS-3] the same params give the same model and history, another seed another model', () => {
    // Driven epoch by epoch (as the train worker does) it is the same training.
    const p0 = { ...defaultIrisParams('mlp'), epochs: 15 };
    const gen = trainIrisEpochs(p0);
    const yielded: EpochMetrics[] = [];
    let r = gen.next();
    while (!r.done) {
      yielded.push(r.value);
      r = gen.next();
    }
    const straight = trainIris(p0);
    expect(yielded).toEqual(straight.history);
    expect([...r.value.model.layers[1]!.weights]).toEqual([...straight.model.layers[1]!.weights]);
    for (const kind of KINDS) {
      const p = { ...defaultIrisParams(kind), epochs: 20 };
      const a = trainIris(p);
      const b = trainIris(p);
      expect(b.history).toEqual(a.history);
      a.model.layers.forEach((l, i) => expect([...b.model.layers[i]!.weights]).toEqual([...l.weights]));
      const c = trainIris({ ...p, seed: p.seed + 1 });
      expect([...c.model.layers[0]!.weights]).not.toEqual([...a.model.layers[0]!.weights]);
    }
  });

  it('[IRIS-4] reports the four metrics once per epoch (epochs 1..N) and refuses bad params', () => {
    const seen: EpochMetrics[] = [];
    const r = trainIris({ ...defaultIrisParams('mlp'), epochs: 12 }, (m) => seen.push(m));
    expect(seen.map((m) => m.epoch)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(seen).toEqual(r.history);
    for (const m of seen) {
      expect(Object.keys(m).sort()).toEqual(['epoch', 'train_accuracy', 'train_loss', 'val_accuracy', 'val_loss']);
      for (const v of [m.train_loss, m.val_loss]) expect(v).toBeGreaterThan(0);
      for (const v of [m.train_accuracy, m.val_accuracy]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    // Training lowers the loss.
    expect(seen.at(-1)!.train_loss).toBeLessThan(seen[0]!.train_loss);
    const bad = [
      { ...defaultIrisParams(), model: 'svm' },
      { ...defaultIrisParams(), epochs: 0 },
      { ...defaultIrisParams(), learning_rate: -1 },
      { ...defaultIrisParams(), hidden: 1.5 },
      { ...defaultIrisParams(), extra: 1 },
    ];
    for (const p of bad) {
      let err: unknown;
      try {
        trainIris(p as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CairnError);
      expect((err as CairnError).code).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('[IRIS-5] with the default params both models reach ≥ 0.9 accuracy on the held-out flowers', () => {
    for (const kind of KINDS) {
      const r = trainIris(defaultIrisParams(kind));
      expect(r.testAccuracy, kind).toBeGreaterThanOrEqual(0.9);
      expect(r.history.at(-1)!.train_accuracy, kind).toBeGreaterThanOrEqual(0.9);
      expect(r.model.kind).toBe(kind);
      expect(r.model.layers.length).toBe(kind === 'mlp' ? 2 : 1);
    }
  });

  it('[IRIS-6] the model keeps the training part’s mean and standard deviation (the scaling the export bakes in)', () => {
    const p = defaultIrisParams();
    const r = trainIris(p);
    const { train } = splitIris(p.seed);
    const n = train.labels.length;
    for (let j = 0; j < 4; j++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += train.features[i * 4 + j]! / n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (train.features[i * 4 + j]! - mean) ** 2 / n;
      expect(r.model.mean[j]).toBeCloseTo(mean, 5);
      expect(r.model.std[j]).toBeCloseTo(Math.sqrt(v), 5);
    }
  });
});

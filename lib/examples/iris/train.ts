/**
 * The Iris trainer (IRIS-3..IRIS-6): multinomial logistic regression (4→3) or a small MLP (4→hidden→3, ReLU), softmax
 * and cross-entropy, mini-batch SGD or Adam, in plain Float64Array math. Everything random (split, initial weights,
 * batch order) comes from the params' seed, so one set of params always gives the same model. Features are
 * standardized with the training part's mean and standard deviation; both are kept with the model, and the ONNX
 * export bakes them into the graph (onnx-export.ts), so the exported model takes raw centimetres.
 *
 * Training is synchronous: 100 epochs of 120 rows take a few milliseconds, and the caller (workers/train.worker.ts)
 * runs it off the main thread anyway.
 */
import { z } from 'zod';
import { parseInput } from '../../domain';
import { IRIS_CLASS_COUNT, IRIS_FEATURE_COUNT } from './dataset';
import { seededRng, shuffleInPlace, type Rng } from './prng';
import { IRIS_MODEL_KINDS, MAX_EPOCHS, MAX_HIDDEN, type IrisModelKind, type IrisTrainParams } from './params';
import { splitIris, type IrisSplitPart } from './split';

/** Adam's moment decay rates and its epsilon (Kingma & Ba's defaults). */
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPS = 1e-8;
/** A feature whose training spread is below this is left unscaled (divided by 1), so nothing divides by zero. */
const MIN_STD = 1e-12;

/** The params' schema (IRIS-4): the shape of params.ts's IrisTrainParams, with their bounds. */
export const IrisTrainParamsSchema = z
  .object({
    model: z.enum(IRIS_MODEL_KINDS),
    epochs: z.number().int().min(1).max(MAX_EPOCHS),
    learning_rate: z.number().positive().max(10),
    hidden: z.number().int().min(1).max(MAX_HIDDEN),
    batch_size: z.number().int().min(1).max(150),
    seed: z.number().int().min(0).max(0xffffffff),
    optimizer: z.enum(['adam', 'sgd']),
  })
  .strict() satisfies z.ZodType<IrisTrainParams>;

/** One fully connected layer: `y = x · weights + bias` (weights row-major, inputs × outputs), then ReLU if `relu`. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  weights: Float32Array;
  bias: Float32Array;
  relu: boolean;
}

/** A trained model as it is exported: float32 parameters, the scaling, the layers in order. */
export interface IrisModel {
  kind: IrisModelKind;
  /** Per-feature mean and standard deviation of the training part (the standardization baked into the graph). */
  mean: Float32Array;
  std: Float32Array;
  layers: DenseLayer[];
}

/** What one epoch reports (IRIS-4): logged as metrics at step `epoch` (1-based). */
export interface EpochMetrics {
  epoch: number;
  train_loss: number;
  train_accuracy: number;
  val_loss: number;
  val_accuracy: number;
}

export interface IrisTrainResult {
  model: IrisModel;
  history: EpochMetrics[];
  /** The held-out (test) part, for checks and the input example. */
  test: IrisSplitPart;
  /** Loss and accuracy of the exported float32 model on the test part. */
  testLoss: number;
  testAccuracy: number;
}

/** A layer while training: float64 parameters and, for Adam, their moment estimates. */
interface Layer {
  inputs: number;
  outputs: number;
  relu: boolean;
  w: Float64Array;
  b: Float64Array;
  gw: Float64Array;
  gb: Float64Array;
  mw: Float64Array;
  vw: Float64Array;
  mb: Float64Array;
  vb: Float64Array;
}

function newLayer(inputs: number, outputs: number, relu: boolean, rng: Rng): Layer {
  // He-uniform before a ReLU, Glorot-uniform before the softmax.
  const limit = relu ? Math.sqrt(6 / inputs) : Math.sqrt(6 / (inputs + outputs));
  const w = new Float64Array(inputs * outputs);
  for (let i = 0; i < w.length; i++) w[i] = (rng() * 2 - 1) * limit;
  const n = inputs * outputs;
  return {
    inputs, outputs, relu, w, b: new Float64Array(outputs),
    gw: new Float64Array(n), gb: new Float64Array(outputs),
    mw: new Float64Array(n), vw: new Float64Array(n), mb: new Float64Array(outputs), vb: new Float64Array(outputs),
  };
}

/** Mean and standard deviation (population) of each feature column. */
function columnStats(features: Float64Array): { mean: Float64Array; std: Float64Array } {
  const n = features.length / IRIS_FEATURE_COUNT;
  const mean = new Float64Array(IRIS_FEATURE_COUNT);
  const std = new Float64Array(IRIS_FEATURE_COUNT);
  for (let i = 0; i < n; i++) for (let j = 0; j < IRIS_FEATURE_COUNT; j++) mean[j]! += features[i * IRIS_FEATURE_COUNT + j]! / n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < IRIS_FEATURE_COUNT; j++) std[j]! += (features[i * IRIS_FEATURE_COUNT + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < IRIS_FEATURE_COUNT; j++) std[j] = Math.sqrt(std[j]!) < MIN_STD ? 1 : Math.sqrt(std[j]!);
  return { mean, std };
}

function standardize(features: Float64Array, mean: ArrayLike<number>, std: ArrayLike<number>): Float64Array {
  const out = new Float64Array(features.length);
  for (let i = 0; i < features.length; i++) out[i] = (features[i]! - mean[i % IRIS_FEATURE_COUNT]!) / std[i % IRIS_FEATURE_COUNT]!;
  return out;
}

/** `out = x · w + b` for `rows` rows, ReLU'd if asked. */
function dense(x: Float64Array, rows: number, w: ArrayLike<number>, b: ArrayLike<number>, inputs: number, outputs: number, relu: boolean): Float64Array {
  const out = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outputs; o++) {
      let s = b[o]!;
      for (let i = 0; i < inputs; i++) s += x[r * inputs + i]! * w[i * outputs + o]!;
      out[r * outputs + o] = relu && s < 0 ? 0 : s;
    }
  }
  return out;
}

/** Softmax of each row of logits, in place; returns the same array. */
function softmaxRows(z: Float64Array, rows: number, k: number): Float64Array {
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, z[r * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += z[r * k + c] = Math.exp(z[r * k + c]! - max);
    for (let c = 0; c < k; c++) z[r * k + c]! /= sum;
  }
  return z;
}

/** The first index of the largest value of each row (ONNX ArgMax's tie rule: select_last_index = 0). */
export function argmaxRows(z: ArrayLike<number>, rows: number, k: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (z[r * k + c]! > z[r * k + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** Mean cross-entropy and accuracy of probabilities against labels. */
function lossAndAccuracy(p: ArrayLike<number>, labels: Int32Array, k: number): { loss: number; accuracy: number } {
  const rows = labels.length;
  let loss = 0;
  let correct = 0;
  const pred = argmaxRows(p, rows, k);
  for (let r = 0; r < rows; r++) {
    loss -= Math.log(Math.max(p[r * k + labels[r]!]!, 1e-300));
    if (pred[r] === labels[r]) correct++;
  }
  return { loss: loss / rows, accuracy: correct / rows };
}

/** Forward pass through float64 training layers: activations of every layer (the last one is softmax'd). */
function forwardTrain(layers: Layer[], x: Float64Array, rows: number): Float64Array[] {
  const acts = [x];
  for (const l of layers) acts.push(dense(acts[acts.length - 1]!, rows, l.w, l.b, l.inputs, l.outputs, l.relu));
  softmaxRows(acts[acts.length - 1]!, rows, IRIS_CLASS_COUNT);
  return acts;
}

/** Gradients of the mean cross-entropy of one batch into each layer's gw / gb (backpropagation). */
function backward(layers: Layer[], acts: Float64Array[], labels: Int32Array, rows: number): void {
  // d(loss)/d(logits) of softmax + cross-entropy: (p − onehot) / rows.
  let delta = Float64Array.from(acts[acts.length - 1]!);
  for (let r = 0; r < rows; r++) delta[r * IRIS_CLASS_COUNT + labels[r]!]! -= 1;
  for (let i = 0; i < delta.length; i++) delta[i]! /= rows;
  for (let li = layers.length - 1; li >= 0; li--) {
    const l = layers[li]!;
    const a = acts[li]!;
    l.gw.fill(0);
    l.gb.fill(0);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < l.outputs; o++) {
        const d = delta[r * l.outputs + o]!;
        if (d === 0) continue;
        l.gb[o]! += d;
        for (let i = 0; i < l.inputs; i++) l.gw[i * l.outputs + o]! += a[r * l.inputs + i]! * d;
      }
    }
    if (li === 0) break;
    // Into the layer below: delta · wᵀ, through its ReLU (its output is `a`; zero where the ReLU was off).
    const below = new Float64Array(rows * l.inputs);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < l.inputs; i++) {
        if (a[r * l.inputs + i]! <= 0) continue;
        let s = 0;
        for (let o = 0; o < l.outputs; o++) s += delta[r * l.outputs + o]! * l.w[i * l.outputs + o]!;
        below[r * l.inputs + i] = s;
      }
    }
    delta = below;
  }
}

function step(params: Float64Array, grads: Float64Array, m: Float64Array, v: Float64Array, p: IrisTrainParams, t: number): void {
  const lr = p.learning_rate;
  if (p.optimizer === 'sgd') {
    for (let i = 0; i < params.length; i++) params[i]! -= lr * grads[i]!;
    return;
  }
  const c1 = 1 - ADAM_BETA1 ** t;
  const c2 = 1 - ADAM_BETA2 ** t;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i]!;
    m[i] = ADAM_BETA1 * m[i]! + (1 - ADAM_BETA1) * g;
    v[i] = ADAM_BETA2 * v[i]! + (1 - ADAM_BETA2) * g * g;
    params[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + ADAM_EPS);
  }
}

/** Rows `idx[from, to)` of a part, standardized features and labels. */
function batchOf(x: Float64Array, labels: Int32Array, idx: Int32Array, from: number, to: number) {
  const n = to - from;
  const bx = new Float64Array(n * IRIS_FEATURE_COUNT);
  const by = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = idx[from + i]!;
    bx.set(x.subarray(r * IRIS_FEATURE_COUNT, (r + 1) * IRIS_FEATURE_COUNT), i * IRIS_FEATURE_COUNT);
    by[i] = labels[r]!;
  }
  return { bx, by, n };
}

/** The float32 model of training layers (what is exported and what `predictIris` runs). */
function freeze(kind: IrisModelKind, mean: Float64Array, std: Float64Array, layers: Layer[]): IrisModel {
  return {
    kind,
    mean: Float32Array.from(mean),
    std: Float32Array.from(std),
    layers: layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, relu: l.relu, weights: Float32Array.from(l.w), bias: Float32Array.from(l.b) })),
  };
}

/**
 * Training as a generator (IRIS-3): yields each epoch's metrics — loss and accuracy of the whole training part and of
 * the held-out part (`val_*`) — and returns the trained model. A caller that wants to pace or interleave epochs
 * (the train worker) drives it; `trainIris` runs it straight through. Params are validated on the first `next()`
 * (INVALID_PARAMETER_VALUE).
 */
export function* trainIrisEpochs(raw: IrisTrainParams): Generator<EpochMetrics, IrisTrainResult, void> {
  const p = parseInput(IrisTrainParamsSchema, raw, 'iris training params');
  const { train, test } = splitIris(p.seed);
  // The split and the training draw from separate streams, so changing the batch size does not change the split.
  const rng = seededRng((p.seed ^ 0x9e3779b9) >>> 0);
  const { mean, std } = columnStats(train.features);
  const xTrain = standardize(train.features, mean, std);
  const xTest = standardize(test.features, mean, std);
  const layers =
    p.model === 'mlp'
      ? [newLayer(IRIS_FEATURE_COUNT, p.hidden, true, rng), newLayer(p.hidden, IRIS_CLASS_COUNT, false, rng)]
      : [newLayer(IRIS_FEATURE_COUNT, IRIS_CLASS_COUNT, false, rng)];
  const nTrain = train.labels.length;
  const order = Int32Array.from({ length: nTrain }, (_, i) => i);
  const history: EpochMetrics[] = [];
  let t = 0;
  for (let epoch = 1; epoch <= p.epochs; epoch++) {
    shuffleInPlace(order, rng);
    for (let from = 0; from < nTrain; from += p.batch_size) {
      const { bx, by, n } = batchOf(xTrain, train.labels, order, from, Math.min(nTrain, from + p.batch_size));
      backward(layers, forwardTrain(layers, bx, n), by, n);
      t++;
      for (const l of layers) {
        step(l.w, l.gw, l.mw, l.vw, p, t);
        step(l.b, l.gb, l.mb, l.vb, p, t);
      }
    }
    const tr = lossAndAccuracy(forwardTrain(layers, xTrain, nTrain).at(-1)!, train.labels, IRIS_CLASS_COUNT);
    const va = lossAndAccuracy(forwardTrain(layers, xTest, test.labels.length).at(-1)!, test.labels, IRIS_CLASS_COUNT);
    const m = { epoch, train_loss: tr.loss, train_accuracy: tr.accuracy, val_loss: va.loss, val_accuracy: va.accuracy };
    history.push(m);
    yield m;
  }
  const model = freeze(p.model, mean, std, layers);
  const out = predictIris(model, Float32Array.from(test.features));
  const final = lossAndAccuracy(out.probabilities, test.labels, IRIS_CLASS_COUNT);
  return { model, history, test, testLoss: final.loss, testAccuracy: final.accuracy };
}

/** Trains straight through (IRIS-3): `onEpoch` is called after every epoch with its metrics. */
export function trainIris(raw: IrisTrainParams, onEpoch?: (m: EpochMetrics) => void): IrisTrainResult {
  const epochs = trainIrisEpochs(raw);
  for (;;) {
    const r = epochs.next();
    if (r.done) return r.value;
    onEpoch?.(r.value);
  }
}

/**
 * The exported model's forward pass in TypeScript (IRIS-8): raw features (n × 4, float32 as the ONNX input is) →
 * class probabilities (n × 3, float32) and labels. What the ONNX graph computes, op for op: Sub, Div, MatMul, Add,
 * Relu, Softmax, ArgMax over the logits.
 */
export function predictIris(model: IrisModel, features: Float32Array): { probabilities: Float32Array; labels: Int32Array } {
  if (features.length % IRIS_FEATURE_COUNT !== 0) throw new RangeError(`features must be n × ${IRIS_FEATURE_COUNT}, got ${features.length} values`);
  const rows = features.length / IRIS_FEATURE_COUNT;
  let a: Float64Array = standardize(Float64Array.from(features), model.mean, model.std);
  for (const l of model.layers) a = dense(a, rows, l.weights, l.bias, l.inputs, l.outputs, l.relu);
  const labels = argmaxRows(a, rows, IRIS_CLASS_COUNT);
  return { probabilities: Float32Array.from(softmaxRows(a, rows, IRIS_CLASS_COUNT)), labels };
}

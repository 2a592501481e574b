/**
 * The built-in example end to end, minus the logging (IRIS-10): train with `params`, export to ONNX, package as an
 * MLflow model directory for run `runId`. Pure computation, so workers/train.worker.ts runs it off the main thread and
 * Node tests run the very same code; the caller logs what it returns through the app's one write path.
 */
import { irisModelPackage } from './model-package';
import { exportIrisOnnx } from './onnx-export';
import type { IrisTrainParams } from './params';
import { trainIris, type EpochMetrics, type IrisTrainResult } from './train';

/** How many held-out rows go into `input_example.json`. */
const EXAMPLE_ROWS = 3;

export interface IrisExampleResult {
  /** The model directory: path inside `model/` → bytes. */
  files: Map<string, Uint8Array>;
  testAccuracy: number;
  testLoss: number;
  /** Time spent computing epochs (ms), export not included. */
  trainMs: number;
  onnxBytes: number;
}

/** Exports and packages a trained model (the second half of runIrisExample, for callers that drive training). */
export function packageIrisExample(r: IrisTrainResult, params: IrisTrainParams, runId: string, trainMs: number): IrisExampleResult {
  const onnx = exportIrisOnnx(r.model);
  const { files } = irisModelPackage(onnx, {
    runId,
    exampleFeatures: r.test.features.subarray(0, EXAMPLE_ROWS * 4),
    metadata: { cairn_example: 'iris', model: params.model, test_accuracy: r.testAccuracy },
  });
  return { files, testAccuracy: r.testAccuracy, testLoss: r.testLoss, trainMs, onnxBytes: onnx.length };
}

/** Trains, exports and packages; `onEpoch` sees each epoch's metrics as they are computed. */
export function runIrisExample(params: IrisTrainParams, runId: string, onEpoch?: (m: EpochMetrics) => void): IrisExampleResult {
  const t0 = performance.now();
  const r = trainIris(params, onEpoch);
  return packageIrisExample(r, params, runId, performance.now() - t0);
}

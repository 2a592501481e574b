/// <reference lib="webworker" />
/**
 * The train worker (lib/examples/SPEC.md IRIS-10): runs the built-in Iris example — training, ONNX export, the model
 * directory — off the main thread, and streams each epoch's metrics to the page as they are computed. It writes
 * nothing itself: the page logs what it sends through the data worker (lib/react's useIrisExample), the one write path.
 * Started per training and terminated after it; training is synchronous, so a second call waits for the first.
 */
import * as Comlink from 'comlink';
import { toWire } from '../lib/domain/errors';
import { runIrisExample, type EpochMetrics, type IrisTrainParams } from '../lib/examples/iris';

/** What a training returns: the model directory's files (their buffers transferred, not copied) and its figures. */
export interface IrisTrainOutcome {
  files: { path: string; bytes: Uint8Array }[];
  testAccuracy: number;
  testLoss: number;
  trainMs: number;
  onnxBytes: number;
}

const api = {
  /** Trains with `params` for run `runId` (written into the MLmodel); `onEpoch` is a Comlink proxy, called per epoch. */
  async trainIris(params: IrisTrainParams, runId: string, onEpoch?: (m: EpochMetrics) => unknown): Promise<IrisTrainOutcome> {
    try {
      // A proxy call is a postMessage: it leaves at once, while the loop goes on; its answer is not waited for.
      const report = onEpoch ? (m: EpochMetrics) => void Promise.resolve(onEpoch(m)).catch(() => {}) : undefined;
      const r = runIrisExample(params, runId, report);
      const files = [...r.files].map(([path, bytes]) => ({ path, bytes }));
      const out: IrisTrainOutcome = { files, testAccuracy: r.testAccuracy, testLoss: r.testLoss, trainMs: r.trainMs, onnxBytes: r.onnxBytes };
      return Comlink.transfer(out, files.map((f) => f.bytes.buffer as ArrayBuffer));
    } catch (e) {
      // Comlink would strip a CairnError's code (WRK-2): it crosses as a plain WireError.
      throw toWire(e);
    }
  },
};

Comlink.expose(api);
export type TrainApi = typeof api;

/// <reference lib="webworker" />
/**
 * The train worker (lib/examples/SPEC.md IRIS-10): runs the built-in Iris example — training, ONNX export, the model
 * directory — off the main thread, and streams each epoch's metrics to the page as they are computed. It writes
 * nothing itself: the page logs what it sends through the data worker (lib/react's useIrisExample), the one write path.
 * Started per training and terminated after it.
 */
import * as Comlink from 'comlink';
import { toWire } from '../lib/domain/errors';
import { packageIrisExample, trainIrisEpochs, type EpochMetrics, type IrisTrainParams } from '../lib/examples/iris';

/** A pause longer than this between epochs is refused: pacing is for watching, not for parking a worker. */
const MAX_PACE_MS = 1000;

/** What a training returns: the model directory's files (their buffers transferred, not copied) and its figures. */
export interface IrisTrainOutcome {
  files: { path: string; bytes: Uint8Array }[];
  testAccuracy: number;
  testLoss: number;
  /** Time spent computing epochs (ms): the pauses of `paceMs` are not in it. */
  trainMs: number;
  onnxBytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const api = {
  /**
   * Trains with `params` for run `runId` (written into the MLmodel). `onEpoch` is a Comlink proxy, called per epoch.
   * `paceMs` pauses between epochs so a person can watch the run's charts grow (100 epochs take ~30 ms otherwise).
   */
  async trainIris(params: IrisTrainParams, runId: string, onEpoch?: (m: EpochMetrics) => unknown, paceMs = 0): Promise<IrisTrainOutcome> {
    try {
      const pace = Math.min(Math.max(0, Number(paceMs) || 0), MAX_PACE_MS);
      const epochs = trainIrisEpochs(params);
      let computing = 0;
      for (;;) {
        const t0 = performance.now();
        const r = epochs.next();
        computing += performance.now() - t0;
        if (r.done) {
          const out = packageIrisExample(r.value, params, runId, computing);
          const files = [...out.files].map(([path, bytes]) => ({ path, bytes }));
          const outcome: IrisTrainOutcome = { files, testAccuracy: out.testAccuracy, testLoss: out.testLoss, trainMs: out.trainMs, onnxBytes: out.onnxBytes };
          return Comlink.transfer(outcome, files.map((f) => f.bytes.buffer as ArrayBuffer));
        }
        // A proxy call is a postMessage: it leaves at once; its answer is not waited for.
        if (onEpoch) void Promise.resolve(onEpoch(r.value)).catch(() => {});
        if (pace > 0) await sleep(pace);
      }
    } catch (e) {
      // Comlink would strip a CairnError's code (WRK-2): it crosses as a plain WireError.
      throw toWire(e);
    }
  },
};

Comlink.expose(api);
export type TrainApi = typeof api;

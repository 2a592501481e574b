'use client';

import * as Comlink from 'comlink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CairnError, toWire, type WireError } from '../domain/errors';
// The light modules only: the trainer, the ONNX writer and lib/models load in the train worker, not in the page.
import { IRIS_MODEL_ARTIFACT_PATH, modelFileMediaType } from '../examples/iris/model-files';
import { defaultIrisParams, type IrisModelKind, type IrisTrainParams } from '../examples/iris/params';
import type { EpochMetrics } from '../examples/iris/train';
import type { IrisTrainOutcome, TrainApi } from '../../workers/train.worker';
import type { DataClient } from './data-client';
import { useDataClient } from './DataProvider';

/**
 * The built-in Iris example from the page (lib/examples/SPEC.md IRIS-10): trains in its own worker
 * (workers/train.worker.ts) and logs everything through the data worker's commands — the app's one way to write runs:
 * experiment `iris-example`, a run, its params, each epoch's metrics while it trains, the model directory under
 * `model/`, the run FINISHED.
 */

export const IRIS_EXAMPLE_EXPERIMENT = 'iris-example';
/** The registered model each trained Iris model becomes a version of (IRIS-11). */
export const IRIS_REGISTERED_MODEL = 'iris-example';
export { IRIS_MODEL_KINDS, MAX_EPOCHS, defaultIrisParams, type IrisModelKind } from '../examples/iris/params';
export type { EpochMetrics } from '../examples/iris/train';

const EXPERIMENT_DESCRIPTION =
  "Cairn's built-in example: classifiers of Fisher's Iris flowers trained in the browser, exported to ONNX and logged as MLflow models.";
/** Points go to the data worker in batches of at most this many (its per-call limit, WRK-11). */
const MAX_POINTS_PER_CALL = 1000;
const METRIC_KEYS = ['train_loss', 'train_accuracy', 'val_loss', 'val_accuracy'] as const;
/**
 * Training is paced to about this long (at most PACE_MAX_MS an epoch) so a person can watch the run's charts grow:
 * unpaced, 100 epochs take ~30 ms and the charts are simply there. The reported training time excludes the pauses.
 */
const PACED_TOTAL_MS = 3000;
const PACE_MAX_MS = 50;

export type IrisExampleState =
  | { phase: 'idle' }
  | { phase: 'running'; step: string; experimentId: string | null; runId: string | null; epoch: number; epochs: number; last: EpochMetrics | null }
  | {
      phase: 'done';
      experimentId: string;
      runId: string;
      testAccuracy: number;
      trainMs: number;
      onnxBytes: number;
      artifacts: string[];
      /** The registered version (`iris-example`); `version` null until the relay numbers it. */
      version: { name: string; version: number | null; versionId: string };
    }
  | { phase: 'failed'; experimentId: string | null; runId: string | null; error: WireError };

export interface IrisExampleOptions {
  model: IrisModelKind;
  epochs: number;
  /** Pause between epochs so the charts can be watched (default: about PACED_TOTAL_MS in all); 0 trains flat out. */
  paceMs?: number;
}

/** The experiment's id: the active one by that name, a deleted one restored, or a new one. */
async function exampleExperiment(c: DataClient): Promise<string> {
  const find = async () => (await c.listExperiments('ALL')).find((e) => e.name === IRIS_EXAMPLE_EXPERIMENT);
  const found = await find();
  if (found?.lifecycleStage === 'deleted') await c.restoreExperiment(found.experimentId);
  if (found) return found.experimentId;
  try {
    return await c.createExperiment(IRIS_EXAMPLE_EXPERIMENT, { 'mlflow.note.content': EXPERIMENT_DESCRIPTION });
  } catch (e) {
    // Another tab created it meanwhile.
    const again = e instanceof CairnError && e.code === 'RESOURCE_ALREADY_EXISTS' ? await find() : undefined;
    if (!again) throw e;
    return again.experimentId;
  }
}

/** The params as MLflow params (strings); `hidden` only where there is a hidden layer. */
function paramsOf(p: IrisTrainParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) if (k !== 'hidden' || p.model === 'mlp') out[k] = String(v);
  return out;
}

/**
 * Sends points to the data worker as they come, one call at a time, each carrying everything that queued meanwhile:
 * a hundred epochs cost a handful of writes, and the charts still move while training runs.
 */
function metricsSender(c: DataClient, runId: string) {
  const queue: { key: string; value: number; step: number; timestamp: number }[] = [];
  let sending: Promise<void> | null = null;
  let failed: unknown = null;
  const pump = async () => {
    while (queue.length) {
      const batch = queue.splice(0, MAX_POINTS_PER_CALL);
      await c.logRunMetrics(runId, batch);
    }
  };
  return {
    add(m: EpochMetrics) {
      const timestamp = Date.now();
      for (const key of METRIC_KEYS) queue.push({ key, value: m[key], step: m.epoch, timestamp });
      sending ??= pump()
        .catch((e: unknown) => void (failed = e))
        .finally(() => (sending = null));
    },
    /** Resolves when every point is stored; rejects with the first write that failed. */
    async drain() {
      while (sending) await sending;
      if (failed) throw failed;
      if (queue.length) await pump();
    },
  };
}

async function train(params: IrisTrainParams, runId: string, onEpoch: (m: EpochMetrics) => void, paceMs: number): Promise<IrisTrainOutcome> {
  const worker = new Worker(new URL('../../workers/train.worker.ts', import.meta.url), { type: 'module', name: 'cairn-train' });
  const remote = Comlink.wrap<TrainApi>(worker);
  try {
    return await remote.trainIris(params, runId, Comlink.proxy(onEpoch), paceMs);
  } finally {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  }
}

/**
 * `start({ model, epochs })` runs the example once and `state` follows it. The flow is not tied to the component:
 * leaving the page (for the run's page, to watch its charts) lets it finish.
 */
export function useIrisExample(): { state: IrisExampleState; start(o: IrisExampleOptions): Promise<void> } {
  const client = useDataClient();
  const [state, setState] = useState<IrisExampleState>({ phase: 'idle' });
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  const set = useCallback((s: IrisExampleState) => {
    if (alive.current) setState(s);
  }, []);

  const start = useCallback(
    async (o: IrisExampleOptions) => {
      let experimentId: string | null = null;
      let runId: string | null = null;
      const params: IrisTrainParams = { ...defaultIrisParams(o.model), epochs: o.epochs };
      let running: Extract<IrisExampleState, { phase: 'running' }> = { phase: 'running', step: 'Preparing', experimentId, runId, epoch: 0, epochs: params.epochs, last: null };
      const progress = (patch: Partial<typeof running>) => set((running = { ...running, ...patch }));
      progress({});
      try {
        if (!client) throw new CairnError('INVALID_STATE', 'The data worker is not running yet; try again in a moment.');
        // The model's files go to the relay's blob store: without a relay the run would end FAILED after training.
        if (!(await client.getSettings()).relayUrl)
          throw new CairnError('INVALID_STATE', 'The example logs its model as artifacts, which live on the relay, and this workspace has none (local only): set a relay in Settings.');
        experimentId = await exampleExperiment(client);
        runId = await client.startRun(experimentId, `iris-${o.model === 'mlp' ? 'mlp' : 'logreg'}`);
        const id = runId;
        progress({ experimentId, runId: id, step: 'Training' });
        await client.setRunTag(id, 'cairn.example', 'iris');
        await client.logRunParams(id, paramsOf(params));
        const sender = metricsSender(client, id);
        const paceMs = o.paceMs ?? Math.min(PACE_MAX_MS, Math.round(PACED_TOTAL_MS / params.epochs));
        const outcome = await train(
          params,
          id,
          (m) => {
            sender.add(m);
            progress({ epoch: m.epoch, last: m });
          },
          paceMs,
        );
        await sender.drain();
        progress({ step: 'Logging the model' });
        const artifacts: string[] = [];
        for (const f of outcome.files) {
          const path = `${IRIS_MODEL_ARTIFACT_PATH}/${f.path}`;
          const type = modelFileMediaType(f.path);
          await client.uploadArtifact(id, new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type }), path, type);
          artifacts.push(path);
        }
        // IRIS-11: the model is registered as a version of `iris-example` (the relay numbers it, REG-N1).
        progress({ step: 'Registering the model' });
        const version = await client.registerModelFromRun(id, IRIS_MODEL_ARTIFACT_PATH, IRIS_REGISTERED_MODEL);
        await client.endRun(id, 'FINISHED');
        set({ phase: 'done', experimentId, runId: id, testAccuracy: outcome.testAccuracy, trainMs: outcome.trainMs, onnxBytes: outcome.onnxBytes, artifacts, version: { name: version.name, version: version.version, versionId: version.versionId } });
      } catch (e) {
        if (runId && client) await client.endRun(runId, 'FAILED').catch(() => {});
        set({ phase: 'failed', experimentId, runId, error: toWire(e) });
      }
    },
    [client, set],
  );
  return { state, start };
}

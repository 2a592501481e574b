/**
 * The model worker's service (workers/model.worker.ts exposes it through comlink): model directories loaded on an
 * OnnxBackend (onnxruntime-web's wasm backend in the browser) and `predict` as MLflow's onnx pyfunc (lib/models
 * loadPyfunc). Files come in and output tensors go out as transferred buffers; the worker holds the sessions, the page
 * holds ids. Written against OnnxBackend only, so Node tests drive it without a Worker.
 */
import * as Comlink from 'comlink';
import { CairnError, invalid } from '../lib/domain';
import {
  loadPyfunc,
  mlmodelToDict,
  predictionToJson,
  readServingInputExample,
  unpackModelDir,
  type OnnxBackend,
  type OnnxValueInfo,
  type Prediction,
  type PyfuncModel,
} from '../lib/models';

/** What the page learns about a loaded model. */
export interface LoadedModelInfo {
  id: number;
  backend: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** The MLmodel as MLflow's dict (signature as its JSON strings). */
  mlmodel: Record<string, unknown>;
  /** `serving_input_example.json`, ready to send as a predict body; null when the model has none. */
  servingInputExample: unknown;
}

/** A prediction as it crosses: the outputs (their buffers transferred) and the scoring server's JSON form. */
export interface PredictResult {
  prediction: Prediction;
  json: { predictions: unknown };
  /** Milliseconds inside the worker (enforce + feeds + run + outputs). */
  ms: number;
}

/** The model service over `backend`. */
export function createModelService(backend: OnnxBackend) {
  const models = new Map<number, PyfuncModel>();
  let next = 1;
  const get = (id: number): PyfuncModel => {
    const m = models.get(id);
    if (!m) throw new CairnError('RESOURCE_DOES_NOT_EXIST', `No loaded model with id ${String(id)} (it was unloaded, or the worker restarted)`);
    return m;
  };
  const register = (model: PyfuncModel, files: ReadonlyMap<string, Uint8Array>): LoadedModelInfo => {
    const id = next++;
    models.set(id, model);
    let servingInputExample: unknown = null;
    try {
      servingInputExample = readServingInputExample(files, model.mlmodel);
    } catch {
      // A model whose example does not read still predicts; the page just has no example to offer.
    }
    return { id, backend: model.backend, inputs: [...model.inputs], outputs: [...model.outputs], mlmodel: mlmodelToDict(model.mlmodel), servingInputExample };
  };
  return {
    /** Loads a model directory (relative path → bytes). */
    async load(files: Map<string, Uint8Array>): Promise<LoadedModelInfo> {
      if (!(files instanceof Map)) throw invalid('load takes a Map of relative path → bytes');
      return register(await loadPyfunc(files, backend), files);
    },
    /** Loads a model from its transport zip (lib/models packModelDir), checked against `sha256` when given. */
    async loadZip(zip: Uint8Array, sha256?: string): Promise<LoadedModelInfo> {
      const files = await unpackModelDir(zip, sha256);
      return register(await loadPyfunc(files, backend), files);
    },
    /** Predicts on an `/invocations` body (or records / a bare value, as lib/models predict takes them). */
    async predict(id: number, input: unknown, params?: Record<string, unknown>): Promise<PredictResult> {
      const model = get(id);
      const t0 = performance.now();
      const prediction = await model.predict(input, params);
      const json = predictionToJson(prediction);
      const ms = performance.now() - t0;
      const buffers = prediction.outputs.map((o) => (ArrayBuffer.isView(o.data) ? (o.data.buffer as ArrayBuffer) : null)).filter((b): b is ArrayBuffer => b !== null);
      return Comlink.transfer({ prediction, json, ms }, [...new Set(buffers)]);
    },
    async unload(id: number): Promise<void> {
      const m = models.get(id);
      models.delete(id);
      await m?.close();
    },
  };
}

export type ModelService = ReturnType<typeof createModelService>;

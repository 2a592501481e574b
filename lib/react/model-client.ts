'use client';

import * as Comlink from 'comlink';
import { useEffect, useState } from 'react';
import type { ModelApi } from '../../workers/model.worker';
import type { LoadedModelInfo, PredictResult } from '../../workers/model-service';
import { toCairnError } from './data-client';

/**
 * The page's side of the model worker (workers/model.worker.ts, public/model-worker.js): one worker started on first
 * use, shared by every component; model files go in by transfer (the caller's buffers are handed over, not copied),
 * output tensors come back the same way, and rejections become CairnErrors again. Components use `useModelClient`
 * and never see comlink.
 */
export interface ModelClient {
  /** Loads a model directory (relative path → bytes). The bytes are transferred: the caller's copies are emptied. */
  load(files: Map<string, Uint8Array>): Promise<LoadedModelInfo>;
  /** Loads a model from its transport zip (packModelDir), checked against `sha256` when given. */
  loadZip(zip: Uint8Array, sha256?: string): Promise<LoadedModelInfo>;
  predict(id: number, input: unknown, params?: Record<string, unknown>): Promise<PredictResult>;
  unload(id: number): Promise<void>;
  /** Ends the worker (every loaded model with it). */
  terminate(): void;
}
export type { LoadedModelInfo, PredictResult } from '../../workers/model-service';
export type { OnnxValueInfo, Prediction, PredictOutput } from '../models';

const call = async <T>(f: () => Promise<T>): Promise<T> => {
  try {
    return await f();
  } catch (e) {
    throw toCairnError(e);
  }
};

/** A client over a new model worker at `url` (the app's is `/model-worker.js`). */
export function createModelClient(url = '/model-worker.js'): ModelClient {
  const worker = new Worker(url, { type: 'module', name: 'cairn-model' });
  const remote = Comlink.wrap<ModelApi>(worker);
  return {
    load: (files) => call(() => remote.load(Comlink.transfer(files, [...new Set([...files.values()].map((b) => b.buffer as ArrayBuffer))]))),
    loadZip: (zip, sha256) => call(() => remote.loadZip(Comlink.transfer(zip, [zip.buffer as ArrayBuffer]), sha256)),
    predict: (id, input, params) => call(() => remote.predict(id, input, params)),
    unload: (id) => call(() => remote.unload(id)),
    terminate: () => {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

let shared: ModelClient | null = null;

/** The app's one model worker, started when a component first needs it (never during the static prerender). */
export function useModelClient(): ModelClient | null {
  const [client, setClient] = useState<ModelClient | null>(shared);
  useEffect(() => {
    if (typeof Worker === 'undefined') return;
    shared ??= createModelClient();
    setClient(shared);
  }, []);
  return client;
}

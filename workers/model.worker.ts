/// <reference lib="webworker" />
/**
 * The model worker: ONNX models run off the main thread on onnxruntime-web's wasm backend. Built by
 * scripts/build-node.mjs into public/model-worker.js; the runtime's .wasm is copied to public/ort/ by
 * scripts/copy-ort-wasm.mjs (`npm run build`). Single-threaded: a static export cannot send COOP/COEP, so no
 * SharedArrayBuffer and no wasm threads. The page talks to it through lib/react's model client.
 */
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web/wasm';
import { ortBackend, type OrtModule } from '../lib/models/onnx-backend';
import { createModelService } from './model-service';
import { withWireErrors } from './wire-errors';

const scope = self as unknown as DedicatedWorkerGlobalScope;
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
// The runtime's files sit in ort/<version>/ beside this worker (scripts/copy-ort-wasm.mjs): relative, so an app served
// under a sub-path finds them, and versioned, so the service worker's cache-first copy never mixes two releases.
ort.env.wasm.wasmPaths = new URL(`ort/${ort.env.versions.web}/`, scope.location.href).href;

const api = withWireErrors(createModelService(ortBackend(ort as unknown as OrtModule, 'onnxruntime-web (wasm)', { executionProviders: ['wasm'] })));
Comlink.expose(api);

export type ModelApi = typeof api;

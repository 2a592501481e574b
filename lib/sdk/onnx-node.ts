/**
 * The Node ONNX backend: lib/models' ortBackend over `onnxruntime-node`, loaded with a dynamic import so the package
 * (a native addon) is only required by a process that loads a model, and stays external to every bundle
 * (scripts/build-node.mjs). In a browser, pass a backend of your own (the app uses workers/model.worker.ts).
 */
import { CairnError } from '../domain';
import { ortBackend, type OnnxBackend, type OrtModule } from '../models/onnx-backend';
import { isNode } from './env';

let backend: Promise<OnnxBackend> | null = null;

/** The process's onnxruntime-node backend (one module load, shared). */
export function nodeOnnxBackend(): Promise<OnnxBackend> {
  if (!isNode()) return Promise.reject(new CairnError('NOT_IMPLEMENTED', 'onnxruntime-node runs in Node only; pass a backend (e.g. onnxruntime-web) in a browser'));
  backend ??= import('onnxruntime-node').then(
    (m) => ortBackend(((m as { default?: unknown }).default ?? m) as OrtModule, 'onnxruntime-node'),
    (e: unknown) => {
      backend = null;
      throw new CairnError('NOT_IMPLEMENTED', `onnxruntime-node could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    },
  );
  return backend;
}

/**
 * The ONNX runtime as lib/models sees it: what onnxruntime-node and onnxruntime-web both offer (a session from model
 * bytes, its input/output names and element types, a run over feeds of typed arrays with dims), and nothing of either
 * package. The Node adapter (lib/sdk/onnx-node.ts) and the browser worker's (workers/model-service.ts) implement it;
 * the predict path (pyfunc.ts) is written once against it.
 */
import type { TypedData } from './tensor-data';

/** ONNX Runtime's tensor element types by their JS names (`bool` is a Uint8Array of 0/1, `float16` its half bits). */
export type OnnxElementType =
  | 'float32' | 'float64' | 'float16' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool' | 'string';

/** One tensor going in or coming out: row-major data and its dims. */
export interface OnnxTensor {
  type: OnnxElementType;
  dims: readonly number[];
  data: TypedData | string[];
}

/** A model input or output as the session describes it; `type` is null for a non-tensor value (a map, a sequence). */
export interface OnnxValueInfo {
  name: string;
  type: OnnxElementType | null;
  /** Dims with symbolic ones (`batch`) as strings; null when the model does not say. */
  shape: (number | string)[] | null;
}

/** The onnx flavor's `onnx_session_options` that a JS runtime can honour (mlflow/onnx `_OnnxModelWrapper`). */
export interface OnnxSessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

export interface OnnxSession {
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /** Runs the model on `feeds` (one tensor per input name) and returns every output by name. */
  run(feeds: Record<string, OnnxTensor>): Promise<Record<string, OnnxTensor>>;
  release(): Promise<void>;
}

export interface OnnxBackend {
  /** `onnxruntime-node`, `onnxruntime-web (wasm)`: named in errors and benchmarks. */
  readonly name: string;
  createSession(model: Uint8Array, options?: OnnxSessionOptions): Promise<OnnxSession>;
}

const ELEMENT_TYPES: readonly string[] = ['float32', 'float64', 'float16', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'string'];

/** A runtime's type name as an OnnxElementType (null for anything else: maps, sequences, types JS cannot hold). */
export function onnxElementType(t: unknown): OnnxElementType | null {
  return typeof t === 'string' && ELEMENT_TYPES.includes(t) ? (t as OnnxElementType) : null;
}

/**
 * The input/output metadata onnxruntime-common sessions expose (`inputNames` + `inputMetadata`, 1.20+), as
 * OnnxValueInfo: one home for both adapters.
 */
export function describeValues(
  names: readonly string[],
  metadata: readonly { name: string; isTensor: boolean; type?: unknown; shape?: readonly (number | string)[] }[] | undefined,
): OnnxValueInfo[] {
  return names.map((name) => {
    const m = metadata?.find((x) => x.name === name);
    return { name, type: m?.isTensor ? onnxElementType(m.type) : null, shape: m?.isTensor && m.shape ? [...m.shape] : null };
  });
}

/**
 * The part of the onnxruntime-common API (shared by onnxruntime-node and onnxruntime-web) the adapter uses, typed
 * structurally so lib/models imports neither package.
 */
export interface OrtModule {
  InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession>;
  };
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
}
interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  dispose?(): void;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly { name: string; isTensor: boolean; type?: unknown; shape?: readonly (number | string)[] }[];
  readonly outputMetadata?: readonly { name: string; isTensor: boolean; type?: unknown; shape?: readonly (number | string)[] }[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/**
 * An OnnxBackend over an onnxruntime module: the one adapter for Node (`onnxruntime-node`) and the browser worker
 * (`onnxruntime-web`). `sessionDefaults` are merged under the flavor's options (the worker's wasm execution provider).
 */
export function ortBackend(ort: OrtModule, name: string, sessionDefaults: Record<string, unknown> = {}): OnnxBackend {
  return {
    name,
    async createSession(model, options = {}) {
      const s = await ort.InferenceSession.create(model, { ...sessionDefaults, ...options });
      return {
        inputs: describeValues(s.inputNames, s.inputMetadata),
        outputs: describeValues(s.outputNames, s.outputMetadata),
        async run(feeds) {
          const input: Record<string, OrtTensor> = {};
          for (const [k, t] of Object.entries(feeds)) input[k] = new ort.Tensor(t.type, t.data, t.dims);
          const out = await s.run(input);
          const result: Record<string, OnnxTensor> = {};
          for (const [k, t] of Object.entries(out)) {
            const type = onnxElementType(t.type);
            if (!type) throw new Error(`output '${k}' is a ${t.type} value, which Cairn cannot return`);
            result[k] = { type, dims: [...t.dims], data: t.data as TypedData | string[] };
          }
          return result;
        },
        release: () => s.release(),
      };
    },
  };
}

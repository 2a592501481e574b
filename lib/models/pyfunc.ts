/**
 * `loadPyfunc(files, backend)`: an MLflow model directory as a runnable model, the way `mlflow.pyfunc.load_model`
 * runs an onnx-flavored model (mlflow/onnx/__init__.py `_OnnxModelWrapper`) — on any OnnxBackend, Node or browser.
 *
 * `predict(input)` takes what MLflow's scoring server takes (an `/invocations` body), enforces the signature with
 * `enforceSchema`, builds the feeds as `_OnnxModelWrapper.predict` does, runs, and answers as the pyfunc does:
 *   - a frame (column-based signature, or a dataframe with no signature): one ONNX input gets the whole frame as a
 *     matrix (`DataFrame.values`), several get one column each (by input name); the outputs come back as a frame,
 *     each output flattened to one column (`reshape(-1)`), all of one length or refused as pandas refuses;
 *   - tensors (tensor-based signature, or `inputs`/`instances` with no signature): an unnamed tensor feeds the one
 *     input, named tensors feed inputs by name; the outputs come back as a dict of name → tensor.
 * float64 feeds for a `tensor(float)` input are cast to float32 (MLflow's `_cast_float64_to_float32`). Other dtype
 * mismatches, which onnxruntime would refuse, are refused here naming the input and both types (MODEL-16).
 *
 * Only the onnx flavor runs: every other flavor needs Python, and says so (MODEL-15).
 */
import { CairnError, invalid } from '../domain';
import { enforceSchema, type Batch } from './enforce';
import type { BatchColumn } from './enforce-columns';
import type { BatchTensor } from './enforce-tensors';
import { pyShape } from './enforce-tensors';
import type { MLmodel } from './mlmodel';
import { readModelMLmodel, type ModelFiles } from './model-dir';
import type { OnnxBackend, OnnxElementType, OnnxSession, OnnxSessionOptions, OnnxTensor, OnnxValueInfo } from './onnx-backend';
import { pyJsonDumps } from './py-json';
import { SERVING_FORMATS } from './serving-input';
import type { Signature } from './schema-types';
import type { TypedData } from './tensor-data';

/** One output of a prediction: the runtime's tensor, with its name. */
export interface PredictOutput extends OnnxTensor {
  name: string;
}
/**
 * What the pyfunc returns: `frame` (a pandas DataFrame: every output one column of `rows` values) or `tensors` (a dict
 * of output name → ndarray). Outputs are in the model's output order.
 */
export type Prediction = { kind: 'frame'; rows: number; outputs: PredictOutput[] } | { kind: 'tensors'; outputs: PredictOutput[] };

/** The onnx flavor's run settings (mlflow/onnx `_OnnxModelWrapper.__init__`). */
export interface OnnxFlavorConfig {
  /** The model file, relative to the model directory (`data`, MLflow writes `model.onnx`). */
  data: string;
  providers: string[];
  sessionOptions: OnnxSessionOptions;
}

/** A loaded model: its MLmodel, the session's inputs and outputs, and `predict`. */
export interface PyfuncModel {
  readonly mlmodel: MLmodel;
  readonly signature: Signature | null;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly backend: string;
  /**
   * Predict as MLflow's pyfunc does. `input` is an `/invocations` body (`{dataframe_split}`, `{dataframe_records}`,
   * `{inputs}`, `{instances}`, optional `params`); a list of records or any other value is taken as MLflow's client
   * sends it (records → `dataframe_records`, else `inputs`). `params` are checked against the params schema (the
   * onnx pyfunc itself uses none).
   */
  predict(input: unknown, params?: Record<string, unknown>): Promise<Prediction>;
  /** Frees the session. */
  close(): Promise<void>;
}

/** The flavors Cairn can run; anything else needs Python. */
export const RUNNABLE_FLAVOR = 'onnx';
const DEFAULT_PROVIDERS = ['CUDAExecutionProvider', 'CPUExecutionProvider'];
const GRAPH_LEVELS: Record<number, OnnxSessionOptions['graphOptimizationLevel']> = { 0: 'disabled', 1: 'basic', 2: 'extended', 99: 'all' };

/**
 * The onnx flavor of an MLmodel, or CairnError('NOT_IMPLEMENTED') naming the flavor the model has instead: a
 * python_function-only, sklearn or pytorch model needs Python, which Cairn does not run (MODEL-15).
 */
export function resolveOnnxFlavor(mlmodel: MLmodel): OnnxFlavorConfig {
  const flavors = mlmodel.flavors as Record<string, unknown>;
  const onnx = flavors.onnx as { data?: string; providers?: string[]; onnx_session_options?: Record<string, unknown> | null } | undefined;
  if (!onnx) {
    const others = Object.keys(flavors).filter((f) => f !== 'python_function');
    const loader = mlmodel.flavors.python_function?.loader_module;
    const flavor = others[0] ?? (loader ? `python_function (${loader})` : 'python_function');
    throw new CairnError(
      'NOT_IMPLEMENTED',
      `This model is not runnable here: ${flavor} needs Python; ONNX is the runnable flavor (log the model as ONNX to predict in Cairn)`,
      { flavors: Object.keys(flavors), runnable: RUNNABLE_FLAVOR },
    );
  }
  const o = onnx.onnx_session_options ?? {};
  const sessionOptions: OnnxSessionOptions = {};
  if (typeof o.intra_op_num_threads === 'number' && o.intra_op_num_threads > 0) sessionOptions.intraOpNumThreads = o.intra_op_num_threads;
  if (typeof o.inter_op_num_threads === 'number' && o.inter_op_num_threads > 0) sessionOptions.interOpNumThreads = o.inter_op_num_threads;
  if (typeof o.execution_mode === 'string') {
    const m = o.execution_mode.toLowerCase();
    if (m === 'sequential' || m === 'parallel') sessionOptions.executionMode = m;
  }
  if (typeof o.graph_optimization_level === 'number' && GRAPH_LEVELS[o.graph_optimization_level]) {
    sessionOptions.graphOptimizationLevel = GRAPH_LEVELS[o.graph_optimization_level];
  }
  return { data: onnx.data ?? 'model.onnx', providers: onnx.providers ?? DEFAULT_PROVIDERS, sessionOptions };
}

/** Load a model directory's onnx flavor on `backend` (RESOURCE_DOES_NOT_EXIST when the flavor's file is missing). */
export async function loadPyfunc(files: ModelFiles, backend: OnnxBackend): Promise<PyfuncModel> {
  const mlmodel = readModelMLmodel(files);
  const flavor = resolveOnnxFlavor(mlmodel);
  const bytes = files.get(flavor.data);
  if (!bytes) throw new CairnError('RESOURCE_DOES_NOT_EXIST', `The onnx flavor's model file '${flavor.data}' is not in the model directory`, { path: flavor.data });
  let session: OnnxSession;
  try {
    session = await backend.createSession(bytes, flavor.sessionOptions);
  } catch (e) {
    throw new CairnError('INVALID_PARAMETER_VALUE', `${backend.name} could not load '${flavor.data}': ${errorText(e)}`, { path: flavor.data });
  }
  if (session.inputs.length < 1) throw invalid(`'${flavor.data}' declares no inputs`);
  const signature = mlmodel.signature ?? null;
  return {
    mlmodel,
    signature,
    inputs: session.inputs,
    outputs: session.outputs,
    backend: backend.name,
    async predict(input, params) {
      const body = asServingBody(input, params);
      const { batch } = enforceSchema(body, signature);
      const feeds = buildFeeds(batch, session.inputs);
      let out: Record<string, OnnxTensor>;
      try {
        out = await session.run(feeds);
      } catch (e) {
        // The scoring server's answer to an exception inside predict.
        throw new CairnError(
          'BAD_REQUEST',
          `Encountered an unexpected error while evaluating the model. Verify that the input is compatible with the model for inference. Error '${errorText(e)}'`,
        );
      }
      const outputs = session.outputs.filter((o) => out[o.name]).map((o) => ({ name: o.name, ...out[o.name]! }));
      return batch.kind === 'columns' ? asFrame(outputs) : { kind: 'tensors', outputs };
    },
    close: () => session.release(),
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** An input as an `/invocations` body: a body stays as it is; records → `dataframe_records`; else `inputs`. */
function asServingBody(input: unknown, params?: Record<string, unknown>): unknown {
  let body: unknown;
  if (isRecord(input) && SERVING_FORMATS.some((k) => k in input)) body = input;
  else if (Array.isArray(input) && input.length > 0 && input.every(isRecord)) body = { dataframe_records: input };
  else body = { inputs: input };
  if (params === undefined) return body;
  return { ...(body as Record<string, unknown>), params };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- feeds ----------------------------------------------------------------------------------------------------------

/** The dtype a column's data holds (enforce-columns' arrays), or null for strings and compound values. */
function arrayDtype(data: unknown): OnnxElementType | null {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigUint64Array) return 'uint64';
  return null;
}

/** A batch dtype name (numpy's, from enforce) → the element type ONNX Runtime calls it. */
function tensorElementType(t: BatchTensor): OnnxElementType | null {
  if (t.dtype === 'bool') return 'bool';
  if (t.dtype === 'str') return 'string';
  return arrayDtype(t.data);
}

/** `_cast_float64_to_float32`, then the check onnxruntime makes: the feed's element type is the input's. */
function fitFeed(input: OnnxValueInfo, type: OnnxElementType | null, dims: number[], data: TypedData | string[] | unknown[], what: string): OnnxTensor {
  if (type === 'float64' && input.type === 'float32') return { type: 'float32', dims, data: Float32Array.from(data as Float64Array) };
  if (type === null || (input.type !== null && type !== input.type)) {
    const got = type === null ? 'object' : type;
    throw invalid(`Incompatible input types for ${what}: the model's input '${input.name}' expects tensor(${input.type ?? 'non-tensor'}) but got ${got}`, {
      input: input.name,
      expected: input.type,
    });
  }
  return { type, dims, data: data as TypedData | string[] };
}

/** The common numpy dtype of several columns (`DataFrame.values`), or null when it would be `object`. */
function commonDtype(types: (OnnxElementType | null)[]): OnnxElementType | null {
  if (types.some((t) => t === null || t === 'string' || t === 'float16')) return null;
  const set = new Set(types);
  if (set.size === 1) return types[0]!;
  const floats = [...set].filter((t) => t === 'float32' || t === 'float64');
  if (floats.length) return 'float64';
  // Mixed integer widths (and bools, uint8 here) widen to int64 as numpy's result_type does for these inputs.
  return 'int64';
}

function toNumbers(col: BatchColumn): ArrayLike<number | bigint> {
  return col.data as unknown as ArrayLike<number | bigint>;
}

function matrix(columns: BatchColumn[], rows: number, dtype: OnnxElementType): TypedData {
  const n = columns.length;
  const make = (len: number): TypedData => {
    switch (dtype) {
      case 'float32': return new Float32Array(len);
      case 'float64': return new Float64Array(len);
      case 'int64': return new BigInt64Array(len);
      case 'int32': return new Int32Array(len);
      case 'int16': return new Int16Array(len);
      case 'int8': return new Int8Array(len);
      case 'uint8': case 'bool': return new Uint8Array(len);
      case 'uint16': return new Uint16Array(len);
      case 'uint32': return new Uint32Array(len);
      case 'uint64': return new BigUint64Array(len);
      default: throw invalid(`A frame of ${dtype} columns cannot be fed as one tensor`);
    }
  };
  const out = make(rows * n) as unknown as { [i: number]: number | bigint };
  const big = dtype === 'int64' || dtype === 'uint64';
  columns.forEach((col, c) => {
    const src = toNumbers(col);
    for (let r = 0; r < rows; r++) {
      const v = src[r]!;
      out[r * n + c] = big ? BigInt(v) : Number(v);
    }
  });
  return out as unknown as TypedData;
}

/** The feeds `_OnnxModelWrapper.predict` builds from the enforced input. */
export function buildFeeds(batch: Batch, inputs: readonly OnnxValueInfo[]): Record<string, OnnxTensor> {
  const feeds: Record<string, OnnxTensor> = {};
  if (batch.kind === 'columns') {
    const columnType = (c: BatchColumn) => (c.type.kind === 'scalar' && c.type.type === 'boolean' ? 'bool' : arrayDtype(c.data));
    if (inputs.length > 1) {
      // `{name: data[name].values for (name, _) in self.inputs}`: each ONNX input takes the column of its name.
      for (const input of inputs) {
        const col = batch.columns.find((c) => String(c.name) === input.name);
        if (!col) {
          throw invalid(`The model's ONNX input '${input.name}' has no column of that name in the input (columns: ${JSON.stringify(batch.columns.map((c) => String(c.name)))})`, {
            input: input.name,
            missing: [input.name],
          });
        }
        feeds[input.name] = fitFeed(input, columnType(col), [batch.rows], col.data, `column ${col.name}`);
      }
      return feeds;
    }
    // One input: `{self.inputs[0][0]: data.values}` — the frame as a (rows, columns) matrix of their common dtype.
    const input = inputs[0]!;
    const types = batch.columns.map(columnType);
    const dtype = commonDtype(types);
    if (dtype === null) {
      const at = types.findIndex((t) => t === null || t === 'string');
      const what = at >= 0 ? `column ${batch.columns[at]!.name}` : 'the frame';
      return { [input.name]: fitFeed(input, null, [batch.rows, batch.columns.length], [], what) };
    }
    const data = batch.columns.length === 1 && types[0] === dtype ? (batch.columns[0]!.data as TypedData) : matrix(batch.columns, batch.rows, dtype);
    feeds[input.name] = fitFeed(input, dtype, [batch.rows, batch.columns.length], data, 'the frame');
    return feeds;
  }
  const tensors = batch.tensors;
  if (tensors.length === 1 && tensors[0]!.name === null) {
    if (inputs.length !== 1) {
      throw invalid(
        `Unable to map numpy array input to the expected model input. Numpy arrays can only be used as input for MLflow ONNX models that have a single input. This model requires ${inputs.length} inputs. Please pass in data as either a dictionary or a DataFrame with the following tensors: ${JSON.stringify(inputs.map((i) => i.name))}.`,
      );
    }
    const t = tensors[0]!;
    return { [inputs[0]!.name]: fitFeed(inputs[0]!, tensorElementType(t), t.shape, t.data, 'the input tensor') };
  }
  for (const t of tensors) {
    const input = inputs.find((i) => i.name === t.name);
    if (!input) throw invalid(`Invalid input name: '${t.name}' (the model's ONNX inputs are ${JSON.stringify(inputs.map((i) => i.name))})`, { input: t.name });
    feeds[input.name] = fitFeed(input, tensorElementType(t), t.shape, t.data, `input ${t.name} ${pyShape(t.shape)}`);
  }
  const missing = inputs.filter((i) => !feeds[i.name]).map((i) => i.name);
  if (missing.length) throw invalid(`Missing ONNX model inputs: ${JSON.stringify(missing)}`, { missing });
  return feeds;
}

// ---- outputs --------------------------------------------------------------------------------------------------------

/** `pd.DataFrame.from_dict({c: np.asarray(p).reshape(-1)})`: every output one column, all of one length. */
function asFrame(outputs: PredictOutput[]): Prediction {
  const lengths = outputs.map((o) => o.data.length);
  if (new Set(lengths).size > 1) {
    throw new CairnError(
      'BAD_REQUEST',
      `Encountered an unexpected error while evaluating the model. Verify that the input is compatible with the model for inference. Error 'All arrays must be of the same length' (outputs ${outputs.map((o) => `${o.name} ${pyShape([...o.dims])}`).join(', ')} cannot be one frame)`,
    );
  }
  return { kind: 'frame', rows: lengths[0] ?? 0, outputs: outputs.map((o) => ({ ...o, dims: [o.data.length] })) };
}

/** One JSON value of an output element: int64 as a number (exact up to 2^53), bools as booleans. */
function jsonScalar(t: OnnxTensor, v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (t.type === 'bool') return v !== 0;
  return v;
}

/** A tensor as nested lists (`ndarray.tolist()`). */
export function tensorToNested(t: OnnxTensor): unknown {
  const data = t.data as ArrayLike<unknown>;
  const dims = t.dims.length ? t.dims : [];
  if (dims.length === 0) return jsonScalar(t, data[0]);
  let at = 0;
  const build = (d: number): unknown[] => {
    const out: unknown[] = new Array(dims[d]!);
    for (let i = 0; i < dims[d]!; i++) out[i] = d === dims.length - 1 ? jsonScalar(t, data[at++]) : build(d + 1);
    return out;
  };
  return build(0);
}

/**
 * The value MLflow's scoring server puts under `predictions` (mlflow/pyfunc/scoring_server `predictions_to_json`):
 * a frame in records orient, a dict of outputs as `{name: nested lists}`.
 */
export function predictionToJson(p: Prediction): { predictions: unknown } {
  if (p.kind === 'tensors') return { predictions: Object.fromEntries(p.outputs.map((o) => [o.name, tensorToNested(o)])) };
  const records: Record<string, unknown>[] = [];
  for (let r = 0; r < p.rows; r++) {
    const row: Record<string, unknown> = {};
    for (const o of p.outputs) row[o.name] = jsonScalar(o, (o.data as ArrayLike<unknown>)[r]);
    records.push(row);
  }
  return { predictions: records };
}

/** The scoring server's response text: `json.dumps` with Python's separators and bare NaN / Infinity. */
export function predictionJsonText(p: Prediction): string {
  return pyJsonDumps(predictionToJson(p));
}

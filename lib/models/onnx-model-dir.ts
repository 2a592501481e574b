/**
 * A model directory as `mlflow.onnx.save_model` (MLflow 3.6) writes it, for an ONNX model Cairn logs: `model.onnx`,
 * the `MLmodel` (onnx + python_function flavors, signature, saved_input_example_info), `input_example.json` and
 * `serving_input_example.json` (mlflow/models/utils.py `_Example`), `requirements.txt`, `conda.yaml` and
 * `python_env.yaml` (the pins MLflow's onnx flavor asks for: mlflow, onnx, onnxruntime), so MLflow's own
 * `mlflow.pyfunc.load_model` / `mlflow models serve` can take a model Cairn logged (MODEL-17).
 */
import { invalid } from '../domain';
import { MLFLOW_FORMAT_VERSION, MLMODEL_FILE_NAME, newMLmodel, writeMLmodel, type SavedInputExampleInfo } from './mlmodel';
import { pyJsonDumps } from './py-json';
import { pyYamlDump } from './pyyaml';
import type { Signature } from './schema-types';
import { signatureFromDict } from './signature';

/** The file the onnx flavor's `data` names (mlflow/onnx `_MODEL_DATA_SUBPATH`). */
export const ONNX_MODEL_FILE = 'model.onnx';
/** mlflow/onnx `ONNX_EXECUTION_PROVIDERS`: what MLflow writes when the caller names none. */
export const ONNX_EXECUTION_PROVIDERS = ['CUDAExecutionProvider', 'CPUExecutionProvider'];
/**
 * The Python packages a model Cairn logs pins (requirements.txt): onnxruntime is the runtime Cairn itself runs
 * (onnxruntime-node / -web 1.30.0), onnx a release that reads what it runs. MLflow pins what its process has
 * installed; Cairn has no Python, so these are fixed and written as `onnx_version` too.
 */
export const ONNX_PIP_VERSIONS = { onnx: '1.23.1', onnxruntime: '1.30.0' } as const;
/** The Python `python_env.yaml` / `python_version` ask for (MLflow needs one to rebuild the env; onnxruntime 1.30 supports it). */
export const MODEL_PYTHON_VERSION = '3.11.2';

/** The MLmodel `signature:` as MLflow writes it: each part a JSON string or the JSON list it holds. */
export interface SignatureJson {
  inputs?: string | unknown[] | null;
  outputs?: string | unknown[] | null;
  params?: string | unknown[] | null;
}

/**
 * An input example as a TypeScript caller has it: a list of records or `{columns, data}` (a pandas DataFrame, saved
 * in split orient), a nested list of numbers (an ndarray) or `{name: nested list}` (a dict of ndarrays).
 */
export type ModelInputExample = Record<string, unknown>[] | { columns: string[]; data: unknown[][] } | unknown[] | Record<string, unknown[]>;

export interface OnnxModelDirOptions {
  onnx: Uint8Array;
  signature?: Signature | SignatureJson;
  inputExample?: ModelInputExample;
  metadata?: Record<string, unknown>;
  /** Extra files (relative path → bytes) stored beside the model; none may replace one written here. */
  files?: ReadonlyMap<string, Uint8Array> | Record<string, Uint8Array>;
  providers?: string[];
  runId?: string;
  artifactPath?: string;
  createdAt?: Date;
  modelUuid?: string;
}

const enc = new TextEncoder();
const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A typed signature, or the MLflow JSON form read as MLflow reads it (MODEL-3, MODEL-6 refusals). */
export function toSignature(s: Signature | SignatureJson): Signature {
  const typed = (v: unknown) => isRecord(v) && typeof v.kind === 'string';
  if (typed(s.inputs) || typed(s.outputs) || (Array.isArray(s.params) && s.params.some((p) => isRecord(p) && isRecord(p.type) && 'kind' in p.type))) return s as Signature;
  const j = s as SignatureJson;
  const str = (v: string | unknown[] | null | undefined) => (Array.isArray(v) ? JSON.stringify(v) : v);
  return signatureFromDict({ inputs: str(j.inputs), outputs: str(j.outputs), params: str(j.params) });
}

/** `_Example`: the example's saved JSON, its serving body and the `saved_input_example_info` for it. */
function saveExample(example: ModelInputExample): { example: string; serving: string; info: SavedInputExampleInfo } {
  const info = (type: SavedInputExampleInfo['type'], orient?: 'split'): SavedInputExampleInfo => ({
    artifact_path: 'input_example.json',
    type,
    ...(orient ? { pandas_orient: orient } : {}),
    serving_input_path: 'serving_input_example.json',
  });
  const serving = (body: unknown) => JSON.stringify(body, null, 2);
  if (Array.isArray(example) && example.length > 0 && example.every(isRecord)) {
    // A list of records is a DataFrame: its columns in first-seen order, missing values null (pandas does the same).
    const records = example as Record<string, unknown>[];
    const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
    const split = { columns, data: records.map((r) => columns.map((c) => (Object.hasOwn(r, c) ? r[c] : null))) };
    return { example: pyJsonDumps(split), serving: serving({ dataframe_split: split }), info: info('dataframe', 'split') };
  }
  if (isRecord(example) && Array.isArray(example.columns) && Array.isArray(example.data) && Object.keys(example).every((k) => k === 'columns' || k === 'data')) {
    const split = { columns: example.columns, data: example.data };
    return { example: pyJsonDumps(split), serving: serving({ dataframe_split: split }), info: info('dataframe', 'split') };
  }
  if (Array.isArray(example) || (isRecord(example) && Object.values(example).every(Array.isArray))) {
    return { example: pyJsonDumps(example), serving: serving({ inputs: example }), info: info('ndarray') };
  }
  throw invalid('inputExample must be a list of records, {columns, data}, a nested list or {name: nested list}', { field: 'inputExample' });
}

/** The files of an MLflow onnx model directory for these options (MODEL-17). */
export function onnxModelDir(o: OnnxModelDirOptions): Map<string, Uint8Array> {
  if (!(o.onnx instanceof Uint8Array) || o.onnx.length === 0) throw invalid('onnx must be the bytes of an ONNX model', { field: 'onnx' });
  const files = new Map<string, Uint8Array>();
  files.set(ONNX_MODEL_FILE, o.onnx);
  const ex = o.inputExample !== undefined ? saveExample(o.inputExample) : null;
  if (ex) {
    files.set('input_example.json', enc.encode(ex.example));
    files.set('serving_input_example.json', enc.encode(ex.serving));
  }
  // MLflow measures the directory after the model and the example are saved, before the MLmodel and env files.
  const size = [...files.values()].reduce((a, b) => a + b.length, 0);
  const requirements = [`mlflow==${MLFLOW_FORMAT_VERSION}`, `onnx==${ONNX_PIP_VERSIONS.onnx}`, `onnxruntime==${ONNX_PIP_VERSIONS.onnxruntime}`];
  const mlmodel = newMLmodel({
    flavors: {
      python_function: {
        loader_module: 'mlflow.onnx',
        python_version: MODEL_PYTHON_VERSION,
        data: ONNX_MODEL_FILE,
        env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
      },
      onnx: {
        onnx_version: ONNX_PIP_VERSIONS.onnx,
        data: ONNX_MODEL_FILE,
        providers: o.providers ?? ONNX_EXECUTION_PROVIDERS,
        onnx_session_options: null,
        code: null,
      },
    },
    ...(o.runId !== undefined ? { runId: o.runId } : {}),
    ...(o.artifactPath !== undefined ? { artifactPath: o.artifactPath } : {}),
    ...(o.signature ? { signature: toSignature(o.signature) } : {}),
    ...(ex ? { savedInputExampleInfo: ex.info } : {}),
    ...(o.metadata ? { metadata: o.metadata } : {}),
    modelSizeBytes: size,
    ...(o.createdAt ? { createdAt: o.createdAt } : {}),
    ...(o.modelUuid ? { modelUuid: o.modelUuid } : {}),
  });
  files.set(MLMODEL_FILE_NAME, enc.encode(writeMLmodel(mlmodel)));
  files.set('requirements.txt', enc.encode(requirements.join('\n')));
  files.set(
    'conda.yaml',
    enc.encode(pyYamlDump({ channels: ['conda-forge'], dependencies: [`python=${MODEL_PYTHON_VERSION}`, 'pip', { pip: requirements }], name: 'mlflow-env' })),
  );
  // _PythonEnv.to_yaml keeps its own key order (python, build_dependencies, dependencies), not sorted.
  files.set('python_env.yaml', enc.encode(`python: ${MODEL_PYTHON_VERSION}\nbuild_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n- -r requirements.txt\n`));
  const extra = o.files instanceof Map ? [...o.files] : Object.entries(o.files ?? {});
  for (const [path, bytes] of extra) {
    if (files.has(path)) throw invalid(`files: '${path}' is written by logModel itself`, { field: 'files', path });
    if (!(bytes instanceof Uint8Array)) throw invalid(`files: '${path}' must be a Uint8Array`, { field: 'files', path });
    files.set(path, bytes);
  }
  return files;
}

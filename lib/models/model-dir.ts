/**
 * An MLflow model directory held as files (relative path → bytes), the same in a browser worker and in Node (whoever
 * reads a disk or an artifact store hands the bytes over). What each file is for (MODEL-11), the input examples as
 * MLflow's `saved_input_example_info` describes them, `registered_model_meta`, and the transport zip identified by its
 * sha256 (MODEL-12).
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CairnError, invalid } from '../domain';
import { MLMODEL_FILE_NAME, parseMLmodel, type MLmodel } from './mlmodel';
import { parsePyJson } from './py-json';
import { PY_YAML_PARSE } from './pyyaml';
import { rawInput, type RawInput } from './serving-input';
import { readZip, writeZip } from './zip';

export type ModelFiles = ReadonlyMap<string, Uint8Array>;

/** What a file of a model directory is. `flavor` files are the ones a flavor's config names (weights, pickles, data). */
export type ModelFileRole =
  | 'mlmodel'
  | 'conda'
  | 'python-env'
  | 'requirements'
  | 'constraints'
  | 'input-example'
  | 'serving-input-example'
  | 'registered-model-meta'
  | 'env-vars'
  | 'code'
  | 'flavor'
  | 'other';
export interface ModelDirEntry {
  path: string;
  role: ModelFileRole;
  /** For `flavor` files: the flavors whose config names the file (or a folder holding it). */
  flavors?: string[];
  size: number;
}

/** The file names MLflow gives the files every model directory may have (mlflow/utils/environment.py, model.py). */
const FIXED: Record<string, ModelFileRole> = {
  [MLMODEL_FILE_NAME]: 'mlmodel',
  'conda.yaml': 'conda',
  'python_env.yaml': 'python-env',
  'requirements.txt': 'requirements',
  'constraints.txt': 'constraints',
  'input_example.json': 'input-example',
  'serving_input_example.json': 'serving-input-example',
  registered_model_meta: 'registered-model-meta',
  'environment_variables.txt': 'env-vars',
};
/** Flavor config keys that hold versions or names, never file paths. */
const NOT_PATHS = new Set(['loader_module', 'python_version', 'predict_fn', 'predict_stream_fn', 'serialization_format']);

const te = new TextDecoder('utf-8', { fatal: true });
function text(files: ModelFiles, path: string): string {
  const bytes = files.get(path);
  if (!bytes) throw new CairnError('RESOURCE_DOES_NOT_EXIST', `Could not find '${path}' in the model directory`, { path });
  try {
    return te.decode(bytes);
  } catch {
    throw invalid(`'${path}' is not UTF-8 text`, { path });
  }
}
function json(files: ModelFiles, path: string): unknown {
  try {
    return parsePyJson(text(files, path));
  } catch (e) {
    if (e instanceof CairnError) throw e;
    throw invalid(`'${path}' is not valid JSON: ${(e as Error).message}`, { path });
  }
}

/** The MLmodel of a model directory (RESOURCE_DOES_NOT_EXIST without one, as MLflow's `Model.load`). */
export function readModelMLmodel(files: ModelFiles): MLmodel {
  if (!files.has(MLMODEL_FILE_NAME)) {
    throw new CairnError('RESOURCE_DOES_NOT_EXIST', `Could not find an "${MLMODEL_FILE_NAME}" configuration file in the model directory`);
  }
  return parseMLmodel(text(files, MLMODEL_FILE_NAME));
}

/** Every file of the directory with its role, sorted by path. `code/…` is the flavors' `code` folder. */
export function describeModelDir(files: ModelFiles, mlmodel: MLmodel | null = files.has(MLMODEL_FILE_NAME) ? readModelMLmodel(files) : null): ModelDirEntry[] {
  const refs = new Map<string, Set<string>>();
  const codeDirs = new Set<string>(['code']);
  for (const [flavor, config] of Object.entries(mlmodel?.flavors ?? {})) {
    if (!config || typeof config !== 'object') continue;
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
      if (typeof value !== 'string' || NOT_PATHS.has(key) || key.endsWith('_version')) continue;
      if (key === 'code') codeDirs.add(value);
      else if (!refs.has(value)) refs.set(value, new Set([flavor]));
      else refs.get(value)!.add(flavor);
    }
  }
  const ex = mlmodel?.saved_input_example_info;
  const fixed: Record<string, ModelFileRole> = { ...FIXED };
  if (ex?.artifact_path) fixed[ex.artifact_path] = 'input-example';
  if (ex?.serving_input_path) fixed[ex.serving_input_path] = 'serving-input-example';
  return [...files.keys()].sort().map((path) => {
    const size = files.get(path)!.length;
    if (fixed[path]) return { path, role: fixed[path], size };
    if ([...codeDirs].some((d) => path.startsWith(`${d}/`))) return { path, role: 'code', size };
    const owners = [...refs.entries()].filter(([ref]) => path === ref || path.startsWith(`${ref.replace(/\/$/, '')}/`)).flatMap(([, f]) => [...f]);
    if (owners.length) return { path, role: 'flavor', flavors: [...new Set(owners)].sort(), size };
    return { path, role: 'other', size };
  });
}

const SplitSchema = z.object({ columns: z.array(z.union([z.string(), z.number()])).optional(), data: z.array(z.unknown()), index: z.array(z.unknown()).optional() });
const SparseSchema = z.object({
  data: z.array(z.number()),
  indices: z.array(z.number().int()),
  indptr: z.array(z.number().int()),
  shape: z.tuple([z.number().int(), z.number().int()]),
});

/** An input example as MLflow saved it (`_Example` in mlflow/models/utils.py), with its params if it has any. */
export type InputExample = { params: Record<string, unknown> | null } & (
  | { type: 'dataframe'; columns: (string | number)[] | null; data: unknown[]; index?: unknown[] }
  | { type: 'ndarray'; value: unknown }
  | { type: 'json_object'; value: Record<string, unknown> }
  | ({ type: 'sparse_matrix_csr' | 'sparse_matrix_csc' } & z.infer<typeof SparseSchema>)
);

/** Read the input example `saved_input_example_info` points to; null when the model was saved without one. */
export function readInputExample(files: ModelFiles, mlmodel: MLmodel = readModelMLmodel(files)): InputExample | null {
  const info = mlmodel.saved_input_example_info;
  if (!info) return null;
  const path = info.artifact_path;
  let raw = json(files, path);
  let params: Record<string, unknown> | null = null;
  // With params MLflow wraps the example: {"inputs": <example>, "params": {...}} (EXAMPLE_DATA_KEY / EXAMPLE_PARAMS_KEY).
  if (info.params && info.params !== 'false') {
    const w = z.object({ inputs: z.unknown(), params: z.record(z.string(), z.unknown()) }).safeParse(raw);
    if (!w.success) throw invalid(`'${path}' should hold {"inputs": …, "params": {…}} as saved_input_example_info.params says`, { path });
    raw = w.data.inputs;
    params = w.data.params;
  }
  const bad = (what: string): never => {
    throw invalid(`'${path}' is not a ${what} input example`, { path, type: info.type });
  };
  switch (info.type) {
    case 'dataframe': {
      if (info.pandas_orient === 'records') {
        if (!Array.isArray(raw)) return bad('records dataframe');
        return { type: 'dataframe', params, columns: null, data: raw };
      }
      if (info.pandas_orient === 'values') return Array.isArray(raw) ? { type: 'dataframe', params, columns: null, data: raw } : bad('values dataframe');
      const r = SplitSchema.safeParse(raw);
      if (!r.success) return bad('split dataframe');
      return { type: 'dataframe', params, columns: r.data.columns ?? null, data: r.data.data, ...(r.data.index ? { index: r.data.index } : {}) };
    }
    case 'ndarray':
      return { type: 'ndarray', params, value: raw };
    case 'json_object':
      return raw && typeof raw === 'object' && !Array.isArray(raw) ? { type: 'json_object', params, value: raw as Record<string, unknown> } : bad('JSON object');
    case 'sparse_matrix_csr':
    case 'sparse_matrix_csc': {
      const r = SparseSchema.safeParse(raw);
      return r.success ? { type: info.type, params, ...r.data } : bad('sparse matrix');
    }
  }
}

/** An input example as the input `enforceInput` takes (what the playground runs). Sparse matrices are not tabular here. */
export function inputExampleAsRaw(example: InputExample): RawInput {
  switch (example.type) {
    case 'dataframe':
      if (example.columns === null && example.data.every((r) => r && typeof r === 'object' && !Array.isArray(r))) return rawInput('dataframe_records', example.data);
      return rawInput('dataframe_split', example.columns === null ? { data: example.data } : { columns: example.columns, data: example.data });
    case 'ndarray':
      return rawInput('inputs', example.value);
    case 'json_object':
      return rawInput('inputs', example.value);
    default:
      throw new CairnError('NOT_IMPLEMENTED', `A ${example.type} input example cannot be run here`);
  }
}

/** The ready-to-send `/invocations` body MLflow saved (`serving_input_example.json`); null when there is none. */
export function readServingInputExample(files: ModelFiles, mlmodel: MLmodel = readModelMLmodel(files)): unknown {
  const path = mlmodel.saved_input_example_info?.serving_input_path;
  if (!path || !files.has(path)) return null;
  return json(files, path);
}

/** `registered_model_meta`: the YAML MLflow writes beside a model downloaded by `models:/` URI. */
export function readRegisteredModelMeta(files: ModelFiles): { model_name: string; model_version: string } | null {
  if (!files.has('registered_model_meta')) return null;
  const r = z
    .object({ model_name: z.string(), model_version: z.union([z.string(), z.number()]).transform(String) })
    .safeParse(parseYaml(text(files, 'registered_model_meta'), PY_YAML_PARSE));
  if (!r.success) throw invalid("'registered_model_meta' should hold model_name and model_version", { path: 'registered_model_meta' });
  return r.data;
}

/** Lowercase hex sha256 (WebCrypto: the same in browsers and Node). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The transport zip of a model directory and its sha256 (same files → same bytes → same sha). */
export async function packModelDir(files: ModelFiles): Promise<{ zip: Uint8Array; sha256: string }> {
  readModelMLmodel(files); // a model archive without a readable MLmodel is not a model
  const zip = writeZip(files);
  return { zip, sha256: await sha256Hex(zip) };
}

/** Unpack a transport zip; with `expectedSha256`, a zip whose sha differs is refused before it is read (DATA_LOSS). */
export async function unpackModelDir(zip: Uint8Array, expectedSha256?: string): Promise<ModelFiles> {
  if (expectedSha256 !== undefined) {
    const sha = await sha256Hex(zip);
    if (sha !== expectedSha256.toLowerCase()) throw new CairnError('DATA_LOSS', `Model archive sha256 ${sha} does not match the expected ${expectedSha256}`);
  }
  const files = readZip(zip);
  readModelMLmodel(files);
  return files;
}

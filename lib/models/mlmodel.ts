/**
 * The `MLmodel` file: read and written as MLflow 3.6 does (mlflow/models/model.py `Model.to_dict` / `to_yaml`, which is
 * `yaml.safe_dump(..., default_flow_style=False)`; lib/models/pyyaml.ts is that reader and writer).
 *
 * Every key is kept, known or not (MODEL-2): the known ones are typed and validated, unknown top-level keys, unknown
 * flavor keys and unknown flavors ride along verbatim. The signature is held typed (lib/models/signature.ts) and
 * written back as the JSON strings MLflow stores. A malformed file is a CairnError naming the field and its line.
 */
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import { CairnError, invalid } from '../domain';
import { protoKeyPath } from './proto-keys';
import { PY_YAML_PARSE, pyYamlDump } from './pyyaml';
import { signatureFromDict, signatureToDict, type Signature } from './signature';

/** The MLflow version whose MLmodel format Cairn writes (`mlflow_version` of a model Cairn creates). */
export const MLFLOW_FORMAT_VERSION = '3.6.0';
export { MLMODEL_FILE_NAME } from './file-names';
/** An MLmodel is a few KB; 4 Mi characters leave room for the largest signatures and still bound the parse work. */
export const MAX_MLMODEL_BYTES = 4 * 1024 * 1024;

/** `str(datetime)` in Python: microseconds only when non-zero. */
const UTC_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{6})?$/;

const EnvSchema = z.union([z.string(), z.looseObject({ conda: z.string().optional(), virtualenv: z.string().optional() })]);
const CodeSchema = z.string().nullish();

/** `python_function`: the flavor every other flavor also writes (mlflow/pyfunc/__init__.py `add_to_model`). */
export const PyFuncFlavorSchema = z.looseObject({
  loader_module: z.string().optional(),
  python_version: z.string().optional(),
  env: EnvSchema.optional(),
  data: z.string().optional(),
  code: CodeSchema,
  model_path: z.string().optional(),
  predict_fn: z.string().optional(),
  streamable: z.boolean().optional(),
  predict_stream_fn: z.string().optional(),
  model_config: z.record(z.string(), z.unknown()).nullish(),
  model_code_path: z.string().nullish(),
  python_model: z.string().optional(),
  cloudpickle_version: z.string().optional(),
});
export const SklearnFlavorSchema = z.looseObject({
  pickled_model: z.string().optional(),
  sklearn_version: z.string().optional(),
  serialization_format: z.string().optional(),
  code: CodeSchema,
});
/** `onnx` (mlflow/onnx.py): `data` is the model file name, `providers` the execution providers it was saved with. */
export const OnnxFlavorSchema = z.looseObject({
  onnx_version: z.string().optional(),
  data: z.string().optional(),
  providers: z.array(z.string()).optional(),
  onnx_session_options: z.record(z.string(), z.unknown()).nullish(),
  code: CodeSchema,
});
export const PytorchFlavorSchema = z.looseObject({
  model_data: z.string().optional(),
  pytorch_version: z.string().optional(),
  code: CodeSchema,
});

const FlavorsSchema = z
  .object({
    python_function: PyFuncFlavorSchema.optional(),
    sklearn: SklearnFlavorSchema.optional(),
    onnx: OnnxFlavorSchema.optional(),
    pytorch: PytorchFlavorSchema.optional(),
  })
  .catchall(z.unknown());

export const INPUT_EXAMPLE_TYPES = ['dataframe', 'ndarray', 'json_object', 'sparse_matrix_csr', 'sparse_matrix_csc'] as const;
export const SavedInputExampleInfoSchema = z.looseObject({
  artifact_path: z.string().min(1),
  type: z.enum(INPUT_EXAMPLE_TYPES),
  pandas_orient: z.enum(['split', 'values', 'records']).optional(),
  serving_input_path: z.string().optional(),
  // MLflow writes the string "true" when the example carries params.
  params: z.union([z.string(), z.boolean()]).nullish(),
});
export type SavedInputExampleInfo = z.infer<typeof SavedInputExampleInfoSchema>;

const RawSignatureSchema = z.looseObject({
  inputs: z.string().nullish(),
  outputs: z.string().nullish(),
  params: z.string().nullish(),
});

/** The top-level keys MLflow 3.6 writes (reference/mlflow.md §5); anything else is kept as it is. */
const MLmodelFileSchema = z.looseObject({
  artifact_path: z.string().nullish(),
  flavors: FlavorsSchema,
  run_id: z.string().nullish(),
  model_uuid: z.string().nullish(),
  model_id: z.string().nullish(),
  utc_time_created: z.string().regex(UTC_TIME, "expected MLflow's 'YYYY-MM-DD HH:MM:SS[.ffffff]'").optional(),
  mlflow_version: z.string().nullish(),
  signature: RawSignatureSchema.nullish(),
  is_signature_from_type_hint: z.boolean().optional(),
  type_hint_from_example: z.boolean().optional(),
  saved_input_example_info: SavedInputExampleInfoSchema.nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  databricks_runtime: z.string().nullish(),
  model_size_bytes: z.number().int().min(0).nullish(),
  resources: z.unknown().optional(),
  auth_policy: z.unknown().optional(),
  env_vars: z.array(z.string()).nullish(),
  prompts: z.array(z.string()).nullish(),
});

type MLmodelFile = z.infer<typeof MLmodelFileSchema>;
/** The known keys of a type with an index signature (Omit would collapse it to the index signature alone). */
type KnownKeys<T> = { [K in keyof T as string extends K ? never : K extends 'signature' ? never : K]: T[K] };
/** A parsed MLmodel: the file's keys, typed where MLflow defines them, with the signature parsed; unknown keys kept. */
export type MLmodel = KnownKeys<MLmodelFile> & { signature?: Signature | null; [key: string]: unknown };

/** Parse an MLmodel YAML text. Throws CairnError('INVALID_PARAMETER_VALUE') naming the field and line. */
export function parseMLmodel(text: string): MLmodel {
  if (text.length > MAX_MLMODEL_BYTES) throw invalid(`Invalid MLmodel: longer than ${MAX_MLMODEL_BYTES} characters`, { field: null, line: null });
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...PY_YAML_PARSE, lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw invalid(`Invalid MLmodel: ${e.message.split('\n')[0]}${line ? ` (line ${line})` : ''}`, { field: null, line: line ?? null });
  }
  let value: unknown;
  try {
    // An unresolved alias or an alias bomb (more than 100 expansions) surfaces here, not in doc.errors.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw invalid(`Invalid MLmodel: ${(e as Error).message}`, { field: null, line: null });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid('Invalid MLmodel: the file must be a YAML mapping', { field: null, line: 1 });
  // The line of the key a path ends at (of the item, for a list index), else of the nearest enclosing node.
  const lineOf = (path: readonly PropertyKey[]): number | null => {
    for (let n = path.length; n > 0; n--) {
      const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1) as unknown[], true);
      const last = path[n - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
        const node = pair && isNode(pair.key) ? pair.key : undefined;
        if (node?.range) return lines.linePos(node.range[0]).line;
      } else if (isSeq(parent) && typeof last === 'number') {
        const node = parent.items[last];
        if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
      }
    }
    return null;
  };
  const proto = protoKeyPath(value);
  if (proto) {
    const field = proto.map(String).join('.');
    const line = lineOf(proto);
    throw invalid(`Invalid MLmodel field '${field}'${line ? ` (line ${line})` : ''}: '__proto__' is reserved and cannot be used as a key`, { field, line });
  }
  const r = MLmodelFileSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(root)';
    const line = lineOf(issue.path);
    throw invalid(`Invalid MLmodel field '${field}'${line ? ` (line ${line})` : ''}: ${issue.message}`, { field, line });
  }
  const { signature, ...rest } = r.data;
  if (signature === undefined || signature === null) return { ...rest, ...(signature === null ? { signature: null } : {}) };
  try {
    return { ...rest, signature: signatureFromDict(signature) };
  } catch (e) {
    if (!(e instanceof CairnError)) throw e;
    const field = String(e.details?.field ?? 'signature');
    const line = lineOf(field.split(/[.[\]]/).filter(Boolean));
    throw invalid(`Invalid MLmodel field '${field}'${line ? ` (line ${line})` : ''}: ${e.message.replace(/^Invalid [^:]*: /, '')}`, { field, line });
  }
}

/** The plain mapping MLflow would dump for this model (signature back to JSON strings, undefined keys left out). */
export function mlmodelToDict(model: MLmodel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(model)) {
    if (v === undefined) continue;
    out[k] = k === 'signature' && v !== null ? signatureToDict(v as Signature) : v;
  }
  return out;
}

/** Write an MLmodel YAML text as MLflow's `Model.save` writes it (MODEL-1). */
export function writeMLmodel(model: MLmodel): string {
  return pyYamlDump(mlmodelToDict(model));
}

/** `str(datetime.now(timezone.utc).replace(tzinfo=None))`: MLflow's `utc_time_created`. */
export function formatUtcTimeCreated(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${date.getUTCFullYear()}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? base : `${base}.${p(ms * 1000, 6)}`;
}

export interface NewMLmodelOptions {
  flavors: Record<string, Record<string, unknown>>;
  runId?: string;
  artifactPath?: string;
  modelId?: string;
  signature?: Signature;
  savedInputExampleInfo?: SavedInputExampleInfo;
  metadata?: Record<string, unknown>;
  modelSizeBytes?: number;
  /** Defaults to now. */
  createdAt?: Date;
  /** Defaults to a fresh uuid4 hex, as MLflow's `Model()` does. */
  modelUuid?: string;
}

/**
 * A new MLmodel with the keys MLflow 3.6's `Model.to_dict` writes for the same inputs: `prompts: null` and
 * `model_id` always, the two type-hint flags when there is a signature, `run_id`/`artifact_path` only when known.
 */
export function newMLmodel(o: NewMLmodelOptions): MLmodel {
  const m: MLmodel = {
    flavors: o.flavors,
    model_uuid: o.modelUuid ?? globalThis.crypto.randomUUID().replace(/-/g, ''),
    model_id: o.modelId ?? null,
    utc_time_created: formatUtcTimeCreated(o.createdAt ?? new Date()),
    mlflow_version: MLFLOW_FORMAT_VERSION,
    prompts: null,
  };
  if (o.runId !== undefined) m.run_id = o.runId;
  if (o.artifactPath !== undefined) m.artifact_path = o.artifactPath;
  if (o.signature) {
    m.signature = o.signature;
    m.is_signature_from_type_hint = false;
    m.type_hint_from_example = false;
  }
  if (o.savedInputExampleInfo) m.saved_input_example_info = o.savedInputExampleInfo;
  if (o.metadata) m.metadata = o.metadata;
  if (o.modelSizeBytes !== undefined) m.model_size_bytes = o.modelSizeBytes;
  return m;
}

/**
 * `Model.get_tags_dict()`: what MLflow records of a logged model in the run's `mlflow.log-model.history` tag —
 * `run_id`, `utc_time_created`, `artifact_path`, `model_uuid` and the flavors (each without its `config` key).
 */
export function mlmodelTagsDict(model: MLmodel): Record<string, unknown> {
  const dict = mlmodelToDict(model);
  const out: Record<string, unknown> = {};
  for (const k of ['run_id', 'utc_time_created', 'artifact_path', 'model_uuid']) if (dict[k] !== undefined) out[k] = dict[k];
  out.flavors = Object.fromEntries(
    Object.entries(model.flavors).map(([name, conf]) => [
      name,
      conf && typeof conf === 'object' && !Array.isArray(conf) ? Object.fromEntries(Object.entries(conf).filter(([k]) => k !== 'config')) : conf,
    ]),
  );
  return out;
}

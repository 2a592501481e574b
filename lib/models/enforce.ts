/**
 * `enforceSchema(body, signature)`: a predict request as MLflow's scoring server takes it, checked against the model's
 * signature and turned into the batch a runner feeds to ONNX — one typed array per column, or one per tensor — plus
 * the params, checked against the params schema. Refusals are CairnError('INVALID_PARAMETER_VALUE') in MLflow's words
 * naming the column and the expected type; a body of the wrong shape is BAD_REQUEST (MODEL-7).
 *
 * The one place Cairn is stricter than MLflow's server: the server casts parsed JSON to the schema's dtypes with
 * pandas/numpy `astype` before enforcing, which silently truncates 1.5 into an int column. Cairn converts a JSON number
 * only where the value survives (int → long/float/double, ints in range for int32, floats that do not overflow
 * float32) and refuses the rest with MLflow's `_enforce_mlflow_datatype` message.
 */
import { enforceColumns, pandasDtype, type ColumnBatch } from './enforce-columns';
import { enforceTensors, flatten, type TensorBatch } from './enforce-tensors';
import { frameFromTensorValues, readServingInput, type RawInput } from './serving-input';
import { enforceParams } from './params';
import type { ColSpec, Schema, Signature, TensorSpec } from './schema-types';

export type Batch = ColumnBatch | TensorBatch;
export interface EnforcedInput {
  batch: Batch;
  /** The params the model gets: each declared param, given or its default; null when the model declares none. */
  params: Record<string, unknown> | null;
  /** Params the request sent that the model does not declare (MLflow ignores them with a warning). */
  ignoredParams: string[];
}

/** Check an `/invocations` JSON body against a signature (null: MLflow enforces nothing; the batch is inferred). */
export function enforceSchema(body: unknown, signature: Signature | null): EnforcedInput {
  const input = readServingInput(body);
  const batch = enforceInput(input.data, signature?.inputs ?? null);
  const { params, ignored } = enforceParams(input.params, signature?.params ?? null);
  return { batch, params, ignoredParams: ignored };
}

/** `_enforce_schema` on already-read input (a serving body's data or an input example). */
export function enforceInput(raw: RawInput, schema: Schema | null): Batch {
  const s = schema ?? inferSchema(raw);
  if (s.kind === 'tensors') return enforceTensors(raw, s.tensors);
  return enforceColumns(raw.kind === 'frame' ? raw : frameFromTensorValues(raw), s.columns);
}

/** What MLflow's `infer_signature` would say of this input, for a model logged without a signature. */
export function inferSchema(raw: RawInput): Schema {
  if (raw.kind === 'frame') {
    const columns: ColSpec[] = raw.columns.map((c, i) => {
      const values = raw.values[i]!;
      const d = pandasDtype(values);
      const type = d === 'int64' ? 'long' : d === 'float64' ? 'double' : d === 'bool' ? 'boolean' : values.every((v) => typeof v === 'string') ? 'string' : null;
      const spec: ColSpec = { type: type ? { kind: 'scalar', type } : { kind: 'any' }, required: true };
      if (typeof c === 'string') spec.name = c;
      return spec;
    });
    // A positional frame has numbered columns; MLflow names none of them.
    if (columns.some((c) => c.name === undefined)) for (const c of columns) delete c.name;
    return { kind: 'columns', columns };
  }
  const spec = (value: unknown, name?: string): TensorSpec => {
    const flat = flatten(value);
    const leaves = flat?.leaves ?? [];
    const dtype = !flat ? 'object'
      : leaves.every((v) => typeof v === 'boolean') ? 'bool'
      : leaves.every((v) => typeof v === 'number') ? (leaves.every(Number.isInteger) ? 'int64' : 'float64')
      : leaves.every((v) => typeof v === 'string') ? 'str' : 'object';
    const shape = flat ? flat.shape : [-1];
    return name === undefined ? { dtype, shape } : { name, dtype, shape };
  };
  if (raw.kind === 'named') return { kind: 'tensors', tensors: Object.entries(raw.values).map(([n, v]) => spec(v, n)) };
  return { kind: 'tensors', tensors: [spec(raw.value)] };
}

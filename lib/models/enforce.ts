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
import { invalid } from '../domain';
import { enforceColumns, enforceValue, pandasDtype, pyTypeName, type ColumnBatch } from './enforce-columns';
import { enforceTensors, flatten, type TensorBatch } from './enforce-tensors';
import { frameFromTensorValues, readServingInput, type RawInput } from './serving-input';
import { typeLabel, type ColSpec, type ParamSpec, type Schema, type Signature, type TensorSpec } from './signature';

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

/** `_enforce_params_schema`: declared params take the request's value (checked) or their default; others are ignored. */
export function enforceParams(
  given: Record<string, unknown> | null,
  specs: ParamSpec[] | null,
): { params: Record<string, unknown> | null; ignored: string[] } {
  const keys = Object.keys(given ?? {});
  if (!specs) return { params: null, ignored: keys };
  const params: Record<string, unknown> = {};
  for (const spec of specs) {
    const has = given !== null && Object.hasOwn(given, spec.name);
    params[spec.name] = has ? enforceParam(given[spec.name], spec) : spec.default;
  }
  return { params, ignored: keys.filter((k) => !specs.some((s) => s.name === k)) };
}

function enforceParam(value: unknown, spec: ParamSpec): unknown {
  const fail = (why: string): never => {
    throw invalid(`Failed to validate type and shape for '${spec.name}': ${typeLabel(spec.type)} (default: ${JSON.stringify(spec.default)}), error: ${why}`, {
      param: spec.name,
      expected: typeLabel(spec.type),
    });
  };
  if (value === null || value === undefined) return null;
  if (spec.shape) {
    const flat = flatten(value);
    if (!Array.isArray(value) || !flat || flat.shape.length !== 1) return fail(`Value must be a 1D array with shape (-1,), received ${pyTypeName(value)}`);
    return value.map((v) => checkParamValue(v, spec, fail));
  }
  return checkParamValue(value, spec, fail);
}

/** `_enforce_param_datatype`: int → long/float/double, long → float/double, float → double; datetimes from ISO text. */
function checkParamValue(v: unknown, spec: ParamSpec, fail: (why: string) => never): unknown {
  const t = spec.type;
  if (t.kind === 'object') {
    try {
      enforceValue(spec.name, v, t, true);
    } catch (e) {
      return fail((e as Error).message);
    }
    return v;
  }
  if (t.kind !== 'scalar') return fail(`unsupported param type ${typeLabel(t)}`);
  if (Array.isArray(v) || pyTypeName(v) === 'dict') return fail(`Value must be a scalar for type \`${t.type}\`, got \`${JSON.stringify(v)}\``);
  const cannot = () => fail(`Can not safely convert \`<class '${pyTypeName(v)}'>\` to \`${t.type}\` for value \`${JSON.stringify(v)}\``);
  switch (t.type) {
    case 'boolean':
      return typeof v === 'boolean' ? v : cannot();
    case 'string':
      return typeof v === 'string' ? v : cannot();
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2147483647 ? v : cannot();
    case 'long':
      return typeof v === 'number' && Number.isSafeInteger(v) ? v : cannot();
    case 'float':
    case 'double':
      return typeof v === 'number' ? v : cannot();
    case 'datetime':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : fail(`Failed to convert value \`${JSON.stringify(v)}\` from type \`<class '${pyTypeName(v)}'>\` to \`datetime\``);
    case 'binary':
      return fail('Binary type is not supported for parameters');
  }
}

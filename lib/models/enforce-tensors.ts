/**
 * Tensor-based signatures: MLflow's `_enforce_tensor_schema` / `_enforce_tensor_spec` /
 * `_reshape_and_cast_pandas_column_values`, for nested JSON lists. Shapes are checked against the spec (-1 matches any
 * size); values are converted to the spec's dtype only where no value changes meaning — MLflow's server casts with
 * `np.array(x, dtype)`, which would truncate 1.5 to 1 for an int32 tensor; Cairn refuses that (MODEL-9).
 */
import { CairnError, invalid } from '../domain';
import type { RawInput } from './serving-input';
import { pyList, type TensorSpec } from './schema-types';
import { fitsDtype, isIntegerDtype, isNumericDtype, toTypedArray, type TypedData } from './tensor-data';

export interface BatchTensor {
  name: string | null;
  dtype: string;
  shape: number[];
  /** Row-major values: a typed array for numeric and bool (0/1 in a Uint8Array) dtypes, strings for `str`. */
  data: TypedData | string[] | unknown[];
}
export interface TensorBatch {
  kind: 'tensors';
  tensors: BatchTensor[];
  /** Named inputs the signature does not declare (ignored, as MLflow ignores them). */
  ignored: string[];
}

/** numpy's repr of a shape tuple: `(2,)`, `(-1, 4)`, `()`. */
export const pyShape = (s: readonly number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);

/** A nested list's shape and row-major leaves, or null when it is ragged (numpy would make an object array). */
export function flatten(value: unknown): { shape: number[]; leaves: unknown[] } | null {
  // The shape the first elements imply; then one walk checks every element against it while collecting leaves.
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const leaves: unknown[] = [];
  const walk = (node: unknown, depth: number): boolean => {
    if (depth === shape.length) {
      if (Array.isArray(node)) return false;
      leaves.push(node);
      return true;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) return false;
    for (const x of node) if (!walk(x, depth + 1)) return false;
    return true;
  };
  return walk(value, 0) ? { shape, leaves } : null;
}

/** The dtype numpy infers for JSON leaves. */
function numpyDtype(leaves: readonly unknown[]): string {
  if (leaves.every((v) => typeof v === 'boolean')) return 'bool';
  if (leaves.every((v) => typeof v === 'number')) return leaves.every((v) => Number.isInteger(v)) ? 'int64' : 'float64';
  if (leaves.every((v) => typeof v === 'string')) return 'str';
  return 'object';
}

const label = (name: string | null) => (name === null ? 'the unnamed input' : `input ${name}`);

/** Cast checked leaves to the spec's dtype. */
function castLeaves(leaves: unknown[], spec: TensorSpec, name: string | null): BatchTensor['data'] {
  const actual = numpyDtype(leaves);
  const refuse = (): never => {
    throw invalid(`Incompatible input types for ${label(name)}. Can not safely convert ${actual} to ${spec.dtype}.`, { input: name, expected: spec.dtype });
  };
  const d = spec.dtype;
  if (d === 'object') return leaves;
  if (d === 'bool') return actual === 'bool' ? Uint8Array.from(leaves as boolean[], (b) => (b ? 1 : 0)) : refuse();
  if (d === 'str') return actual === 'str' ? (leaves as string[]) : refuse();
  if (isNumericDtype(d)) {
    if (actual !== 'int64' && actual !== 'float64') return refuse();
    if (actual === 'float64' && isIntegerDtype(d)) return refuse();
    if (!(leaves as number[]).every((v) => fitsDtype(v, d))) return refuse();
    return toTypedArray(leaves as number[], d);
  }
  throw new CairnError('INVALID_PARAMETER_VALUE', `Tensors of dtype ${d} cannot be given as JSON here (${label(name)})`, { input: name, expected: d });
}

/** `_enforce_tensor_spec` on a JSON value. */
export function enforceTensor(value: unknown, spec: TensorSpec, name: string | null): BatchTensor {
  const flat = flatten(value);
  if (flat === null) {
    // numpy makes a ragged list an object array: only an object tensor of shape (-1,) takes it as it is.
    if (spec.dtype === 'object' && spec.shape.length === 1 && spec.shape[0] === -1 && Array.isArray(value)) {
      return { name, dtype: spec.dtype, shape: [value.length], data: value };
    }
    throw invalid(`dtype of input object does not match expected dtype ${spec.dtype} (${label(name)} is a ragged list)`, { input: name, expected: spec.dtype });
  }
  const ok = flat.shape.length === spec.shape.length && spec.shape.every((d, i) => d === -1 || d === flat.shape[i]);
  if (!ok) throw invalid(`Shape of input ${pyShape(flat.shape)} does not match expected shape ${pyShape(spec.shape)}.`, { input: name, expected: pyShape(spec.shape) });
  return { name, dtype: spec.dtype, shape: flat.shape, data: castLeaves(flat.leaves, spec, name) };
}

/** `_reshape_and_cast_pandas_column_values`: a frame column (scalars, or lists per row) as a tensor. */
export function tensorFromColumn(name: string | null, values: unknown[], spec: TensorSpec): BatchTensor {
  if (spec.shape[0] !== -1 || spec.shape.slice(1).includes(-1)) {
    throw invalid(
      `For pandas dataframe input, the first dimension of shape must be a variable dimension and other dimensions must be fixed, but in model signature the shape of ${label(name)} is ${pyShape(spec.shape)}.`,
    );
  }
  const rowShape = spec.shape.slice(1);
  if (!Array.isArray(values[0])) {
    if (rowShape.length > 1 || (rowShape.length === 1 && rowShape[0] !== 1)) {
      throw invalid(`The input pandas dataframe column '${name}' contains scalar values, which requires the shape to be (-1,) or (-1, 1), but got tensor spec shape of ${pyShape(spec.shape)}.`);
    }
    return enforceTensor(rowShape.length ? values.map((v) => [v]) : values, spec, name);
  }
  const perRow = rowShape.reduce((a, b) => a * b, 1);
  const rows = values.map((v) => flatten(v));
  if (rows.some((r) => r === null || r.leaves.length !== perRow)) {
    throw invalid(
      `The value in the Input DataFrame column '${name}' could not be converted to the expected shape of: '${pyShape(spec.shape)}'. Ensure that each of the input list elements are of uniform length and that the data can be coerced to the tensor type '${spec.dtype}'`,
    );
  }
  const leaves = rows.flatMap((r) => r!.leaves);
  return { name, dtype: spec.dtype, shape: [values.length, ...rowShape], data: castLeaves(leaves, spec, name) };
}

/** Check raw input against a tensor-based schema (MODEL-9). */
export function enforceTensors(raw: RawInput, tensors: TensorSpec[]): TensorBatch {
  const named = tensors[0]?.name !== undefined;
  const requireAll = (have: readonly string[]) => {
    const missing = tensors.map((t) => t.name!).filter((n) => !have.includes(n));
    const extra = have.filter((h) => !tensors.some((t) => t.name === h));
    if (missing.length) throw invalid(`Model is missing inputs ${pyList(missing)}.${extra.length ? ` Note that there were extra inputs: ${pyList(extra)}` : ''}`, { missing });
    return extra;
  };
  if (raw.kind === 'frame') {
    if (named) {
      const cols = raw.columns.map(String);
      const ignored = requireAll(cols);
      return { kind: 'tensors', ignored, tensors: tensors.map((t) => tensorFromColumn(t.name!, raw.values[cols.indexOf(t.name!)]!, t)) };
    }
    const spec = tensors[0]!;
    if (raw.rows === 0) throw invalid('Input DataFrame is empty.');
    if (raw.columns.length === 1) return { kind: 'tensors', ignored: [], tensors: [tensorFromColumn(null, raw.values[0]!, spec)] };
    if (!(spec.shape.length === 2 && spec.shape[0] === -1 && spec.shape[1] === raw.columns.length)) {
      throw invalid(
        `This model contains a model signature with an unnamed input. Since the input data is a pandas DataFrame containing multiple columns, the input shape must be of the structure (-1, number_of_dataframe_columns). Instead, the input DataFrame passed had ${raw.columns.length} columns and an input shape of ${pyShape(spec.shape)} with all values within the DataFrame of scalar type. Please adjust the passed in DataFrame to match the expected structure`,
      );
    }
    const matrix = Array.from({ length: raw.rows }, (_, r) => raw.values.map((col) => col[r]));
    return { kind: 'tensors', ignored: [], tensors: [enforceTensor(matrix, spec, null)] };
  }
  if (raw.kind === 'named') {
    if (!named) {
      throw invalid(
        'This model contains a tensor-based model signature with no input names, which suggests a numpy array input or a pandas dataframe input with proper column values, but an input of type dict was found.',
      );
    }
    const ignored = requireAll(Object.keys(raw.values));
    return { kind: 'tensors', ignored, tensors: tensors.map((t) => enforceTensor(raw.values[t.name!], t, t.name!)) };
  }
  if (named && tensors.length > 1) {
    throw invalid(
      'This model contains a tensor-based model signature with input names, which suggests a dictionary input mapping input name to tensor, but an input of type list was found.',
    );
  }
  return { kind: 'tensors', ignored: [], tensors: [enforceTensor(raw.value, tensors[0]!, tensors[0]!.name ?? null)] };
}

/**
 * The typed shapes of an MLflow signature (mlflow/types/schema.py) and how MLflow names them in messages. A leaf
 * module: the JSON reader (signature.ts) and the enforcers both build on it.
 */

/** MLflow's scalar column types and the numpy dtype each one means (DataType in mlflow/types/schema.py). */
export const DATA_TYPES = ['boolean', 'integer', 'long', 'float', 'double', 'string', 'binary', 'datetime'] as const;
export type DataType = (typeof DATA_TYPES)[number];
export const NUMPY_NAME: Record<DataType, string> = {
  boolean: 'bool',
  integer: 'int32',
  long: 'int64',
  float: 'float32',
  double: 'float64',
  string: 'str',
  binary: 'bytes',
  datetime: 'datetime64[ns]',
};

/** A column's type: a scalar, or one of the compound types MLflow 2.10+ writes (array, object, map, any). */
export type ColType =
  | { kind: 'scalar'; type: DataType }
  | { kind: 'array'; items: ColType }
  | { kind: 'object'; properties: Property[] }
  | { kind: 'map'; values: ColType }
  | { kind: 'any' }
  | { kind: 'sparkml_vector' };
/** One property of an object type. MLflow keeps them sorted by name; so do we. */
export interface Property {
  name: string;
  type: ColType;
  required: boolean;
}
export interface ColSpec {
  name?: string;
  type: ColType;
  required: boolean;
}
/** A tensor: a numpy dtype name (`float32`, `int64`, `bool`, `str`, `object`, …) and a shape with -1 for "any". */
export interface TensorSpec {
  name?: string;
  dtype: string;
  shape: number[];
}
export type Schema = { kind: 'columns'; columns: ColSpec[] } | { kind: 'tensors'; tensors: TensorSpec[] };
/** A params entry. `type` is a scalar type (never binary) or an object type; `shape` is null or [-1]. */
export interface ParamSpec {
  name: string;
  type: ColType;
  default: unknown;
  shape: number[] | null;
}
export interface Signature {
  inputs: Schema | null;
  outputs: Schema | null;
  params: ParamSpec[] | null;
}

/** The numpy dtype names a tensor spec may carry (TensorInfo accepts any numpy dtype; these are the ones that occur). */
export const TENSOR_DTYPES = [
  'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16', 'float32', 'float64',
  'str', 'bytes', 'object', 'datetime64[ns]',
] as const;

/** Python's repr of a list of strings, as MLflow's messages quote column names: `['a', 'b']`. */
export function pyList(items: readonly (string | number)[]): string {
  return `[${items.map((s) => (typeof s === 'number' ? String(s) : `'${s}'`)).join(', ')}]`;
}

/** How MLflow names a type in messages (`repr`): `double`, `Array(double)`, `Map(str -> long)`, `Any`, `{a: long (required)}`. */
export function typeLabel(t: ColType): string {
  switch (t.kind) {
    case 'scalar':
      return t.type;
    case 'array':
      return `Array(${typeLabel(t.items)})`;
    case 'map':
      return `Map(str -> ${typeLabel(t.values)})`;
    case 'any':
      return 'Any';
    case 'sparkml_vector':
      return 'SparkML vector';
    case 'object':
      return `{${t.properties.map((p) => `${p.name}: ${typeLabel(p.type)} (${p.required ? 'required' : 'optional'})`).join(', ')}}`;
  }
}

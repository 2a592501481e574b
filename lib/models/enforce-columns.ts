/**
 * Column-based signatures on a frame: MLflow's `_enforce_named_col_schema` / `_enforce_unnamed_col_schema` and
 * `_enforce_mlflow_datatype` / `_enforce_type`, for columns of JSON values. A column's JSON values are first given
 * the dtype pandas would infer (int64, float64, bool, object), then converted only where no value changes meaning
 * (MODEL-8). The result is one typed array per column, ready for a runner.
 */
import { invalid } from '../domain';
import type { Frame } from './serving-input';
import { NUMPY_NAME, pyList, typeLabel, type ColSpec, type ColType, type DataType, type Property } from './schema-types';
import { fitsDtype, toTypedArray, type TypedData } from './tensor-data';

/** One column of a batch: the typed array of its scalar type, or JSON values for compound types. */
export type ColumnData = TypedData | (string | null)[] | (Uint8Array | null)[] | unknown[];
export interface BatchColumn {
  /** The signature's name, or the position for an unnamed signature. */
  name: string | number;
  type: ColType;
  data: ColumnData;
}
export interface ColumnBatch {
  kind: 'columns';
  rows: number;
  columns: BatchColumn[];
  /** Input columns the signature does not declare: MLflow ignores them with a warning. */
  ignored: (string | number)[];
}

type PandasDtype = 'int64' | 'float64' | 'bool' | 'object';

/** The dtype pandas gives a column of JSON values (None among ints makes float64, among bools object). */
export function pandasDtype(values: readonly unknown[]): PandasDtype {
  let ints = 0, floats = 0, bools = 0, nulls = 0, other = 0;
  for (const v of values) {
    if (v === null || v === undefined) nulls++;
    else if (typeof v === 'number' && Number.isInteger(v)) ints++;
    else if (typeof v === 'number') floats++;
    else if (typeof v === 'boolean') bools++;
    else other++;
  }
  if (other === 0 && bools === 0 && ints + floats > 0) return floats > 0 || nulls > 0 ? 'float64' : 'int64';
  if (other === 0 && ints + floats === 0 && nulls === 0 && bools > 0) return 'bool';
  return 'object';
}

const MISSING_VALUES_HINT =
  ' Hint: the type mismatch is likely caused by missing values. Integer columns in python can not represent missing values and are therefore encoded as floats. The best way to avoid this problem is to infer the model schema based on a realistic data sample (training dataset) that includes missing values. Alternatively, you can declare integer columns as doubles (float64) whenever these columns may have missing values.';

function incompatible(name: string | number, from: string, to: string, hint = ''): never {
  throw invalid(`Incompatible input types for column ${name}. Can not safely convert ${from} to ${to}.${hint}`, { column: name, expected: to });
}

/** `_enforce_mlflow_datatype` for one scalar column of JSON values. */
export function enforceScalarColumn(name: string | number, values: readonly unknown[], t: DataType): ColumnData {
  const actual = pandasDtype(values);
  const to = NUMPY_NAME[t];
  const isNull = (v: unknown) => v === null || v === undefined;
  switch (t) {
    case 'string':
      if (values.every((v) => isNull(v) || typeof v === 'string')) return values.map((v) => (isNull(v) ? null : (v as string)));
      return incompatible(name, actual, to);
    case 'boolean':
      if (actual === 'bool') return Uint8Array.from(values as boolean[], (b) => (b ? 1 : 0));
      return incompatible(name, actual, to);
    case 'integer':
    case 'long': {
      const dtype = t === 'integer' ? 'int32' : 'int64';
      if (actual === 'int64') {
        if ((values as number[]).every((v) => fitsDtype(v, dtype))) return toTypedArray(values as number[], dtype);
        return incompatible(name, 'int64', to);
      }
      const allInts = values.every((v) => isNull(v) || (typeof v === 'number' && Number.isInteger(v)));
      return incompatible(name, actual, to, actual === 'float64' && allInts ? MISSING_VALUES_HINT : '');
    }
    case 'float':
    case 'double': {
      const dtype = t === 'float' ? 'float32' : 'float64';
      if (actual !== 'int64' && actual !== 'float64') return incompatible(name, actual, to);
      const nums = values.map((v) => (isNull(v) ? NaN : (v as number)));
      if (!nums.every((v) => fitsDtype(v, dtype))) return incompatible(name, actual, to);
      return toTypedArray(nums, dtype);
    }
    case 'binary':
      // The scoring server takes binary columns base64-encoded (proto_json_utils cast_df_types_according_to_schema).
      return values.map((v) => (isNull(v) ? null : decodeBase64(name, v)));
    case 'datetime':
      return Float64Array.from(values, (v) => (isNull(v) ? NaN : parseDatetime(name, v)));
  }
}

function decodeBase64(name: string | number, v: unknown): Uint8Array {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v.replace(/\s+/g, '')) || v.replace(/\s+/g, '').length % 4 === 1) {
    throw invalid(`Failed to convert column ${name} to type 'binary': expected base64 text, got ${pyTypeName(v)}`, { column: name, expected: 'binary' });
  }
  const bin = atob(v.replace(/\s+/g, ''));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** A datetime value (ISO text, as MLflow's JSON writes it; no zone means UTC, as numpy's datetime64) → epoch ms. */
function parseDatetime(name: string | number, v: unknown): number {
  let ms = NaN;
  if (typeof v === 'string') {
    const iso = v.trim().replace(' ', 'T');
    const hasZone = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(iso);
    ms = Date.parse(iso.includes('T') && !hasZone ? `${iso}Z` : iso);
  }
  if (Number.isNaN(ms)) throw invalid(`Failed to convert column ${name} from type ${pyTypeName(v)} to datetime.`, { column: name, expected: 'datetime' });
  return ms;
}

/** Python's type name of a JSON value, as MLflow's messages print it. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** `_enforce_type` for one JSON value of a compound (or nested scalar) type; returns the value as the runner gets it. */
export function enforceValue(column: string | number, v: unknown, t: ColType, required: boolean, path = ''): unknown {
  const fail = (why: string): never => {
    throw invalid(`Incompatible input types for column ${column}${path}. Expected ${typeLabel(t)}, ${why}.`, { column, expected: typeLabel(t) });
  };
  if (v === null || v === undefined) {
    if (!required || t.kind === 'any') return null;
    return fail('got None');
  }
  switch (t.kind) {
    case 'any':
      return v;
    case 'scalar':
      return enforceScalarValue(v, t.type, fail);
    case 'array':
    case 'sparkml_vector':
      if (!Array.isArray(v)) return fail(`got ${pyTypeName(v)}`);
      return v.map((item, i) => enforceValue(column, item, t.kind === 'array' ? t.items : { kind: 'scalar', type: 'double' }, true, `${path}[${i}]`));
    case 'map': {
      if (pyTypeName(v) !== 'dict') return fail(`got ${pyTypeName(v)}`);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) out[k] = enforceValue(column, item, t.values, true, `${path}.${k}`);
      return out;
    }
    case 'object':
      if (pyTypeName(v) !== 'dict') return fail(`got ${pyTypeName(v)}`);
      return enforceObject(column, v as Record<string, unknown>, t.properties, path, fail);
  }
}

function enforceObject(column: string | number, v: Record<string, unknown>, props: Property[], path: string, fail: (why: string) => never): Record<string, unknown> {
  const known = new Set(props.map((p) => p.name));
  const extra = Object.keys(v).filter((k) => !known.has(k));
  if (extra.length) fail(`got properties not defined in the schema: ${pyList(extra)}`);
  const missing = props.filter((p) => p.required && (v[p.name] === undefined || v[p.name] === null)).map((p) => p.name);
  if (missing.length) fail(`missing required properties ${pyList(missing)}`);
  const out: Record<string, unknown> = {};
  for (const p of props) if (Object.hasOwn(v, p.name)) out[p.name] = enforceValue(column, v[p.name], p.type, p.required, `${path}.${p.name}`);
  return out;
}

function enforceScalarValue(v: unknown, t: DataType, fail: (why: string) => never): unknown {
  const got = `got ${pyTypeName(v)} ${JSON.stringify(v)}`;
  switch (t) {
    case 'boolean':
      return typeof v === 'boolean' ? v : fail(got);
    case 'integer':
    case 'long':
      return typeof v === 'number' && fitsDtype(v, t === 'integer' ? 'int32' : 'int64') ? v : fail(got);
    case 'float':
    case 'double':
      return typeof v === 'number' && fitsDtype(v, t === 'float' ? 'float32' : 'float64') ? v : fail(got);
    case 'string':
    case 'binary':
      return typeof v === 'string' ? v : fail(got);
    case 'datetime':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : fail(got);
  }
}

/** Check a frame against a column-based schema and convert its columns (MODEL-8). */
export function enforceColumns(frame: Frame, columns: ColSpec[]): ColumnBatch {
  const named = columns[0]?.name !== undefined;
  const enforceOne = (spec: ColSpec, label: string | number, values: unknown[]): BatchColumn => ({
    name: label,
    type: spec.type,
    data:
      spec.type.kind === 'scalar'
        ? enforceScalarColumn(label, values, spec.type.type)
        : values.map((v) => enforceValue(label, v, spec.type, spec.required)),
  });
  if (!named) {
    if (frame.columns.length < columns.length) {
      throw invalid(
        `Model inference is missing inputs. The model signature declares ${columns.length} inputs  but the provided value only has ${frame.columns.length} inputs. Note: the inputs were not named in the signature so we can only verify their count.`,
      );
    }
    return {
      kind: 'columns',
      rows: frame.rows,
      columns: columns.map((spec, i) => enforceOne(spec, i, frame.values[i]!)),
      ignored: frame.columns.slice(columns.length),
    };
  }
  const names = columns.map((c) => c.name as string);
  const present = new Set(frame.columns.map(String));
  const missing = columns.filter((c) => c.required && !present.has(c.name!)).map((c) => c.name!);
  const ignored = frame.columns.filter((c) => !names.includes(String(c)));
  if (missing.length) {
    throw invalid(`Model is missing inputs ${pyList(missing)}.${ignored.length ? ` Note that there were extra inputs: ${pyList(ignored)}` : ''}`, { missing });
  }
  const out: BatchColumn[] = [];
  for (const spec of columns) {
    const at = frame.columns.findIndex((c) => String(c) === spec.name);
    // A missing optional column is left out, as MLflow leaves it out of the frame it passes on.
    if (at >= 0) out.push(enforceOne(spec, spec.name!, frame.values[at]!));
  }
  return { kind: 'columns', rows: frame.rows, columns: out, ignored };
}

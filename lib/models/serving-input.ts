/**
 * The JSON body of MLflow's `/invocations` (mlflow/pyfunc/scoring_server `_parse_json_data` and
 * mlflow/utils/proto_json_utils `parse_tf_serving_input`): exactly one of `dataframe_split`, `dataframe_records`,
 * `inputs`, `instances`, plus an optional `params`. `readServingInput` turns it into one of two neutral shapes the
 * enforcer works on — a frame (named or positional columns, as pandas would build it) or tensor values (one unnamed
 * value, or values by name) — and refuses what MLflow refuses, with MLflow's words (MODEL-7).
 */
import { CairnError, safeRecord } from '../domain';

export const SERVING_FORMATS = ['dataframe_split', 'dataframe_records', 'inputs', 'instances'] as const;
export type ServingFormat = (typeof SERVING_FORMATS)[number];

/** A table as pandas builds it from JSON: columns in order, each a list of JSON values, all of `rows` length. */
export interface Frame {
  kind: 'frame';
  /** Column labels; numbers when the body gave none (pandas' RangeIndex). */
  columns: (string | number)[];
  values: unknown[][];
  rows: number;
}
/** TF-serving values: one unnamed value (a nested list or a scalar) or values by input name. */
export type TensorValues = { kind: 'tensor'; value: unknown } | { kind: 'named'; values: Record<string, unknown> };
export type RawInput = Frame | TensorValues;

export interface ServingInput {
  format: ServingFormat;
  data: RawInput;
  params: Record<string, unknown> | null;
}

const REQUIRED_INPUT_FORMAT =
  "The input must be a JSON dictionary with exactly one of the input fields {'dataframe_records', 'dataframe_split', 'instances', 'inputs'}";
const SCORING_PROTOCOL_CHANGE_INFO =
  'IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2.0. If you are seeing this error, you are likely using an outdated scoring request format.';

/** The keys `safeRecord` drops (lib/domain): never column names. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const bad = (message: string) => new CairnError('BAD_REQUEST', message);
const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Read an `/invocations` JSON body (already JSON-parsed). BAD_REQUEST when it is not one of MLflow's shapes. */
export function readServingInput(body: unknown): ServingInput {
  if (Array.isArray(body)) throw bad(`${REQUIRED_INPUT_FORMAT}. Received a list.`);
  if (!isRecord(body)) throw bad(`${REQUIRED_INPUT_FORMAT}. Received unexpected input type '${body === null ? 'NoneType' : typeof body}'.`);
  const keys = Object.keys(body);
  const formats = keys.filter((k): k is ServingFormat => (SERVING_FORMATS as readonly string[]).includes(k));
  if (formats.length !== 1) {
    throw bad(`${REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: [${keys.map((k) => `'${k}'`).join(', ')}]. ${SCORING_PROTOCOL_CHANGE_INFO}`);
  }
  const format = formats[0]!;
  const p = body.params;
  if (p !== undefined && p !== null && !isRecord(p)) throw new CairnError('INVALID_PARAMETER_VALUE', "Invalid input. 'params' must be a JSON object");
  return { format, data: rawInput(format, body[format]), params: p ? safeRecord(p) : null };
}

/** One format's value → a frame or tensor values. Also used for input examples (lib/models/model-dir.ts). */
export function rawInput(format: ServingFormat, value: unknown): RawInput {
  switch (format) {
    case 'dataframe_split':
      return frameFromSplit(value);
    case 'dataframe_records':
      return frameFromRecords(value);
    case 'instances':
      // TF serving's row format: a list of records becomes one list per key (proto_json_utils).
      if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
        const names = unionKeys(value);
        return { kind: 'named', values: Object.fromEntries(names.map((n) => [n, value.map((r) => (Object.hasOwn(r, n) ? r[n] : null))])) };
      }
      return tensorValues(value);
    case 'inputs':
      return tensorValues(value);
  }
}

function tensorValues(value: unknown): TensorValues {
  if (isRecord(value)) return { kind: 'named', values: safeRecord(value) };
  return { kind: 'tensor', value };
}

function frameFromSplit(value: unknown): Frame {
  if (!isRecord(value) || !Array.isArray(value.data)) throw bad("Invalid input. 'dataframe_split' must be an object with a 'data' list (and optional 'columns', 'index')");
  const data = value.data.map((row) => (Array.isArray(row) ? row : [row]));
  const width = Array.isArray(value.columns) ? value.columns.length : Math.max(0, ...data.map((r) => r.length));
  const columns: (string | number)[] = Array.isArray(value.columns)
    ? value.columns.map((c) => (typeof c === 'number' ? c : String(c)))
    : Array.from({ length: width }, (_, i) => i);
  for (const [i, row] of data.entries()) {
    if (row.length !== width) throw bad(`Invalid input. 'dataframe_split' row ${i} has ${row.length} values but there are ${width} columns`);
  }
  return { kind: 'frame', columns, values: columns.map((_, c) => data.map((row) => row[c])), rows: data.length };
}

function frameFromRecords(value: unknown): Frame {
  if (!Array.isArray(value) || !value.every(isRecord)) throw bad("Invalid input. 'dataframe_records' must be a list of objects");
  const columns = unionKeys(value);
  // A key a record leaves out is NaN/None in pandas: null here.
  return { kind: 'frame', columns, values: columns.map((c) => value.map((r) => (Object.hasOwn(r, c) ? r[c] : null))), rows: value.length };
}

/** Keys of a list of records in first-seen order, prototype keys dropped (STYLE habit 2). */
function unionKeys(records: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) if (!UNSAFE_KEYS.has(k)) seen.add(k);
  return [...seen];
}

/**
 * The frame pandas makes of a dict of column values or a list of rows (`pd.DataFrame(x)` in `_enforce_schema` for
 * column-based signatures): lists become columns, scalars a one-row frame; a list of lists is rows of positional
 * columns, a list of scalars one positional column.
 */
export function frameFromTensorValues(input: TensorValues): Frame {
  if (input.kind === 'named') {
    const names = Object.keys(input.values);
    const cols = names.map((n) => input.values[n]);
    const allScalar = cols.every((c) => !Array.isArray(c));
    const values = allScalar ? cols.map((c) => [c]) : cols.map((c) => (Array.isArray(c) ? c : [c]));
    const rows = Math.max(0, ...values.map((v) => v.length));
    for (const [i, v] of values.entries()) {
      if (v.length !== rows) throw new CairnError('INVALID_PARAMETER_VALUE', `Invalid input. Column '${names[i]}' has ${v.length} values but others have ${rows} (All arrays must be of the same length)`);
    }
    return { kind: 'frame', columns: names, values, rows };
  }
  const v = input.value;
  if (!Array.isArray(v)) return { kind: 'frame', columns: [0], values: [[v]], rows: 1 };
  if (v.length > 0 && v.every(isRecord)) return frameFromRecords(v);
  if (v.every((r) => !Array.isArray(r))) return { kind: 'frame', columns: [0], values: [v], rows: v.length };
  return frameFromSplit({ data: v });
}

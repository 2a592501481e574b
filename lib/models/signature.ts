/**
 * Model signatures as MLflow writes them (mlflow/types/schema.py): a column-based or tensor-based input schema, an
 * output schema and a params schema, each stored in the MLmodel YAML as a JSON *string*. `parseSchemaJson` and
 * `schemaToJson` read and write those strings exactly (key order and separators as Python's `json.dumps` writes
 * `Schema.to_dict()`), so an MLflow-written signature survives a Cairn round trip byte for byte (MODEL-3).
 */
import { z } from 'zod';
import { invalid } from '../domain';
import { protoKeyPath } from './proto-keys';
import { parsePyJson, pyJsonDumps } from './py-json';
import { enforceParam } from './params';
import { DATA_TYPES, pyList, type ColSpec, type ColType, type DataType, type ParamSpec, type Schema, type Signature, type TensorSpec } from './schema-types';

export * from './schema-types';

// ---- JSON shapes (what MLflow's to_dict writes), validated with zod ----

type JsonType = { type: string; items?: JsonType; values?: JsonType; properties?: Record<string, JsonType & { required?: boolean | null }> };
const JsonTypeSchema: z.ZodType<JsonType> = z.lazy(() =>
  z.looseObject({
    type: z.string(),
    items: JsonTypeSchema.optional(),
    values: JsonTypeSchema.optional(),
    properties: z.record(z.string(), z.lazy(() => JsonTypeSchema.and(z.looseObject({ required: z.boolean().nullish() })))).optional(),
  }),
);
const TensorJsonSchema = z.object({
  type: z.literal('tensor'),
  name: z.string().nullish(),
  'tensor-spec': z.object({ dtype: z.string().min(1), shape: z.array(z.number().int().min(-1)) }),
});
const ColJsonSchema = z.looseObject({ type: z.string(), name: z.string().nullish(), required: z.boolean().nullish() });
const ParamJsonSchema = z.looseObject({
  name: z.union([z.string(), z.number()]),
  type: z.string().optional(),
  dtype: z.string().optional(),
  default: z.unknown(),
  shape: z.array(z.number().int()).nullish(),
});

function fail(field: string, message: string): never {
  throw invalid(`Invalid ${field}: ${message}`, { field });
}

function readType(j: JsonType, field: string): ColType {
  switch (j.type) {
    case 'array':
      if (!j.items) fail(field, "Missing keys in Array JSON. Expected to find keys `items` and `type`");
      return { kind: 'array', items: readType(j.items, `${field}.items`) };
    case 'map':
      if (!j.values) fail(field, "Missing keys in Map JSON. Expected to find keys `values` and `type`");
      return { kind: 'map', values: readType(j.values, `${field}.values`) };
    case 'object': {
      if (!j.properties) fail(field, "Missing keys in Object JSON. Expected to find keys `properties` and `type`");
      const props = Object.entries(j.properties).map(([name, p]) => ({
        name,
        type: readType(p, `${field}.properties.${name}`),
        required: p.required ?? true,
      }));
      if (props.length === 0) fail(field, 'Creating Object with empty properties is not allowed.');
      return { kind: 'object', properties: props.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
    }
    case 'any':
      return { kind: 'any' };
    case 'sparkml_vector':
      return { kind: 'sparkml_vector' };
    default:
      if ((DATA_TYPES as readonly string[]).includes(j.type)) return { kind: 'scalar', type: j.type as DataType };
      return fail(field, `Unsupported type '${j.type}', expected one of ${pyList(DATA_TYPES)} or array, object, map, any`);
  }
}

function writeType(t: ColType): Record<string, unknown> {
  switch (t.kind) {
    case 'scalar':
      return { type: t.type };
    case 'array':
      return { type: 'array', items: writeType(t.items) };
    case 'map':
      return { type: 'map', values: writeType(t.values) };
    case 'object':
      return {
        type: 'object',
        properties: Object.fromEntries(t.properties.map((p) => [p.name, { ...writeType(p.type), required: p.required }])),
      };
    case 'any':
      return { type: 'any' };
    case 'sparkml_vector':
      return { type: 'sparkml_vector' };
  }
}

/** A schema from its MLflow JSON (a list of column or tensor specs), checked as MLflow's Schema() checks it. */
export function schemaFromJson(value: unknown, field: string): Schema {
  if (!Array.isArray(value)) fail(field, 'a schema must be a JSON list');
  if (value.length === 0) fail(field, 'Creating Schema with empty inputs is not allowed.');
  const isTensor = (v: unknown) => !!v && typeof v === 'object' && (v as { type?: unknown }).type === 'tensor';
  const tensors = value.filter(isTensor).length;
  if (tensors !== 0 && tensors !== value.length) fail(field, 'Creating Schema with a combination of ColSpec and TensorSpec is not supported.');
  let schema: Schema;
  if (tensors) {
    schema = {
      kind: 'tensors',
      tensors: value.map((v, i) => {
        const r = TensorJsonSchema.safeParse(v);
        if (!r.success) fail(`${field}[${i}]`, r.error.issues[0]?.message ?? 'bad tensor spec');
        const spec: TensorSpec = { dtype: r.data['tensor-spec'].dtype, shape: r.data['tensor-spec'].shape };
        if (r.data.name != null) spec.name = r.data.name;
        return spec;
      }),
    };
    if (schema.tensors.length > 1 && schema.tensors.some((t) => t.name === undefined)) {
      fail(field, 'Creating Schema with multiple unnamed TensorSpecs is not supported. Please provide names for each TensorSpec.');
    }
  } else {
    schema = {
      kind: 'columns',
      columns: value.map((v, i) => {
        const r = ColJsonSchema.safeParse(v);
        if (!r.success) fail(`${field}[${i}]`, 'Missing keys in ColSpec JSON. Expected to find key `type`');
        const t = JsonTypeSchema.safeParse(v);
        if (!t.success) fail(`${field}[${i}]`, t.error.issues[0]?.message ?? 'bad column type');
        const spec: ColSpec = { type: readType(t.data, `${field}[${i}]`), required: r.data.required ?? true };
        if (r.data.name != null) spec.name = r.data.name;
        return spec;
      }),
    };
    if (schema.columns.every((c) => c.name === undefined) && schema.columns.some((c) => !c.required)) {
      fail(field, 'Creating Schema with unnamed optional inputs is not supported. Please name all inputs or make all inputs required.');
    }
  }
  const named = (schema.kind === 'tensors' ? schema.tensors : schema.columns).map((s) => s.name !== undefined);
  if (named.some((n) => n) && named.some((n) => !n)) fail(field, 'Creating Schema with a combination of named and unnamed inputs is not allowed.');
  return schema;
}

/** The MLflow JSON value of a schema (Schema.to_dict: type first, then name, then required; tensors name first). */
export function schemaToDict(schema: Schema): Record<string, unknown>[] {
  if (schema.kind === 'tensors') {
    return schema.tensors.map((t) => ({
      ...(t.name !== undefined ? { name: t.name } : {}),
      type: 'tensor',
      'tensor-spec': { dtype: t.dtype, shape: t.shape },
    }));
  }
  return schema.columns.map((c) => ({ ...writeType(c.type), ...(c.name !== undefined ? { name: c.name } : {}), required: c.required }));
}

/** A params schema from its MLflow JSON; `type` or the older `dtype` key, binary refused as ParamSpec refuses it. */
export function paramsFromJson(value: unknown, field: string): ParamSpec[] {
  if (!Array.isArray(value)) fail(field, 'a params schema must be a JSON list');
  const seen = new Set<string>();
  return value.map((v, i) => {
    const r = ParamJsonSchema.safeParse(v);
    const at = `${field}[${i}]`;
    if (!r.success || !(r.data.type ?? r.data.dtype) || !Object.hasOwn(v as object, 'default')) {
      fail(at, 'Missing keys in ParamSpec JSON. Expected to find keys `name`, `type`(or `dtype`) and `default`.');
    }
    const name = String(r.data.name);
    if (seen.has(name)) fail(field, `Duplicated parameters found in schema: ${pyList([name])}`);
    seen.add(name);
    const typeName = (r.data.type ?? r.data.dtype) as string;
    const shapeOfType = JsonTypeSchema.safeParse({ ...(v as object), type: typeName });
    if (!shapeOfType.success) fail(at, shapeOfType.error.issues[0]?.message ?? 'bad param type');
    const type = readType(shapeOfType.data, at);
    if (type.kind === 'scalar' && type.type === 'binary') fail(at, `Binary type is not supported for parameters, ParamSpec '${name}' has dtype 'binary'`);
    if (type.kind !== 'scalar' && type.kind !== 'object') fail(at, `'dtype' must be DataType, Object or str, got ${typeName}`);
    const shape = r.data.shape ?? null;
    if (shape !== null && !(shape.length === 1 && shape[0] === -1)) fail(at, `Shape must be None for scalar or dictionary value, or (-1,) for 1D array value for ParamSpec '${name}', received ${JSON.stringify(shape)}`);
    const spec: ParamSpec = { name, type, default: r.data.default, shape };
    // ParamSpec's constructor checks its default the way a request's value is checked.
    try {
      enforceParam(spec.default, spec);
    } catch (e) {
      fail(at, (e as Error).message);
    }
    return spec;
  });
}

/** ParamSpec.to_dict: name, default, shape, then the type keys. */
export function paramsToDict(params: ParamSpec[]): Record<string, unknown>[] {
  return params.map((p) => ({ name: p.name, default: p.default, shape: p.shape, ...writeType(p.type) }));
}

function parseJsonString(text: string, field: string): unknown {
  let value: unknown;
  try {
    value = parsePyJson(text);
  } catch (e) {
    return fail(field, `not valid JSON (${(e as Error).message})`);
  }
  const proto = protoKeyPath(value);
  if (proto) fail(field, `'__proto__' is reserved and cannot be used as a key (at ${proto.join('.')})`);
  return value;
}

/** A schema from the JSON string MLflow stores in the MLmodel (`signature.inputs` / `signature.outputs`). */
export function parseSchemaJson(text: string, field = 'signature.inputs'): Schema {
  return schemaFromJson(parseJsonString(text, field), field);
}
/** The JSON string MLflow would store for this schema. */
export function schemaToJson(schema: Schema): string {
  return pyJsonDumps(schemaToDict(schema));
}
/** A params schema from the JSON string MLflow stores as `signature.params`. */
export function parseParamsJson(text: string, field = 'signature.params'): ParamSpec[] {
  return paramsFromJson(parseJsonString(text, field), field);
}
/** The JSON string MLflow would store for this params schema. */
export function paramsToJson(params: ParamSpec[]): string {
  return pyJsonDumps(paramsToDict(params));
}

/** The MLmodel `signature:` mapping (each value a JSON string or null) → a typed signature. */
export function signatureFromDict(dict: { inputs?: unknown; outputs?: unknown; params?: unknown }): Signature {
  const read = <T>(v: unknown, field: string, parse: (s: string, f: string) => T): T | null => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string') fail(field, 'expected a JSON string or null');
    return parse(v, field);
  };
  return {
    inputs: read(dict.inputs, 'signature.inputs', parseSchemaJson),
    outputs: read(dict.outputs, 'signature.outputs', parseSchemaJson),
    params: read(dict.params, 'signature.params', parseParamsJson),
  };
}

/** A typed signature → the MLmodel `signature:` mapping (ModelSignature.to_dict). */
export function signatureToDict(sig: Signature): { inputs: string | null; outputs: string | null; params: string | null } {
  return {
    inputs: sig.inputs ? schemaToJson(sig.inputs) : null,
    outputs: sig.outputs ? schemaToJson(sig.outputs) : null,
    params: sig.params ? paramsToJson(sig.params) : null,
  };
}

/**
 * Params (mlflow/types/schema.py `ParamSpec`, mlflow/models/utils.py `_enforce_params_schema`): the values a predict
 * request passes beside its data, checked against the params schema; also how a params schema's own defaults are
 * checked when it is read, as MLflow's ParamSpec constructor checks them (MODEL-10).
 */
import { invalid } from '../domain';
import { enforceValue, pyTypeName } from './enforce-columns';
import { flatten } from './enforce-tensors';
import { typeLabel, type ParamSpec } from './schema-types';

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

/** One param value checked against its spec (`ParamSpec.validate_type_and_shape`); null stays null. */
export function enforceParam(value: unknown, spec: ParamSpec): unknown {
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
export function checkParamValue(v: unknown, spec: ParamSpec, fail: (why: string) => never): unknown {
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

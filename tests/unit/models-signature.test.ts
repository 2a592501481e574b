import { describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import { parseParamsJson, parseSchemaJson, paramsToJson, schemaToJson, typeLabel } from '@/lib/models';

/** Strings as MLflow 3.6 writes them (json.dumps of Schema.to_dict / ParamSchema.to_dict). */
const COLUMNS = [
  '[{"type": "double", "name": "f1", "required": true}, {"type": "double", "name": "f2", "required": true}]',
  '[{"type": "boolean", "name": "b", "required": true}, {"type": "integer", "name": "i", "required": true}, {"type": "long", "name": "l", "required": false}, {"type": "float", "name": "f", "required": true}, {"type": "string", "name": "s", "required": true}, {"type": "binary", "name": "bin", "required": true}, {"type": "datetime", "name": "t", "required": false}]',
  '[{"type": "array", "items": {"type": "string"}, "name": "tags", "required": true}]',
  '[{"type": "array", "items": {"type": "array", "items": {"type": "double"}}, "name": "m", "required": true}]',
  '[{"type": "object", "properties": {"a": {"type": "string", "required": true}, "b": {"type": "array", "items": {"type": "long"}, "required": false}}, "name": "obj", "required": true}]',
  '[{"type": "map", "values": {"type": "long"}, "name": "counts", "required": false}]',
  '[{"type": "any", "name": "z", "required": true}]',
  '[{"type": "string", "required": true}, {"type": "double", "required": true}]',
  '[{"type": "double", "name": "\\u00e9t\\u00e9 \\"q\\"", "required": true}]',
  '[{"type": "sparkml_vector", "name": "features", "required": true}]',
];
const TENSORS = [
  '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]',
  '[{"name": "x", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 28, 28]}}, {"name": "mask", "type": "tensor", "tensor-spec": {"dtype": "bool", "shape": [-1, 28, 28]}}]',
];
const PARAMS = [
  '[{"name": "temperature", "default": 0.5, "shape": null, "type": "float"}, {"name": "stop", "default": ["a", "b"], "shape": [-1], "type": "string"}, {"name": "k", "default": 3, "shape": null, "type": "long"}, {"name": "when", "default": "2024-01-01T00:00:00", "shape": null, "type": "datetime"}, {"name": "flag", "default": null, "shape": null, "type": "boolean"}]',
  '[{"name": "opts", "default": {"a": 1}, "shape": null, "type": "object", "properties": {"a": {"type": "long", "required": true}}}]',
];

function refused(f: () => unknown): CairnError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    expect((e as CairnError).code).toBe('INVALID_PARAMETER_VALUE');
    return e as CairnError;
  }
  throw new Error('expected a refusal');
}

describe('lib/models signatures', () => {
  it('[MODEL-3] column specs of every MLflow type read and write back as MLflow writes them', () => {
    for (const s of COLUMNS) expect(schemaToJson(parseSchemaJson(s))).toBe(s);
    const all = parseSchemaJson(COLUMNS[1]!);
    expect(all.kind === 'columns' && all.columns.map((c) => [c.name, typeLabel(c.type), c.required])).toEqual([
      ['b', 'boolean', true], ['i', 'integer', true], ['l', 'long', false], ['f', 'float', true], ['s', 'string', true],
      ['bin', 'binary', true], ['t', 'datetime', false],
    ]);
    const obj = parseSchemaJson(COLUMNS[4]!);
    expect(obj.kind === 'columns' && typeLabel(obj.columns[0]!.type)).toBe('{a: string (required), b: Array(long) (optional)}');
    const map = parseSchemaJson(COLUMNS[5]!);
    expect(map.kind === 'columns' && typeLabel(map.columns[0]!.type)).toBe('Map(str -> long)');
  });

  it('[MODEL-3] object properties are sorted by name as MLflow sorts them; a missing required means required', () => {
    const s = parseSchemaJson('[{"type": "object", "properties": {"z": {"type": "long"}, "a": {"type": "string"}}, "name": "o"}]');
    expect(schemaToJson(s)).toBe(
      '[{"type": "object", "properties": {"a": {"type": "string", "required": true}, "z": {"type": "long", "required": true}}, "name": "o", "required": true}]',
    );
  });

  it('[MODEL-3] tensor specs (dtype, shape with -1, optional name) and params schemas round trip exactly', () => {
    for (const s of TENSORS) expect(schemaToJson(parseSchemaJson(s))).toBe(s);
    expect(parseSchemaJson(TENSORS[1]!)).toEqual({
      kind: 'tensors',
      tensors: [
        { name: 'x', dtype: 'float32', shape: [-1, 28, 28] },
        { name: 'mask', dtype: 'bool', shape: [-1, 28, 28] },
      ],
    });
    for (const s of PARAMS) expect(paramsToJson(parseParamsJson(s))).toBe(s);
    // The older `dtype` key is read; it is written as `type`, as MLflow does.
    expect(paramsToJson(parseParamsJson('[{"name": "n", "dtype": "long", "default": 1}]'))).toBe('[{"name": "n", "default": 1, "shape": null, "type": "long"}]');
  });

  it('[MODEL-6] schemas MLflow refuses are refused with its reason', () => {
    expect(refused(() => parseSchemaJson('[{"type": "decimal", "name": "x"}]')).message).toMatch(/Unsupported type 'decimal'/);
    expect(refused(() => parseSchemaJson('[{"type": "double", "name": "x"}, {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}]')).message).toMatch(/combination of ColSpec and TensorSpec/);
    expect(refused(() => parseSchemaJson('[{"type": "double", "name": "x"}, {"type": "double"}]')).message).toMatch(/named and unnamed/);
    expect(refused(() => parseSchemaJson('[{"type": "double", "required": false}]')).message).toMatch(/unnamed optional/);
    expect(refused(() => parseSchemaJson('[]')).message).toMatch(/empty inputs/);
    expect(refused(() => parseSchemaJson('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}, {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}]')).message).toMatch(/multiple unnamed TensorSpecs/);
    expect(refused(() => parseSchemaJson('[{"type": "tensor", "tensor-spec": {"dtype": "float32"}}]')).details).toMatchObject({ field: 'signature.inputs[0]' });
    expect(refused(() => parseSchemaJson('[{"type": "array", "name": "a"}]')).message).toMatch(/items/);
    expect(refused(() => parseSchemaJson('[{"type": "object", "properties": {}, "name": "o"}]')).message).toMatch(/empty properties/);
    expect(refused(() => parseSchemaJson('{not json', 'signature.outputs')).details).toMatchObject({ field: 'signature.outputs' });
    expect(refused(() => parseParamsJson('[{"name": "b", "type": "binary", "default": null}]')).message).toMatch(/Binary type is not supported/);
    expect(refused(() => parseParamsJson('[{"name": "b", "type": "long"}]')).message).toMatch(/Missing keys in ParamSpec/);
    expect(refused(() => parseParamsJson('[{"name": "b", "type": "long", "default": 1}, {"name": "b", "type": "long", "default": 2}]')).message).toMatch(/Duplicated parameters/);
    expect(refused(() => parseParamsJson('[{"name": "b", "type": "long", "default": [1], "shape": [2]}]')).message).toMatch(/Shape must be None/);
    // A default must be a value of its own type and shape, as ParamSpec's constructor checks.
    expect(refused(() => parseParamsJson('[{"name": "k", "type": "long", "default": "three", "shape": null}]')).message).toMatch(/Can not safely convert `<class 'str'>` to `long`/);
    expect(refused(() => parseParamsJson('[{"name": "s", "type": "string", "default": "a", "shape": [-1]}]')).details).toMatchObject({ field: 'signature.params[0]' });
    expect(refused(() => parseParamsJson('[{"name": "o", "type": "object", "properties": {"a": {"type": "long", "required": true}}, "default": {"a": "x"}, "shape": null}]')).message).toMatch(/Expected long/);
  });
});

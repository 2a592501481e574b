import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import { enforceSchema, parseMLmodel, parseParamsJson, parseSchemaJson, type Batch, type Signature } from '@/lib/models';
import { toHalfBits } from '@/lib/models/tensor-data';

const SAMPLES = join(__dirname, 'fixtures/mlmodel-samples');
const sklearn = parseMLmodel(readFileSync(join(SAMPLES, 'sklearn-logreg/MLmodel'), 'utf8'));
const sig = (inputs: string, params?: string): Signature => ({ inputs: parseSchemaJson(inputs), outputs: null, params: params ? parseParamsJson(params) : null });
const cols = (b: Batch) => {
  if (b.kind !== 'columns') throw new Error('expected columns');
  return Object.fromEntries(b.columns.map((c) => [c.name, c.data]));
};
const tensors = (b: Batch) => {
  if (b.kind !== 'tensors') throw new Error('expected tensors');
  return b.tensors;
};
function refusal(f: () => unknown): CairnError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    return e as CairnError;
  }
  throw new Error('expected a refusal');
}

const XY = sig('[{"type": "double", "name": "f1", "required": true}, {"type": "double", "name": "f2", "required": true}]');

describe('lib/models enforceSchema', () => {
  it('[MODEL-7] the sample serving input and the same rows in every serving shape give one batch', () => {
    const body = JSON.parse(readFileSync(join(SAMPLES, 'sklearn-logreg/serving_input_example.json'), 'utf8'));
    const expected = { f1: Float64Array.from([0, 1]), f2: Float64Array.from([1, 0]) };
    expect(cols(enforceSchema(body, sklearn.signature!).batch)).toEqual(expected);
    const shapes = [
      { dataframe_records: [{ f1: 0, f2: 1 }, { f2: 0, f1: 1 }] },
      { dataframe_split: { columns: ['f2', 'f1'], data: [[1, 0], [0, 1]] } },
      { inputs: { f1: [0, 1], f2: [1, 0] } },
      { instances: [{ f1: 0.0, f2: 1.0 }, { f1: 1.0, f2: 0.0 }] },
    ];
    for (const b of shapes) {
      const r = enforceSchema(b, XY);
      expect(cols(r.batch)).toEqual(expected);
      expect(r.batch.kind === 'columns' && r.batch.rows).toBe(2);
    }
  });

  it('[MODEL-7] a body without exactly one input field is BAD_REQUEST in MLflow words; params ride along', () => {
    for (const body of [{}, { data: [] }, { inputs: [1], instances: [1] }, [1, 2], 'x']) {
      const e = refusal(() => enforceSchema(body, XY));
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toMatch(/The input must be a JSON dictionary with exactly one of the input fields/);
    }
    expect(refusal(() => enforceSchema({ inputs: [1], instances: [1] }, XY)).message).toContain("Received dictionary with input fields: ['inputs', 'instances']");
    // A peer's `__proto__` / `constructor` keys never become columns.
    const hostile = enforceSchema(JSON.parse('{"dataframe_records": [{"__proto__": 1, "constructor": 2, "f1": 0, "f2": 1, "x": 3}]}'), XY).batch;
    expect(hostile.kind === 'columns' && hostile.ignored).toEqual(['x']);
    const r = enforceSchema({ inputs: { f1: [1], f2: [2] }, params: { extra: 1 } }, XY);
    expect(r.params).toBeNull();
    expect(r.ignoredParams).toEqual(['extra']);
  });

  it('[MODEL-8] JSON numbers widen (int → long, float, double; int32 in range) and never narrow lossily', () => {
    const s = sig('[{"type": "long", "name": "l", "required": true}, {"type": "integer", "name": "i", "required": true}, {"type": "float", "name": "f", "required": true}, {"type": "double", "name": "d", "required": true}]');
    const c = cols(enforceSchema({ dataframe_split: { columns: ['l', 'i', 'f', 'd'], data: [[1, 2, 3, 4], [5, 6, 7.5, 8.25]] } }, s).batch);
    expect(c.l).toEqual(BigInt64Array.from([1n, 5n]));
    expect(c.i).toEqual(Int32Array.from([2, 6]));
    expect(c.f).toEqual(Float32Array.from([3, 7.5]));
    expect(c.d).toEqual(Float64Array.from([4, 8.25]));
    const int32 = sig('[{"type": "integer", "name": "x", "required": true}]');
    const e = refusal(() => enforceSchema({ inputs: { x: [1, 2.5] } }, int32));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toBe('Incompatible input types for column x. Can not safely convert float64 to int32.');
    expect(e.details).toMatchObject({ column: 'x', expected: 'int32' });
    expect(refusal(() => enforceSchema({ inputs: { x: [2 ** 31] } }, int32)).message).toBe('Incompatible input types for column x. Can not safely convert int64 to int32.');
    expect(refusal(() => enforceSchema({ inputs: { x: [1, null] } }, int32)).message).toMatch(/float64 to int32\. Hint: the type mismatch is likely caused by missing values/);
    expect(refusal(() => enforceSchema({ inputs: { x: ['1'] } }, int32)).message).toBe('Incompatible input types for column x. Can not safely convert object to int32.');
    const f32 = sig('[{"type": "float", "name": "x", "required": true}]');
    expect(refusal(() => enforceSchema({ inputs: { x: [1e39] } }, f32)).message).toBe('Incompatible input types for column x. Can not safely convert int64 to float32.');
    expect(cols(enforceSchema({ inputs: { x: [null, 1.5] } }, sig('[{"type": "double", "name": "x", "required": true}]')).batch).x).toEqual(Float64Array.from([NaN, 1.5]));
  });

  it('[MODEL-8] strings stay strings, booleans stay booleans, binary is base64, datetimes are ISO text', () => {
    const s = sig('[{"type": "string", "name": "s", "required": true}, {"type": "boolean", "name": "b", "required": true}, {"type": "binary", "name": "bin", "required": true}, {"type": "datetime", "name": "t", "required": true}]');
    const c = cols(enforceSchema({ dataframe_records: [{ s: 'a', b: true, bin: 'AAEC', t: '2024-01-02T03:04:05' }, { s: null, b: false, bin: '/w==', t: '2024-01-02' }] }, s).batch);
    expect(c.s).toEqual(['a', null]);
    expect(c.b).toEqual(Uint8Array.from([1, 0]));
    expect(c.bin).toEqual([Uint8Array.from([0, 1, 2]), Uint8Array.from([255])]);
    expect(c.t).toEqual(Float64Array.from([Date.UTC(2024, 0, 2, 3, 4, 5), Date.UTC(2024, 0, 2)]));
    const str = sig('[{"type": "string", "name": "s", "required": true}]');
    expect(refusal(() => enforceSchema({ inputs: { s: [1, 2] } }, str)).message).toBe('Incompatible input types for column s. Can not safely convert int64 to str.');
    expect(refusal(() => enforceSchema({ inputs: { b: [1, 0] } }, sig('[{"type": "boolean", "name": "b", "required": true}]'))).message).toBe('Incompatible input types for column b. Can not safely convert int64 to bool.');
    expect(refusal(() => enforceSchema({ inputs: { t: ['soon'] } }, sig('[{"type": "datetime", "name": "t", "required": true}]'))).message).toMatch(/column t from type str to datetime/);
    expect(refusal(() => enforceSchema({ inputs: { x: ['%%'] } }, sig('[{"type": "binary", "name": "x", "required": true}]'))).message).toMatch(/column x to type 'binary'/);
  });

  it('[MODEL-8] missing required columns are refused, missing optional ones left out, extra ones ignored', () => {
    const s = sig('[{"type": "double", "name": "a", "required": true}, {"type": "double", "name": "b", "required": true}, {"type": "long", "name": "o", "required": false}]');
    expect(refusal(() => enforceSchema({ inputs: { a: [1], c: [2] } }, s)).message).toBe("Model is missing inputs ['b']. Note that there were extra inputs: ['c']");
    const r = enforceSchema({ dataframe_split: { columns: ['c', 'b', 'a'], data: [[9, 2, 1]] } }, s).batch;
    expect(r.kind === 'columns' && r.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(r.kind === 'columns' && r.ignored).toEqual(['c']);
    // Unnamed column signatures only count columns, and take them by position.
    const unnamed = sig('[{"type": "double", "required": true}, {"type": "string", "required": true}]');
    expect(cols(enforceSchema({ dataframe_split: { data: [[1.5, 'x', true]] } }, unnamed).batch)).toEqual({ 0: Float64Array.from([1.5]), 1: ['x'] });
    expect(refusal(() => enforceSchema({ inputs: [1, 2] }, unnamed)).message).toMatch(/declares 2 inputs {2}but the provided value only has 1 inputs/);
  });

  it('[MODEL-8] array, object, map and any columns check each value, naming the column and the expected type', () => {
    const s = sig(
      '[{"type": "array", "items": {"type": "long"}, "name": "arr", "required": true}, {"type": "object", "properties": {"a": {"type": "string", "required": true}, "b": {"type": "double", "required": false}}, "name": "obj", "required": true}, {"type": "map", "values": {"type": "boolean"}, "name": "m", "required": false}, {"type": "any", "name": "z", "required": true}]',
    );
    const ok = cols(enforceSchema({ dataframe_records: [{ arr: [1, 2], obj: { a: 'x' }, m: { k: true }, z: [null, 'q'] }] }, s).batch);
    expect(ok).toEqual({ arr: [[1, 2]], obj: [{ a: 'x' }], m: [{ k: true }], z: [[null, 'q']] });
    const rec = (over: Record<string, unknown>) => ({ dataframe_records: [{ arr: [1], obj: { a: 'x' }, z: 1, ...over }] });
    expect(refusal(() => enforceSchema(rec({ arr: [1, 1.5] }), s)).message).toBe('Incompatible input types for column arr[1]. Expected long, got float 1.5.');
    expect(refusal(() => enforceSchema(rec({ arr: 'no' }), s)).message).toBe('Incompatible input types for column arr. Expected Array(long), got str.');
    expect(refusal(() => enforceSchema(rec({ obj: { b: 1 } }), s)).message).toMatch(/column obj\. Expected \{a: string \(required\), b: double \(optional\)\}, missing required properties \['a'\]/);
    expect(refusal(() => enforceSchema(rec({ obj: { a: 'x', c: 1 } }), s)).message).toMatch(/properties not defined in the schema: \['c'\]/);
    expect(refusal(() => enforceSchema(rec({ m: { k: 1 } }), s)).message).toBe('Incompatible input types for column m.k. Expected boolean, got int 1.');
  });

  it('[MODEL-9] tensor specs: shapes with -1, safe dtype casts into the typed array ONNX takes', () => {
    const s = sig('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2]}}]');
    const [t] = tensors(enforceSchema({ inputs: [[1, 2], [3, 4.5]] }, s).batch);
    expect(t).toEqual({ name: null, dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4.5]) });
    expect(refusal(() => enforceSchema({ inputs: [[1, 2, 3]] }, s)).message).toBe('Shape of input (1, 3) does not match expected shape (-1, 2).');
    expect(refusal(() => enforceSchema({ inputs: [1, 2] }, s)).message).toBe('Shape of input (2,) does not match expected shape (-1, 2).');
    expect(refusal(() => enforceSchema({ inputs: [[1, 2], [3]] }, s)).message).toMatch(/dtype of input object does not match expected dtype float32/);
    // A two-column frame feeds an unnamed (-1, 2) tensor row by row.
    expect(tensors(enforceSchema({ dataframe_split: { columns: ['a', 'b'], data: [[1, 2], [3, 4]] } }, s).batch)[0]!.data).toEqual(Float32Array.from([1, 2, 3, 4]));
    const i64 = sig('[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]');
    expect(tensors(enforceSchema({ instances: [1, 2, 3] }, i64).batch)[0]!.data).toEqual(BigInt64Array.from([1n, 2n, 3n]));
    expect(refusal(() => enforceSchema({ inputs: [1, 2.5] }, i64)).message).toBe('Incompatible input types for the unnamed input. Can not safely convert float64 to int64.');
    expect(refusal(() => enforceSchema({ inputs: [true] }, i64)).message).toMatch(/convert bool to int64/);
  });

  it('[MODEL-9] named tensors by name (missing refused, extra ignored), bool, str, float16 and frame columns', () => {
    const s = sig(
      '[{"name": "x", "type": "tensor", "tensor-spec": {"dtype": "float16", "shape": [-1, 2]}}, {"name": "mask", "type": "tensor", "tensor-spec": {"dtype": "bool", "shape": [-1]}}, {"name": "ids", "type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1]}}]',
    );
    const r = enforceSchema({ inputs: { ids: ['a', 'b'], mask: [true, false], x: [[1, 65504], [0.5, -2]], other: 1 } }, s).batch;
    const byName = Object.fromEntries(tensors(r).map((t) => [t.name, t]));
    expect(byName.x!.data).toEqual(Uint16Array.from([0x3c00, 0x7bff, 0x3800, 0xc000]));
    expect(byName.mask!.data).toEqual(Uint8Array.from([1, 0]));
    expect(byName.ids!.data).toEqual(['a', 'b']);
    expect(r.kind === 'tensors' && r.ignored).toEqual(['other']);
    expect(refusal(() => enforceSchema({ inputs: { x: [[1, 2]] } }, s)).message).toBe("Model is missing inputs ['mask', 'ids'].");
    expect(refusal(() => enforceSchema({ inputs: { x: [[1, 1e5]], mask: [true], ids: ['a'] } }, s)).message).toBe('Incompatible input types for input x. Can not safely convert int64 to float16.');
    expect(refusal(() => enforceSchema({ inputs: [[1, 2]] }, s)).message).toMatch(/suggests a dictionary input mapping input name to tensor/);
    expect(toHalfBits(1 / 3)).toBe(0x3555);
    expect(toHalfBits(6e-8)).toBe(0x0001);
    // A frame column of lists per row reshapes into the named tensor, as pandas input does in MLflow.
    const img = sig('[{"name": "img", "type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 2, 2]}}]');
    const [t] = tensors(enforceSchema({ dataframe_records: [{ img: [1, 2, 3, 4] }, { img: [[5, 6], [7, 8]] }] }, img).batch);
    expect(t).toEqual({ name: 'img', dtype: 'float64', shape: [2, 2, 2], data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]) });
    expect(refusal(() => enforceSchema({ dataframe_records: [{ img: [1, 2, 3] }] }, img)).message).toMatch(/could not be converted to the expected shape of: '\(-1, 2, 2\)'/);
  });

  it('[MODEL-10] params: declared ones take the value (int → float, long → double) or the default; wrong types refused', () => {
    const s = sig('[{"type": "double", "name": "x", "required": true}]', '[{"name": "temperature", "default": 0.5, "shape": null, "type": "float"}, {"name": "k", "default": 3, "shape": null, "type": "long"}, {"name": "stop", "default": ["a"], "shape": [-1], "type": "string"}]');
    const r = enforceSchema({ inputs: { x: [1] }, params: { temperature: 1, extra: true } }, s);
    expect(r.params).toEqual({ temperature: 1, k: 3, stop: ['a'] });
    expect(r.ignoredParams).toEqual(['extra']);
    const e = refusal(() => enforceSchema({ inputs: { x: [1] }, params: { k: 0.5 } }, s));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toBe("Failed to validate type and shape for 'k': long (default: 3), error: Can not safely convert `<class 'float'>` to `long` for value `0.5`");
    expect(refusal(() => enforceSchema({ inputs: { x: [1] }, params: { stop: 'a' } }, s)).message).toMatch(/1D array with shape \(-1,\)/);
    expect(refusal(() => enforceSchema({ inputs: { x: [1] }, params: { k: [1] } }, s)).message).toMatch(/Value must be a scalar for type `long`/);
    expect(refusal(() => enforceSchema({ inputs: { x: [1] }, params: 3 }, s)).code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('[MODEL-7] a model without a signature gets the batch its input implies, as MLflow enforces nothing', () => {
    expect(cols(enforceSchema({ dataframe_split: { columns: ['a', 'b', 'c'], data: [[1, 1.5, 'x']] } }, null).batch)).toEqual({
      a: BigInt64Array.from([1n]),
      b: Float64Array.from([1.5]),
      c: ['x'],
    });
    expect(tensors(enforceSchema({ inputs: [[1.5, 2]] }, null).batch)[0]).toEqual({ name: null, dtype: 'float64', shape: [1, 2], data: Float64Array.from([1.5, 2]) });
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import {
  loadPyfunc,
  parseMLmodel,
  predictionJsonText,
  predictionToJson,
  readServingInputExample,
  writeMLmodel,
  type ModelFiles,
  type PyfuncModel,
} from '@/lib/models';
import { nodeOnnxBackend } from '@/lib/sdk/onnx-node';

const FIXTURES = join(__dirname, '../fixtures/models');
const SAMPLES = join(__dirname, 'fixtures/mlmodel-samples');
const NAMES = ['mlp-tensor', 'classifier-columns', 'regressor-columns', 'sklearn-logreg', 'sklearn-tree'];
const loadDir = (dir: string): Map<string, Uint8Array> =>
  new Map(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
interface Case { name: string; body: unknown; outputs: Record<string, unknown>; predictions: unknown }
const expected = (name: string): Case[] => JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')).cases;

/** Deep equality with a float tolerance (ORT and torch differ in the last float32 bits). */
function close(actual: unknown, want: unknown, path = ''): void {
  if (typeof want === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - want), `${path}: ${String(actual)} vs ${want}`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want));
  } else if (Array.isArray(want)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(want.length);
    want.forEach((w, i) => close((actual as unknown[])[i], w, `${path}[${i}]`));
  } else if (want && typeof want === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(want).sort());
    for (const [k, w] of Object.entries(want)) close((actual as Record<string, unknown>)[k], w, `${path}.${k}`);
  } else expect(actual, path).toEqual(want);
}

async function load(name: string): Promise<PyfuncModel> {
  return loadPyfunc(loadDir(join(FIXTURES, name)), await nodeOnnxBackend());
}

async function refusal(p: Promise<unknown>): Promise<CairnError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(CairnError);
  return e as CairnError;
}

describe('ONNX fixtures made by real exporters', () => {
  it.each(NAMES)('[MODEL-14] %s: the MLmodel parses and writes back byte for byte', (name) => {
    const text = readFileSync(join(FIXTURES, name, 'MLmodel'), 'utf8');
    const m = parseMLmodel(text);
    expect(m.flavors.onnx?.data).toBe('model.onnx');
    expect(m.flavors.python_function?.loader_module).toBe('mlflow.onnx');
    expect(writeMLmodel(m)).toBe(text);
  });
});

describe('predict in Node (onnxruntime-node)', () => {
  it.each(NAMES)('[MODEL-14] %s: every expected.json case predicts what the training framework computed (torch forward, sklearn predict_proba), as the scoring server answers', async (name) => {
    const model = await load(name);
    try {
      for (const c of expected(name)) {
        const p = await model.predict(c.body);
        close(predictionToJson(p), c.predictions, `${name} ${c.name}`);
        for (const [out, want] of Object.entries(c.outputs)) {
          const o = p.outputs.find((x) => x.name === out)!;
          close(Array.from(o.data as ArrayLike<number | bigint>, Number), (want as unknown[]).flat(3), `${name} ${c.name} ${out}`);
        }
      }
    } finally {
      await model.close();
    }
  });

  it('[MODEL-14] the serving input example of each fixture predicts, in every body shape alike', async () => {
    for (const name of NAMES) {
      const files = loadDir(join(FIXTURES, name));
      const model = await loadPyfunc(files, await nodeOnnxBackend());
      const body = readServingInputExample(files) as Record<string, unknown>;
      const a = predictionToJson(await model.predict(body));
      if ('dataframe_split' in body) {
        const { columns, data } = body.dataframe_split as { columns: string[]; data: unknown[][] };
        const records = data.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
        expect(predictionToJson(await model.predict({ dataframe_records: records }))).toEqual(a);
        // A list of records is what MLflow's client sends for a DataFrame.
        expect(predictionToJson(await model.predict(records))).toEqual(a);
      } else {
        expect(predictionToJson(await model.predict({ instances: body.inputs }))).toEqual(a);
        expect(predictionToJson(await model.predict(body.inputs))).toEqual(a);
      }
      await model.close();
    }
  });

  it('[MODEL-16] a tensor signature gives a dict of outputs with their shapes; columns give a frame, one row per input row', async () => {
    const mlp = await load('mlp-tensor');
    const p = await mlp.predict({ inputs: [[1, 2, 3, 4], [0.5, 0.25, 0, 1]] });
    expect(p.kind).toBe('tensors');
    expect(p.outputs.map((o) => [o.name, o.type, o.dims])).toEqual([['logits', 'float32', [2, 3]], ['probabilities', 'float32', [2, 3]]]);
    const probs = predictionToJson(p).predictions as { probabilities: number[][] };
    for (const row of probs.probabilities) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const clf = await load('classifier-columns');
    const f = await clf.predict([{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2, extra: 'ignored' }]);
    expect(f.kind).toBe('frame');
    expect(f.outputs.map((o) => [o.name, o.type, o.dims])).toEqual([['label', 'int64', [1]], ['score', 'float32', [1]]]);
    const [rec] = predictionToJson(f).predictions as { label: number; score: number }[];
    expect(Number.isInteger(rec!.label)).toBe(true);
    expect(predictionJsonText(f)).toMatch(/^\{"predictions": \[\{"label": \d, "score": 0\.\d+\}\]\}$/);
    await mlp.close();
    await clf.close();
  });

  it('[MODEL-16] column-based: a double column feeds a float input (cast as MLflow casts), a long column an int64 input, by name', async () => {
    const reg = await load('regressor-columns');
    const a = predictionToJson(await reg.predict({ dataframe_split: { columns: ['n', 'x'], data: [[3, 0.5]] } }));
    const b = predictionToJson(await reg.predict({ dataframe_records: [{ x: 0.5, n: 3 }] }));
    expect(a).toEqual(b);
    const [one] = expected('regressor-columns').filter((c) => c.name === 'one row');
    close(a, one!.predictions);
  });

  it('[MODEL-16] bad input is refused naming the column or input and the expected type', async () => {
    const reg = await load('regressor-columns');
    let e = await refusal(reg.predict({ dataframe_records: [{ x: 0.5, n: 1.5 }] }));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toBe('Incompatible input types for column n. Can not safely convert float64 to int64.');
    expect(e.details).toMatchObject({ column: 'n', expected: 'int64' });
    e = await refusal(reg.predict({ dataframe_records: [{ x: 0.5 }] }));
    expect(e.message).toBe("Model is missing inputs ['n'].");
    e = await refusal(reg.predict({ dataframe_records: [{ x: 'a', n: 1 }] }));
    expect(e.message).toContain('column x');
    const mlp = await load('mlp-tensor');
    e = await refusal(mlp.predict({ inputs: [[1, 2, 3]] }));
    expect(e.message).toBe('Shape of input (1, 3) does not match expected shape (-1, 4).');
    e = await refusal(mlp.predict({ inputs: [['a', 'b', 'c', 'd']] }));
    expect(e.message).toBe('Incompatible input types for the unnamed input. Can not safely convert str to float32.');
    e = await refusal(mlp.predict({ inputs: [[1, 2, 3, 4]], instances: [[1, 2, 3, 4]] }));
    expect(e.code).toBe('BAD_REQUEST');
    await reg.close();
    await mlp.close();
  });

  it('[MODEL-16] with no signature the feeds are checked against the ONNX inputs: an int64 tensor for a float input is refused naming it', async () => {
    const files = loadDir(join(FIXTURES, 'mlp-tensor'));
    const m = parseMLmodel(new TextDecoder().decode(files.get('MLmodel')));
    delete m.signature;
    files.set('MLmodel', new TextEncoder().encode(writeMLmodel(m)));
    const model = await loadPyfunc(files, await nodeOnnxBackend());
    const e = await refusal(model.predict({ inputs: [[1, 2, 3, 4]] }));
    expect(e.message).toBe("Incompatible input types for the input tensor: the model's input 'x' expects tensor(float32) but got int64");
    expect(e.details).toMatchObject({ input: 'x', expected: 'float32' });
    // Floats are float64 in JSON and cast to the input's float32; a wrong rank is onnxruntime's refusal, wrapped.
    expect((await model.predict({ inputs: [[1.5, 2, 3, 4]] })).outputs[0]!.dims).toEqual([1, 3]);
    const bad = await refusal(model.predict({ inputs: [1.5, 2, 3, 4] }));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toMatch(/^Encountered an unexpected error while evaluating the model\. .*Error '.+'/);
    await model.close();
  });

  it('[MODEL-15] a model without the onnx flavor is refused honestly: it needs Python', async () => {
    const backend = await nodeOnnxBackend();
    let e = await refusal(loadPyfunc(loadDir(join(SAMPLES, 'sklearn-logreg')), backend));
    expect(e.code).toBe('NOT_IMPLEMENTED');
    expect(e.message).toBe('This model is not runnable here: sklearn needs Python; ONNX is the runnable flavor (log the model as ONNX to predict in Cairn)');
    e = await refusal(loadPyfunc(loadDir(join(SAMPLES, 'pyfunc-addone')), backend));
    expect(e.message).toContain('python_function (mlflow.pyfunc.model) needs Python');
    const files: ModelFiles = new Map([...loadDir(join(FIXTURES, 'mlp-tensor'))].filter(([k]) => k !== 'model.onnx'));
    e = await refusal(loadPyfunc(files, backend));
    expect(e.code).toBe('RESOURCE_DOES_NOT_EXIST');
    const junk = new Map(loadDir(join(FIXTURES, 'mlp-tensor')));
    junk.set('model.onnx', new TextEncoder().encode('not a model'));
    e = await refusal(loadPyfunc(junk, backend));
    expect(e.message).toMatch(/^onnxruntime-node could not load 'model.onnx'/);
  });
});

describe('onnxModelDir', () => {
  it('[MODEL-17] writes what mlflow.onnx.save_model wrote for the fixtures (but the versions): flavors, signature, examples', async () => {
    const { onnxModelDir, readInputExample, mlmodelToDict } = await import('@/lib/models');
    for (const name of NAMES) {
      const ref = loadDir(join(FIXTURES, name));
      const refModel = parseMLmodel(new TextDecoder().decode(ref.get('MLmodel')));
      const example = JSON.parse(new TextDecoder().decode(ref.get('input_example.json'))) as never;
      const files = onnxModelDir({ onnx: ref.get('model.onnx')!, signature: refModel.signature!, inputExample: example, modelUuid: refModel.model_uuid!, createdAt: new Date('2026-12-02T04:00:00Z') });
      const m = parseMLmodel(new TextDecoder().decode(files.get('MLmodel')));
      const strip = (d: Record<string, unknown>) => {
        const f = JSON.parse(JSON.stringify(d.flavors)) as Record<string, Record<string, unknown>>;
        delete f.onnx!.onnx_version;
        delete f.python_function!.python_version;
        return { ...d, flavors: f, utc_time_created: null, model_size_bytes: null };
      };
      expect(strip(mlmodelToDict(m))).toEqual(strip(mlmodelToDict(refModel)));
      expect(readInputExample(files)).toEqual(readInputExample(ref));
      expect(JSON.parse(new TextDecoder().decode(files.get('serving_input_example.json')))).toEqual(JSON.parse(new TextDecoder().decode(ref.get('serving_input_example.json'))));
      // The directory it wrote loads and predicts like the exporter's.
      const model = await loadPyfunc(files, await nodeOnnxBackend());
      const [c] = expected(name);
      close(predictionToJson(await model.predict(c!.body)), c!.predictions);
      await model.close();
    }
  });
});

describe('predict on hostile bodies', () => {
  it('[MODEL-16] whatever the body, predict resolves or rejects with a CairnError (seeded, 300 bodies per fixture)', async () => {
    let seed = 9;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const scalar = () => pick<unknown>([0, 1, -1, 1.5, 1e40, -0, null, true, 'a', '', NaN, 2 ** 60]);
    const value = (depth: number): unknown => {
      const r = rnd();
      if (depth > 2 || r < 0.4) return scalar();
      if (r < 0.8) return Array.from({ length: Math.floor(rnd() * 5) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [pick(['x', 'n', 'sepal_length', 'features', 'inputs', 'q']), value(depth + 1)]));
    };
    const body = () => {
      const k = pick(['inputs', 'instances', 'dataframe_split', 'dataframe_records', 'params', 'other']);
      if (k === 'dataframe_split') return { dataframe_split: { columns: value(1), data: value(0) } };
      return { [k]: value(0) };
    };
    for (const name of NAMES) {
      const model = await load(name);
      for (let i = 0; i < 300; i++) {
        const b = body();
        const r = await model.predict(b).then(
          (p) => p,
          (e: unknown) => e,
        );
        if (!(r instanceof CairnError)) expect(r, JSON.stringify(b)).toHaveProperty('outputs');
      }
      await model.close();
    }
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import {
  crc32,
  describeModelDir,
  enforceInput,
  inputExampleAsRaw,
  packModelDir,
  parsePyJson,
  readInputExample,
  readModelMLmodel,
  readRegisteredModelMeta,
  readServingInputExample,
  readZip,
  sha256Hex,
  unpackModelDir,
  writeZip,
  enforceSchema,
  type ModelFiles,
} from '@/lib/models';

const SAMPLES = join(__dirname, 'fixtures/mlmodel-samples');
const load = (dir: string): Map<string, Uint8Array> =>
  new Map(readdirSync(join(SAMPLES, dir)).map((f) => [f, new Uint8Array(readFileSync(join(SAMPLES, dir, f)))]));
const enc = (s: string) => new TextEncoder().encode(s);
const tmp = mkdtempSync(join(tmpdir(), 'cairn-models-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let hasUnzip = true;
try {
  execFileSync('unzip', ['-v'], { stdio: 'ignore' });
} catch {
  hasUnzip = false;
}

async function refusal(f: () => unknown): Promise<CairnError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    return e as CairnError;
  }
  throw new Error('expected a refusal');
}

describe('lib/models model directories', () => {
  it('[MODEL-11] every file of the sample dirs gets its role; flavor files are the ones a flavor names', () => {
    const sk = describeModelDir(load('sklearn-logreg'));
    expect(sk.map((e) => [e.path, e.role, e.flavors])).toEqual([
      ['MLmodel', 'mlmodel', undefined],
      ['conda.yaml', 'conda', undefined],
      ['input_example.json', 'input-example', undefined],
      ['model.pkl', 'flavor', ['python_function', 'sklearn']],
      ['python_env.yaml', 'python-env', undefined],
      ['requirements.txt', 'requirements', undefined],
      ['serving_input_example.json', 'serving-input-example', undefined],
    ]);
    expect(sk.find((e) => e.path === 'model.pkl')!.size).toBe(821);
    const files = load('pyfunc-addone');
    files.set('python_model.pkl', enc('x'));
    files.set('artifacts/weights/a.bin', enc('w'));
    files.set('code/helpers.py', enc('print(1)'));
    files.set('registered_model_meta', enc('model_name: addone\nmodel_version: 3\n'));
    files.set('notes.md', enc('hi'));
    const roles = Object.fromEntries(describeModelDir(files).map((e) => [e.path, e.role]));
    expect(roles).toMatchObject({ 'python_model.pkl': 'flavor', 'code/helpers.py': 'code', registered_model_meta: 'registered-model-meta', 'notes.md': 'other', 'artifacts/weights/a.bin': 'other' });
    expect(readRegisteredModelMeta(files)).toEqual({ model_name: 'addone', model_version: '3' });
    expect(readRegisteredModelMeta(load('sklearn-logreg'))).toBeNull();
    // ONNX names its file, PyTorch a folder; both flavors' files are theirs, MLflow's own files keep their roles.
    const onnx = new Map<string, Uint8Array>([
      ['MLmodel', enc('flavors:\n  onnx:\n    data: model.onnx\n    onnx_version: 1.17.0\n  pytorch:\n    model_data: data\n    pytorch_version: 2.5.0\n  python_function:\n    data: model.onnx\n    loader_module: mlflow.onnx\n')],
      ['model.onnx', enc('o')],
      ['data/model.pth', enc('p')],
      ['data/pickle_module_info.txt', enc('m')],
      ['requirements.txt', enc('onnx')],
    ]);
    expect(describeModelDir(onnx).map((e) => [e.path, e.role, e.flavors])).toEqual([
      ['MLmodel', 'mlmodel', undefined],
      ['data/model.pth', 'flavor', ['pytorch']],
      ['data/pickle_module_info.txt', 'flavor', ['pytorch']],
      ['model.onnx', 'flavor', ['onnx', 'python_function']],
      ['requirements.txt', 'requirements', undefined],
    ]);
  });

  it('[MODEL-11] input examples read as saved_input_example_info says, and run through enforcement', () => {
    const files = load('sklearn-logreg');
    const m = readModelMLmodel(files);
    const ex = readInputExample(files, m);
    expect(ex).toEqual({ type: 'dataframe', params: null, columns: ['f1', 'f2'], data: [[0, 1], [1, 0]] });
    const batch = enforceInput(inputExampleAsRaw(ex!), m.signature!.inputs);
    expect(batch.kind === 'columns' && batch.columns.map((c) => c.data)).toEqual([Float64Array.from([0, 1]), Float64Array.from([1, 0])]);
    const body = readServingInputExample(files, m);
    expect(body).toEqual({ dataframe_split: { columns: ['f1', 'f2'], data: [[0, 1], [1, 0]] } });
    expect(enforceSchema(body, m.signature!).batch).toEqual(batch);
    // Other example types, and the params wrapper MLflow writes when the example has params.
    const variant = (info: string, example: string): ModelFiles => {
      const f = load('pyfunc-addone');
      const ml = new TextDecoder().decode(f.get('MLmodel')).replace(/saved_input_example_info:\n(?: {2}.*\n)+/, `saved_input_example_info:\n${info}`);
      f.set('MLmodel', enc(ml));
      f.set('input_example.json', enc(example));
      return f;
    };
    expect(readInputExample(variant('  artifact_path: input_example.json\n  type: ndarray\n', '[[1.0, NaN], [2, 3]]'))).toEqual({ type: 'ndarray', params: null, value: [[1, NaN], [2, 3]] });
    expect(readInputExample(variant("  artifact_path: input_example.json\n  params: 'true'\n  type: json_object\n", '{"inputs": {"q": "hi"}, "params": {"t": 1}}'))).toEqual({
      type: 'json_object',
      params: { t: 1 },
      value: { q: 'hi' },
    });
    expect(readInputExample(variant('  artifact_path: input_example.json\n  type: sparse_matrix_csr\n', '{"data": [1.5], "indices": [0], "indptr": [0, 1], "shape": [1, 2]}'))).toMatchObject({ type: 'sparse_matrix_csr', shape: [1, 2] });
    const bad = variant('  artifact_path: input_example.json\n  type: json_object\n', '[1, 2]');
    expect(() => readInputExample(bad)).toThrow(/not a JSON object input example/);
    const m2 = readModelMLmodel(load('sklearn-logreg'));
    delete m2.saved_input_example_info;
    expect(readInputExample(load('sklearn-logreg'), m2)).toBeNull();
    expect(parsePyJson('{"a": "NaN", "b": -Infinity}')).toEqual({ a: 'NaN', b: -Infinity });
  });

  it('[MODEL-12] CRC-32 is the zip one; a zip reads back to the same files; paths cannot escape', async () => {
    expect(crc32(enc('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const files = load('sklearn-logreg');
    files.set('data/é/w.bin', Uint8Array.from([0, 255, 7]));
    files.set('empty.txt', new Uint8Array(0));
    expect(readZip(writeZip(files))).toEqual(new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))));
    for (const bad of ['../evil', '/abs', 'a/../b', 'a\\b', 'C:/x', 'a//b', '']) {
      expect(() => writeZip(new Map([[bad, enc('x')]]))).toThrow(CairnError);
    }
  });

  it('[MODEL-12] the transport zip is deterministic: same files → same bytes → same sha256, whatever the order', async () => {
    const a = load('sklearn-logreg');
    const b = new Map([...a.entries()].reverse());
    const pa = await packModelDir(a);
    const pb = await packModelDir(b);
    expect(pb.zip).toEqual(pa.zip);
    expect(pb.sha256).toBe(pa.sha256);
    expect(pa.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await sha256Hex(pa.zip)).toBe(pa.sha256);
    const changed = new Map(a);
    changed.set('requirements.txt', enc('mlflow==3.6.1\n'));
    expect((await packModelDir(changed)).sha256).not.toBe(pa.sha256);
    expect(await unpackModelDir(pa.zip, pa.sha256)).toEqual(readZip(pa.zip));
    expect((await refusal(() => unpackModelDir(pa.zip, '0'.repeat(64)))).code).toBe('DATA_LOSS');
    const noModel = new Map(a);
    noModel.delete('MLmodel');
    expect((await refusal(() => packModelDir(noModel))).code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('[MODEL-12] a damaged zip is DATA_LOSS, a compressed entry NOT_IMPLEMENTED', async () => {
    const { zip } = await packModelDir(load('pyfunc-addone'));
    const flipped = zip.slice();
    flipped[40] = flipped[40]! ^ 0xff; // inside the first file's bytes (30-byte header + 'MLmodel')
    expect((await refusal(() => readZip(flipped))).code).toBe('DATA_LOSS');
    expect((await refusal(() => readZip(zip.subarray(0, zip.length - 30)))).code).toBe('DATA_LOSS');
    if (hasUnzip) {
      // The zip CLI deflates what it can: such an archive is read as far as its stored entries go, then refused honestly.
      const dir = join(tmp, 'deflated');
      execFileSync('mkdir', ['-p', dir]);
      writeFileSync(join(dir, 'MLmodel'), 'flavors: {}\n'.repeat(50));
      execFileSync('zip', ['-q', '-9', join(tmp, 'deflated.zip'), 'MLmodel'], { cwd: dir });
      expect((await refusal(() => readZip(new Uint8Array(readFileSync(join(tmp, 'deflated.zip')))))).code).toBe('NOT_IMPLEMENTED');
    }
  });

  it.runIf(hasUnzip)('[MODEL-12] unzip tests and extracts the transport zip to the very same files', async () => {
    const files = load('sklearn-logreg');
    files.set('data/nested/w.bin', Uint8Array.from([1, 2, 3, 250]));
    const { zip } = await packModelDir(files);
    const path = join(tmp, 'model.zip');
    writeFileSync(path, zip);
    expect(execFileSync('unzip', ['-t', path], { encoding: 'utf8' })).toMatch(/No errors detected/);
    const out = join(tmp, 'out');
    execFileSync('unzip', ['-q', '-o', path, '-d', out]);
    for (const [p, bytes] of files) expect(new Uint8Array(readFileSync(join(out, p)))).toEqual(bytes);
    // And a zip the zip CLI stored (-0) reads here.
    const stored = join(tmp, 'stored.zip');
    execFileSync('zip', ['-q', '-0', '-r', stored, '.'], { cwd: out });
    const back = readZip(new Uint8Array(readFileSync(stored)));
    for (const [p, bytes] of files) expect(back.get(p)).toEqual(bytes);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import { formatUtcTimeCreated, newMLmodel, parseMLmodel, writeMLmodel, type MLmodel } from '@/lib/models';

const SAMPLES = join(__dirname, 'fixtures/mlmodel-samples');
const sample = (dir: string) => readFileSync(join(SAMPLES, dir, 'MLmodel'), 'utf8');

function refusal(text: string): CairnError {
  try {
    parseMLmodel(text);
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    return e as CairnError;
  }
  throw new Error('expected a refusal');
}

describe('lib/models MLmodel', () => {
  it('[MODEL-1] both MLflow-written samples parse, write back byte for byte and parse equal', () => {
    for (const dir of ['sklearn-logreg', 'pyfunc-addone']) {
      const text = sample(dir);
      const model = parseMLmodel(text);
      const written = writeMLmodel(model);
      expect(written).toBe(text);
      expect(parseMLmodel(written)).toEqual(model);
      // The same meaning as a plain YAML 1.1 reader (PyYAML's) sees it.
      expect(parseYaml(written, { version: '1.1' })).toEqual(parseYaml(text, { version: '1.1' }));
    }
  });

  it('[MODEL-1] the typed view of the sklearn sample: flavors, ids, signature, example info', () => {
    const m = parseMLmodel(sample('sklearn-logreg'));
    expect(m.flavors.python_function?.loader_module).toBe('mlflow.sklearn');
    expect(m.flavors.python_function?.env).toEqual({ conda: 'conda.yaml', virtualenv: 'python_env.yaml' });
    expect(m.flavors.sklearn?.pickled_model).toBe('model.pkl');
    expect(m.flavors.sklearn?.code).toBeNull();
    expect(m.model_size_bytes).toBe(1060);
    expect(m.run_id).toBe('fb93bc271d7945568ec5201d063e3dd5');
    expect(m.utc_time_created).toBe('2026-12-01 16:38:58.871219');
    expect(m.prompts).toBeNull();
    expect(m.saved_input_example_info).toEqual({
      artifact_path: 'input_example.json',
      pandas_orient: 'split',
      serving_input_path: 'serving_input_example.json',
      type: 'dataframe',
    });
    expect(m.signature?.inputs).toEqual({
      kind: 'columns',
      columns: [
        { name: 'f1', type: { kind: 'scalar', type: 'double' }, required: true },
        { name: 'f2', type: { kind: 'scalar', type: 'double' }, required: true },
      ],
    });
    expect(m.signature?.outputs).toEqual({ kind: 'tensors', tensors: [{ dtype: 'int64', shape: [-1] }] });
    expect(m.signature?.params).toBeNull();
  });

  it('[MODEL-2] unknown top-level keys, unknown flavor keys and unknown flavors survive; null stays null, absent stays absent', () => {
    const text = [
      sample('pyfunc-addone').trimEnd(),
      'databricks_runtime: 15.4.x-cpu-ml-scala2.12',
      'env_vars:',
      '- OPENAI_API_KEY',
      'future_key:',
      '  nested:',
      '  - 1',
      '  - two',
      '  when: 2001-12-14 21:59:43.10',
      'metadata:',
      '  owner: ada',
      '  "yes": on',
      '',
    ].join('\n');
    const withFlavor = text.replace(
      'flavors:\n',
      'flavors:\n  my_flavor:\n    weights: w.bin\n    layers: [3, 4]\n  onnx:\n    data: model.onnx\n    onnx_version: 1.17.0\n    providers:\n    - CPUExecutionProvider\n    extra_thing: 7\n',
    );
    const m = parseMLmodel(withFlavor);
    expect(m.flavors.my_flavor).toEqual({ weights: 'w.bin', layers: [3, 4] });
    expect((m.flavors.onnx as Record<string, unknown>).extra_thing).toBe(7);
    expect(m.flavors.onnx?.providers).toEqual(['CPUExecutionProvider']);
    expect((m as Record<string, unknown>).future_key).toEqual({ nested: [1, 'two'], when: new Date('2001-12-14T21:59:43.100Z') });
    expect(m.metadata).toEqual({ owner: 'ada', yes: true });
    expect(m.env_vars).toEqual(['OPENAI_API_KEY']);
    expect(m.flavors.python_function?.code).toBeNull();
    expect('metadata' in parseMLmodel(sample('pyfunc-addone'))).toBe(false);
    const again = parseMLmodel(writeMLmodel(m));
    expect(again).toEqual(m);
    // A string that YAML 1.1 reads as a boolean is quoted on the way out, so it stays a string.
    const quoted: MLmodel = { ...m, metadata: { flag: 'yes', n: '1_000' } };
    expect(parseMLmodel(writeMLmodel(quoted)).metadata).toEqual({ flag: 'yes', n: '1_000' });
  });

  it('[MODEL-4] a malformed file is a typed refusal naming the field and its line', () => {
    const base = sample('sklearn-logreg');
    const e1 = refusal(base.replace('model_size_bytes: 1060', 'model_size_bytes: lots'));
    expect(e1.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e1.details).toMatchObject({ field: 'model_size_bytes', line: 19 });
    expect(e1.message).toMatch(/model_size_bytes.*line 19/);
    const e2 = refusal(base.replace("utc_time_created: '2026-12-01 16:38:58.871219'", "utc_time_created: 'yesterday'"));
    expect(e2.details).toMatchObject({ field: 'utc_time_created', line: 34 });
    const e3 = refusal(base.replace('type: dataframe', 'type: spreadsheet'));
    expect(e3.details).toMatchObject({ field: 'saved_input_example_info.type', line: 27 });
    const e4 = refusal(base.replace('"type": "double", "name": "f1"', '"type": "decimal", "name": "f1"'));
    expect(e4.details).toMatchObject({ field: 'signature.inputs[0]', line: 29 });
    expect(e4.message).toMatch(/Unsupported type 'decimal'/);
    const e5 = refusal(base.replace('flavors:\n', 'flavors: [\n'));
    expect(e5.code).toBe('INVALID_PARAMETER_VALUE');
    expect(typeof e5.details?.line).toBe('number');
    expect(refusal('- a\n- b\n').message).toMatch(/mapping/);
    expect(refusal('artifact_path: x\n').details).toMatchObject({ field: 'flavors' });
    expect(refusal(base.replace('  inputs: \'[{', '  inputs: \'[{]{')).details).toMatchObject({ field: 'signature.inputs', line: 29 });
    // A key zod would drop without a word is refused loudly, naming where it is.
    expect(refusal(`${base}metadata:\n  owner: ada\n  __proto__:\n    polluted: 1\n`).details).toMatchObject({ field: 'metadata.__proto__', line: 37 });
    expect(refusal(base.replace('"name": "f1"', '"name": "f1", "__proto__": {}')).details).toMatchObject({ field: 'signature.inputs', line: 29 });
    expect(refusal('flavors: {}\nmetadata:\n  x: ' + 'a'.repeat(4 * 1024 * 1024) + '\n').message).toMatch(/longer than/);
  });

  it('[MODEL-5] a new MLmodel has the keys MLflow 3.6 writes and its time format', () => {
    expect(formatUtcTimeCreated(new Date('2026-12-01T16:38:54.591Z'))).toBe('2026-12-01 16:38:54.591000');
    expect(formatUtcTimeCreated(new Date('2026-01-02T03:04:05.000Z'))).toBe('2026-01-02 03:04:05');
    const m = newMLmodel({
      flavors: { onnx: { data: 'model.onnx', onnx_version: '1.17.0', providers: ['CPUExecutionProvider'], code: null } },
      runId: 'r1',
      artifactPath: 'model',
      createdAt: new Date('2026-12-01T16:38:54.591Z'),
      signature: { inputs: { kind: 'tensors', tensors: [{ name: 'x', dtype: 'float32', shape: [-1, 4] }] }, outputs: null, params: null },
    });
    expect(m.model_uuid).toMatch(/^[0-9a-f]{32}$/);
    const text = writeMLmodel(m);
    expect(Object.keys(parseYaml(text, { version: '1.1' }))).toEqual([
      'artifact_path', 'flavors', 'is_signature_from_type_hint', 'mlflow_version', 'model_id', 'model_uuid', 'prompts',
      'run_id', 'signature', 'type_hint_from_example', 'utc_time_created',
    ]);
    expect(text).toContain("utc_time_created: '2026-12-01 16:38:54.591000'\n");
    // Folded after the word that crosses column 80, as PyYAML folds it (its own output for this mapping).
    expect(text).toContain('  inputs: \'[{"name": "x", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape":\n    [-1, 4]}}]\'\n');
    expect(parseYaml(text, { version: '1.1' }).signature.inputs).toBe('[{"name": "x", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]');
    expect(text).toContain('  outputs: null\n');
    expect(parseMLmodel(text)).toEqual(m);
  });
});

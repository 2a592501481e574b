import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  IRIS_SIGNATURE,
  defaultIrisParams,
  exportIrisOnnx,
  irisModelPackage,
  predictIris,
  runIrisExample,
  trainIris,
} from '@/lib/examples/iris';
import {
  describeModelDir,
  loadPyfunc,
  ortBackend,
  parseMLmodel,
  predictionToJson,
  readInputExample,
  readServingInputExample,
  writeMLmodel,
  ONNX_PIP_VERSIONS,
  type OrtModule,
} from '@/lib/models';

const RUN_ID = '0123456789abcdef0123456789abcdef';
const dec = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

describe('the Iris model directory', () => {
  const trained = trainIris(defaultIrisParams('mlp'));
  const onnx = exportIrisOnnx(trained.model);
  const { files, mlmodel } = irisModelPackage(onnx, {
    runId: RUN_ID,
    exampleFeatures: trained.test.features.subarray(0, 12),
    createdAt: new Date(Date.UTC(2026, 11, 2, 4, 0, 0, 123)),
    modelUuid: 'a'.repeat(32),
  });

  it('[IRIS-9] MLmodel parses with lib/models, round trips byte for byte, and says onnx + python_function (mlflow.onnx)', () => {
    const text = dec(files.get('MLmodel'));
    const parsed = parseMLmodel(text);
    expect(writeMLmodel(parsed)).toBe(text);
    expect(parsed).toEqual(mlmodel);
    expect(parsed.run_id).toBe(RUN_ID);
    expect(parsed.artifact_path).toBe('model');
    expect(parsed.utc_time_created).toBe('2026-12-02 04:00:00.123000');
    expect(parsed.flavors.onnx).toMatchObject({ data: 'model.onnx', onnx_version: ONNX_PIP_VERSIONS.onnx, code: null, providers: ['CPUExecutionProvider'] });
    expect(parsed.flavors.python_function).toMatchObject({ loader_module: 'mlflow.onnx', data: 'model.onnx', env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' } });
    expect(parsed.signature).toEqual(IRIS_SIGNATURE);
    // The signature is stored as MLflow's JSON strings.
    expect(text).toContain(`inputs: '[{"name": "features", "type": "tensor", "tensor-spec": {"dtype": "float32",`);
    expect(parsed.saved_input_example_info).toEqual({ artifact_path: 'input_example.json', serving_input_path: 'serving_input_example.json', type: 'ndarray' });
    // MLflow measures the directory once the model and its example are saved, before the MLmodel and env files.
    let saved = 0;
    for (const p of ['model.onnx', 'input_example.json', 'serving_input_example.json']) saved += files.get(p)!.length;
    expect(parsed.model_size_bytes).toBe(saved);
    const roles = Object.fromEntries(describeModelDir(files).map((e) => [e.path, e.role]));
    expect(roles).toMatchObject({ MLmodel: 'mlmodel', 'model.onnx': 'flavor', 'input_example.json': 'input-example', 'serving_input_example.json': 'serving-input-example' });
  });

  it('[IRIS-9] the input example (three held-out flowers, an array) predicts through MLflow’s onnx pyfunc path to the TypeScript labels, as {probabilities, label}', async () => {
    const example = readInputExample(files)!;
    expect(example).toMatchObject({ type: 'ndarray' });
    const rows = JSON.parse(dec(files.get('input_example.json'))) as number[][];
    expect(rows).toHaveLength(3);
    expect(readServingInputExample(files)).toEqual({ inputs: rows });
    const x = Float32Array.from(trained.test.features.subarray(0, 12));
    expect(Float32Array.from(rows.flat())).toEqual(x);
    // The whole pyfunc path (enforceSchema, feeds, outputs): a column signature here failed as MLflow's does, the
    // [3, 3] probabilities and the [3] labels being no one frame ("All arrays must be of the same length").
    const model = await loadPyfunc(files, ortBackend(ort as unknown as OrtModule, 'onnxruntime-node'));
    const { predictions } = predictionToJson(await model.predict(readServingInputExample(files)!)) as { predictions: { probabilities: number[][]; label: number[] } };
    await model.close();
    const ts = predictIris(trained.model, x);
    expect(predictions.label).toEqual([...ts.labels]);
    expect(predictions.probabilities).toHaveLength(3);
    predictions.probabilities.flat().forEach((p, i) => expect(p).toBeCloseTo(ts.probabilities[i]!, 5));
  });

  it('[IRIS-10] runIrisExample trains, exports and packages in one call, with the run id and params in the MLmodel', () => {
    const epochs: number[] = [];
    const r = runIrisExample({ ...defaultIrisParams('logistic_regression'), epochs: 30 }, RUN_ID, (m) => epochs.push(m.epoch));
    expect(epochs).toHaveLength(30);
    expect([...r.files.keys()].sort()).toEqual(['MLmodel', 'conda.yaml', 'input_example.json', 'model.onnx', 'python_env.yaml', 'requirements.txt', 'serving_input_example.json']);
    expect(r.onnxBytes).toBe(r.files.get('model.onnx')!.length);
    const m = parseMLmodel(dec(r.files.get('MLmodel')));
    expect(m.run_id).toBe(RUN_ID);
    expect(m.metadata).toMatchObject({ cairn_example: 'iris', model: 'logistic_regression', test_accuracy: r.testAccuracy });
  });
});

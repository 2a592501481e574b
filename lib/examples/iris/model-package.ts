/**
 * The trained Iris model as an MLflow model directory (IRIS-9): what `mlflow.onnx.log_model(onnx_model, "model",
 * signature=…, input_example=df)` writes, with lib/models' MLmodel writer. Logged under the run's artifact path
 * `model`, it loads in Python with `mlflow.pyfunc.load_model("runs:/<run>/model")` and in Cairn with the ONNX flavor.
 *
 * Choices, since no Python wrote it:
 * - The signature's inputs are four named `double` columns, what MLflow infers from a pandas DataFrame of the example;
 *   the ONNX input is float32 [batch, 4], and mlflow.onnx's pyfunc casts a single-input frame to it. The outputs are
 *   the graph's two tensors.
 * - `onnx_version` is 1.12.0, the first onnx release that reads IR 8 / opset 17 (what onnx-model.ts writes).
 * - The environment files name unpinned `onnx` / `onnxruntime` (no Python resolved versions here) and Python 3.11.
 * - `model_size_bytes` is the size of every file but MLmodel itself.
 */
import { IRIS_FEATURES, IRIS_FEATURE_COUNT } from './dataset';
import { IRIS_MODEL_ARTIFACT_PATH, IRIS_ONNX_FILE } from './model-files';
import { IRIS_ONNX_LABEL, IRIS_ONNX_PROBABILITIES } from './onnx-export';
import { MLMODEL_FILE_NAME, newMLmodel, pyJsonDumps, writeMLmodel, type MLmodel, type Signature } from '../../models';

const INPUT_EXAMPLE_FILE = 'input_example.json';
const SERVING_INPUT_FILE = 'serving_input_example.json';
/** The onnx package version whose format the file is (see the file comment). */
const ONNX_FORMAT_VERSION = '1.12.0';
const PYTHON_VERSION = '3.11';
const MLFLOW_REQUIREMENT = 'mlflow==3.6.0';
const PIP_REQUIREMENTS = [MLFLOW_REQUIREMENT, 'onnx', 'onnxruntime', 'numpy', 'pandas'];

/** The model's signature (IRIS-9): four named double columns in; class probabilities and the label out. */
export const IRIS_SIGNATURE: Signature = {
  inputs: { kind: 'columns', columns: IRIS_FEATURES.map((name) => ({ name, type: { kind: 'scalar', type: 'double' }, required: true })) },
  outputs: {
    kind: 'tensors',
    tensors: [
      { name: IRIS_ONNX_PROBABILITIES, dtype: 'float32', shape: [-1, 3] },
      { name: IRIS_ONNX_LABEL, dtype: 'int64', shape: [-1] },
    ],
  },
  params: null,
};

export interface IrisPackageOptions {
  runId: string;
  /** Rows (n × 4 raw features) for `input_example.json`: a few held-out flowers. */
  exampleFeatures: ArrayLike<number>;
  /** Extra `metadata` of the MLmodel (the example's params and test accuracy, for people reading it). */
  metadata?: Record<string, unknown>;
  createdAt?: Date;
  modelUuid?: string;
}

const encoder = new TextEncoder();

/** Floats as the example shows them: the dataset's one decimal, not float32 noise. */
const exampleRows = (features: ArrayLike<number>): number[][] => {
  const rows: number[][] = [];
  for (let i = 0; i + IRIS_FEATURE_COUNT <= features.length; i += IRIS_FEATURE_COUNT)
    rows.push(Array.from({ length: IRIS_FEATURE_COUNT }, (_, j) => Math.round(features[i + j]! * 1e6) / 1e6));
  return rows;
};

/** The model directory's files (path → bytes) and its MLmodel, ready to upload under `model/`. */
export function irisModelPackage(onnx: Uint8Array, o: IrisPackageOptions): { files: Map<string, Uint8Array>; mlmodel: MLmodel } {
  const split = { columns: [...IRIS_FEATURES], data: exampleRows(o.exampleFeatures) };
  const files = new Map<string, Uint8Array>([
    [IRIS_ONNX_FILE, onnx],
    [INPUT_EXAMPLE_FILE, encoder.encode(pyJsonDumps(split))],
    [SERVING_INPUT_FILE, encoder.encode(JSON.stringify({ dataframe_split: split }, null, 2))],
    ['requirements.txt', encoder.encode(PIP_REQUIREMENTS.join('\n'))],
    ['python_env.yaml', encoder.encode(`python: ${PYTHON_VERSION}\nbuild_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n- -r requirements.txt\n`)],
    [
      'conda.yaml',
      encoder.encode(`channels:\n- conda-forge\ndependencies:\n- python=${PYTHON_VERSION}\n- pip\n- pip:\n${PIP_REQUIREMENTS.map((r) => `  - ${r}`).join('\n')}\nname: mlflow-env\n`),
    ],
  ]);
  let size = 0;
  for (const b of files.values()) size += b.length;
  const mlmodel = newMLmodel({
    flavors: {
      onnx: { code: null, data: IRIS_ONNX_FILE, onnx_version: ONNX_FORMAT_VERSION, providers: ['CPUExecutionProvider'] },
      python_function: {
        data: IRIS_ONNX_FILE,
        env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
        loader_module: 'mlflow.onnx',
        python_version: PYTHON_VERSION,
      },
    },
    runId: o.runId,
    artifactPath: IRIS_MODEL_ARTIFACT_PATH,
    signature: IRIS_SIGNATURE,
    savedInputExampleInfo: { artifact_path: INPUT_EXAMPLE_FILE, pandas_orient: 'split', serving_input_path: SERVING_INPUT_FILE, type: 'dataframe' },
    ...(o.metadata ? { metadata: o.metadata } : {}),
    modelSizeBytes: size,
    ...(o.createdAt ? { createdAt: o.createdAt } : {}),
    ...(o.modelUuid ? { modelUuid: o.modelUuid } : {}),
  });
  files.set(MLMODEL_FILE_NAME, encoder.encode(writeMLmodel(mlmodel)));
  return { files, mlmodel };
}


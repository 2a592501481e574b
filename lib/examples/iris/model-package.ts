/**
 * The trained Iris model as an MLflow model directory (IRIS-9): what `mlflow.onnx.log_model(onnx_model, "model",
 * signature=…, input_example=df)` writes — lib/models' `onnxModelDir`, the one writer `run.logModel` uses too. Logged
 * under the run's artifact path `model`, it loads in Python with `mlflow.pyfunc.load_model("runs:/<run>/model")` and
 * in Cairn with the ONNX flavor.
 *
 * The signature's inputs are four named `double` columns, what MLflow infers from a pandas DataFrame of the example;
 * the ONNX input is float32 [batch, 4], and mlflow.onnx's pyfunc casts a single-input frame to it. The outputs are the
 * graph's two tensors.
 */
import { IRIS_FEATURES, IRIS_FEATURE_COUNT } from './dataset';
import { IRIS_MODEL_ARTIFACT_PATH } from './model-files';
import { IRIS_ONNX_LABEL, IRIS_ONNX_PROBABILITIES } from './onnx-export';
import { MLMODEL_FILE_NAME, onnxModelDir, parseMLmodel, type MLmodel, type Signature } from '../../models';

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

/** Floats as the example shows them: the dataset's one decimal, not float32 noise. */
const exampleRows = (features: ArrayLike<number>): number[][] => {
  const rows: number[][] = [];
  for (let i = 0; i + IRIS_FEATURE_COUNT <= features.length; i += IRIS_FEATURE_COUNT)
    rows.push(Array.from({ length: IRIS_FEATURE_COUNT }, (_, j) => Math.round(features[i + j]! * 1e6) / 1e6));
  return rows;
};

/** The model directory's files (path → bytes) and its MLmodel, ready to upload under `model/`. */
export function irisModelPackage(onnx: Uint8Array, o: IrisPackageOptions): { files: Map<string, Uint8Array>; mlmodel: MLmodel } {
  const files = onnxModelDir({
    onnx,
    signature: IRIS_SIGNATURE,
    inputExample: { columns: [...IRIS_FEATURES], data: exampleRows(o.exampleFeatures) },
    providers: ['CPUExecutionProvider'],
    runId: o.runId,
    artifactPath: IRIS_MODEL_ARTIFACT_PATH,
    ...(o.metadata ? { metadata: o.metadata } : {}),
    ...(o.createdAt ? { createdAt: o.createdAt } : {}),
    ...(o.modelUuid ? { modelUuid: o.modelUuid } : {}),
  });
  return { files, mlmodel: parseMLmodel(new TextDecoder().decode(files.get(MLMODEL_FILE_NAME)!)) };
}

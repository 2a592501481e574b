/**
 * The trained Iris model as an MLflow model directory (IRIS-9): what `mlflow.onnx.log_model(onnx_model, "model",
 * signature=…, input_example=df)` writes — lib/models' `onnxModelDir`, the one writer `run.logModel` uses too. Logged
 * under the run's artifact path `model`, it loads in Python with `mlflow.pyfunc.load_model("runs:/<run>/model")` and
 * in Cairn with the ONNX flavor.
 *
 * The example is three held-out flowers as an array (MLflow's ndarray example, served as `{"inputs": [[…]]}`).
 */
import { IRIS_FEATURE_COUNT } from './dataset';
import { IRIS_MODEL_ARTIFACT_PATH } from './model-files';
import { IRIS_ONNX_INPUT, IRIS_ONNX_LABEL, IRIS_ONNX_PROBABILITIES } from './onnx-export';
import { MLMODEL_FILE_NAME, onnxModelDir, parseMLmodel, type MLmodel, type Signature } from '../../models';

/**
 * The model's signature (IRIS-9): a float32 [batch, 4] tensor in (sepal length, sepal width, petal length, petal
 * width, in cm), class probabilities [batch, 3] and the label [batch] out. A tensor input, not four columns: MLflow's
 * onnx pyfunc turns a column-signature prediction into a DataFrame of the outputs flattened, which a [batch, 3] output
 * next to a [batch] one cannot be ("All arrays must be of the same length") — with a tensor signature both MLflow and
 * Cairn answer `{probabilities, label}` for a DataFrame or an array alike.
 */
export const IRIS_SIGNATURE: Signature = {
  inputs: { kind: 'tensors', tensors: [{ name: IRIS_ONNX_INPUT, dtype: 'float32', shape: [-1, IRIS_FEATURE_COUNT] }] },
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
    inputExample: exampleRows(o.exampleFeatures),
    providers: ['CPUExecutionProvider'],
    runId: o.runId,
    artifactPath: IRIS_MODEL_ARTIFACT_PATH,
    ...(o.metadata ? { metadata: o.metadata } : {}),
    ...(o.createdAt ? { createdAt: o.createdAt } : {}),
    ...(o.modelUuid ? { modelUuid: o.modelUuid } : {}),
  });
  return { files, mlmodel: parseMLmodel(new TextDecoder().decode(files.get(MLMODEL_FILE_NAME)!)) };
}

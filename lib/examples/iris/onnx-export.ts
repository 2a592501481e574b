/**
 * The trained Iris model as an ONNX graph (IRIS-7, IRIS-8): it takes raw measurements, so the standardization is part
 * of the graph.
 *
 * ```
 * features [batch,4] ─Sub(mean)─Div(std)─MatMul(W1)─Add(b1)─[Relu─MatMul(W2)─Add(b2)]─ logits ─Softmax(axis 1)─ probabilities [batch,3]
 *                                                                                          └─ArgMax(axis 1, keepdims 0)─ label [batch] int64
 * ```
 */
import { IRIS_CLASS_COUNT, IRIS_CLASSES, IRIS_FEATURE_COUNT, IRIS_FEATURES } from './dataset';
import type { IrisModel } from './train';
import { ONNX_FLOAT, ONNX_INT64, writeOnnxModel, type OnnxFloatTensor, type OnnxNode } from '../onnx/onnx-model';

/** Names of the graph's input and outputs: what a caller feeds and fetches. */
export const IRIS_ONNX_INPUT = 'features';
export const IRIS_ONNX_PROBABILITIES = 'probabilities';
export const IRIS_ONNX_LABEL = 'label';
/** The dynamic batch dimension's name (dim_param). */
const BATCH_DIM = 'batch';
/** `producer_version` of the files Cairn writes. */
export const CAIRN_ONNX_PRODUCER_VERSION = '0.1.0';

/** The `.onnx` bytes of a trained Iris model. */
export function exportIrisOnnx(model: IrisModel): Uint8Array {
  const initializers: OnnxFloatTensor[] = [
    { name: 'feature_mean', dims: [IRIS_FEATURE_COUNT], data: model.mean },
    { name: 'feature_std', dims: [IRIS_FEATURE_COUNT], data: model.std },
  ];
  const nodes: OnnxNode[] = [
    { name: 'center', opType: 'Sub', inputs: [IRIS_ONNX_INPUT, 'feature_mean'], outputs: ['centered'] },
    { name: 'scale', opType: 'Div', inputs: ['centered', 'feature_std'], outputs: ['scaled'] },
  ];
  let x = 'scaled';
  model.layers.forEach((l, i) => {
    const n = i + 1;
    initializers.push({ name: `W${n}`, dims: [l.inputs, l.outputs], data: l.weights }, { name: `b${n}`, dims: [l.outputs], data: l.bias });
    const last = i === model.layers.length - 1;
    const sum = last ? 'logits' : `dense${n}`;
    nodes.push(
      { name: `matmul${n}`, opType: 'MatMul', inputs: [x, `W${n}`], outputs: [`matmul${n}_out`] },
      { name: `add${n}`, opType: 'Add', inputs: [`matmul${n}_out`, `b${n}`], outputs: [sum] },
    );
    x = sum;
    if (l.relu) {
      nodes.push({ name: `relu${n}`, opType: 'Relu', inputs: [sum], outputs: [`relu${n}_out`] });
      x = `relu${n}_out`;
    }
  });
  nodes.push(
    { name: 'softmax', opType: 'Softmax', inputs: ['logits'], outputs: [IRIS_ONNX_PROBABILITIES], ints: { axis: 1 } },
    // ArgMax's axis defaults to 0 (the batch): the class axis is 1.
    { name: 'argmax', opType: 'ArgMax', inputs: ['logits'], outputs: [IRIS_ONNX_LABEL], ints: { axis: 1, keepdims: 0 } },
  );
  return writeOnnxModel(
    {
      name: `cairn_iris_${model.kind}`,
      docString: `Iris classifier (${model.kind}) trained by Cairn's built-in example. Input: ${IRIS_FEATURES.join(', ')} in cm. Labels: ${IRIS_CLASSES.map((c, i) => `${i}=${c}`).join(', ')}.`,
      inputs: [{ name: IRIS_ONNX_INPUT, elemType: ONNX_FLOAT, shape: [BATCH_DIM, IRIS_FEATURE_COUNT] }],
      outputs: [
        { name: IRIS_ONNX_PROBABILITIES, elemType: ONNX_FLOAT, shape: [BATCH_DIM, IRIS_CLASS_COUNT] },
        { name: IRIS_ONNX_LABEL, elemType: ONNX_INT64, shape: [BATCH_DIM] },
      ],
      initializers,
      nodes,
    },
    {
      producerName: 'cairn',
      producerVersion: CAIRN_ONNX_PRODUCER_VERSION,
      metadata: { classes: IRIS_CLASSES.join(','), features: IRIS_FEATURES.join(',') },
    },
  );
}

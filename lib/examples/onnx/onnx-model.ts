/**
 * Writes an ONNX `ModelProto` (IRIS-7) from a plain description of a graph: inputs and outputs with their element
 * types and shapes (a string dimension is a `dim_param`, i.e. dynamic), float32 initializers, nodes with int
 * attributes. The subset of onnx.proto a small dense network needs; field numbers are onnx.proto's (onnx/onnx.proto:
 * ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto,
 * OperatorSetIdProto).
 */
import { ProtoWriter } from './proto-writer';

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;
/** AttributeProto.AttributeType INT. */
const ATTR_INT = 2;

/** IR version 8 (ONNX 1.10+): understood by every onnxruntime since 1.10 and by onnx's checker since 1.10. */
export const ONNX_IR_VERSION = 8;
/** The default-domain opset this writer targets (Softmax-13 and ArgMax-13 semantics; supported since ONNX 1.12). */
export const ONNX_OPSET = 17;

/** A graph input or output: name, element type, shape (numbers fixed, strings dynamic `dim_param`s). */
export interface OnnxValueInfo {
  name: string;
  elemType: typeof ONNX_FLOAT | typeof ONNX_INT64;
  shape: (number | string)[];
}
/** A float32 constant (an initializer), stored little-endian in `raw_data`. */
export interface OnnxFloatTensor {
  name: string;
  dims: number[];
  data: Float32Array;
}
export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** Int attributes (axis, keepdims, …). */
  ints?: Record<string, number>;
}
export interface OnnxGraph {
  name: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: OnnxFloatTensor[];
  nodes: OnnxNode[];
  docString?: string;
}
export interface OnnxModelOptions {
  producerName: string;
  producerVersion: string;
  /** `metadata_props` (shown by Netron, readable through onnxruntime's model metadata). */
  metadata?: Record<string, string>;
}

function valueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name); // ValueInfoProto.name
  w.message(2, (type) =>
    // TypeProto.tensor_type = 1 → TypeProto.Tensor { elem_type = 1, shape = 2 }
    type.message(1, (t) => {
      t.int(1, v.elemType);
      t.message(2, (shape) => {
        // TensorShapeProto.dim = 1 → Dimension { dim_value = 1 | dim_param = 2 }
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

function floatTensor(w: ProtoWriter, t: OnnxFloatTensor): void {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (expected !== t.data.length) throw new RangeError(`initializer ${t.name}: dims ${t.dims.join('×')} need ${expected} values, got ${t.data.length}`);
  for (const d of t.dims) w.int(1, d); // TensorProto.dims (repeated int64, unpacked: both encodings are valid)
  w.int(2, ONNX_FLOAT); // TensorProto.data_type
  w.string(8, t.name); // TensorProto.name
  const raw = new Uint8Array(t.data.length * 4);
  const view = new DataView(raw.buffer);
  t.data.forEach((x, i) => view.setFloat32(i * 4, x, true));
  w.bytes(9, raw); // TensorProto.raw_data: fixed-width little-endian
}

function node(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i); // NodeProto.input
  for (const o of n.outputs) w.string(2, o); // NodeProto.output
  if (n.name) w.string(3, n.name); // NodeProto.name
  w.string(4, n.opType); // NodeProto.op_type
  for (const [name, value] of Object.entries(n.ints ?? {})) {
    // NodeProto.attribute = 5 → AttributeProto { name = 1, i = 3, type = 20 }
    w.message(5, (a) => a.string(1, name).int(3, value).int(20, ATTR_INT));
  }
}

/** The serialized `.onnx` bytes of `graph` (ir_version 8, the default domain at opset ONNX_OPSET). */
export function writeOnnxModel(graph: OnnxGraph, o: OnnxModelOptions): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, ONNX_IR_VERSION); // ModelProto.ir_version
  w.string(2, o.producerName); // ModelProto.producer_name
  w.string(3, o.producerVersion); // ModelProto.producer_version
  w.message(7, (g) => {
    // ModelProto.graph → GraphProto
    for (const n of graph.nodes) g.message(1, (x) => node(x, n)); // node = 1
    g.string(2, graph.name); // name = 2
    for (const t of graph.initializers) g.message(5, (x) => floatTensor(x, t)); // initializer = 5
    if (graph.docString) g.string(10, graph.docString); // doc_string = 10
    for (const v of graph.inputs) g.message(11, (x) => valueInfo(x, v)); // input = 11
    for (const v of graph.outputs) g.message(12, (x) => valueInfo(x, v)); // output = 12
  });
  // ModelProto.opset_import = 8 → OperatorSetIdProto { domain = 1 ("" is ai.onnx), version = 2 }
  w.message(8, (op) => op.string(1, '').int(2, ONNX_OPSET));
  for (const [key, value] of Object.entries(o.metadata ?? {})) w.message(14, (e) => e.string(1, key).string(2, value)); // metadata_props
  return w.finish();
}

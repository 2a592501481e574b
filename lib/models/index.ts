/** lib/models: MLflow model packages (MLmodel, signatures, predict-input enforcement, model dirs, transport zip). */
export * from './mlmodel';
export * from './signature';
export { parsePyJson, pyJsonDumps } from './py-json';
export * from './serving-input';
export * from './enforce';
export type { BatchColumn, ColumnBatch, ColumnData } from './enforce-columns';
export type { BatchTensor, TensorBatch } from './enforce-tensors';
export type { NumericDtype, TypedData } from './tensor-data';
export * from './model-dir';
export { crc32, readZip, writeZip } from './zip';
export * from './onnx-backend';
export * from './pyfunc';
export * from './onnx-model-dir';

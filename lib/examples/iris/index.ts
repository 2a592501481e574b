/** The built-in Iris example (lib/examples/README.md): dataset, trainer, ONNX export, MLflow model directory. */
export * from './dataset';
export { splitIris, DEFAULT_TEST_FRACTION, type IrisSplit, type IrisSplitPart } from './split';
export { seededRng } from './prng';
export * from './params';
export * from './train';
export * from './model-files';
export * from './onnx-export';
export * from './model-package';
export * from './example';

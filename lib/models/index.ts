/** lib/models: MLflow model packages (MLmodel, signatures, predict-input enforcement, model dirs, transport zip). */
export * from './mlmodel';
export * from './signature';
export { pyJsonDumps } from './py-json';

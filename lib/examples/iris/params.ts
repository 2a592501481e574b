/**
 * The example's model kinds, params and defaults, without the trainer: what a page needs to offer the choice (no zod,
 * no math). train.ts validates params against its schema, which has this shape.
 */
export const IRIS_MODEL_KINDS = ['logistic_regression', 'mlp'] as const;
export type IrisModelKind = (typeof IRIS_MODEL_KINDS)[number];

/** Far more than the few hundred epochs Iris needs; bounds what one click can ask of the worker. */
export const MAX_EPOCHS = 2000;
/** Hidden units of the MLP: 256 is already a thousand times more capacity than four features need. */
export const MAX_HIDDEN = 256;

/** The hyper-parameters, named as they are logged as the run's params (IRIS-4). */
export interface IrisTrainParams {
  model: IrisModelKind;
  epochs: number;
  learning_rate: number;
  /** Hidden units (MLP only; logistic regression has no hidden layer and ignores it). */
  hidden: number;
  batch_size: number;
  seed: number;
  optimizer: 'adam' | 'sgd';
}

/** Defaults that reach ≥ 0.9 test accuracy for both models (IRIS-5). */
export function defaultIrisParams(model: IrisModelKind = 'logistic_regression'): IrisTrainParams {
  return model === 'mlp'
    ? { model, epochs: 100, learning_rate: 0.01, hidden: 16, batch_size: 16, seed: 42, optimizer: 'adam' }
    : { model, epochs: 100, learning_rate: 0.05, hidden: 16, batch_size: 16, seed: 42, optimizer: 'adam' };
}

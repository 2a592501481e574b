/**
 * `cairn/sdk`: log runs from Node or a browser notebook, MLflow's fluent client in TypeScript casing.
 *
 *   import { connect } from 'cairn/sdk';
 *   const cairn = await connect({ relay: 'http://127.0.0.1:8080', workspace: 'default' });
 *   const run = await cairn.startRun({ experimentName: 'mnist' });
 *   run.logParam('lr', 0.01);
 *   run.logMetric('loss', 0.5, { step: 1 });
 *   await run.end();
 *   await cairn.close();
 */
export { connect, CairnClient, type HeldRun } from './client';
export { FLUSH_INTERVAL_MS, MAX_PENDING_POINTS } from './point-chunker';
export type { SearchRunsRequest, SearchRunsResult, ListedRun, ListedMetric } from './listed-run';
export { ActiveRun, type StartRunOptions, type MetricOptions } from './run';
export type { ConnectOptions } from './env';
export {
  loadModel,
  parseModelUri,
  type LoadModelOptions,
  type LoadedModel,
  type LogModelOptions,
  type LoggedModel,
  type ModelRegistrar,
  type ModelUriResolver,
} from './models';
export { nodeOnnxBackend } from './onnx-node';
export { ortBackend, predictionToJson, type OnnxBackend, type Prediction, type PredictOutput } from '../models';
export { CairnError } from '../domain';
export type { Experiment, ExperimentId, Run, RunId, RunInfo, MetricSummary, ArtifactRef, ParamConflict, Dataset, DatasetInput } from '../domain';
export type { HistoryPoint } from '../doc';
export { RegistryClient, AWAIT_REGISTRATION_MS } from './registry';
export type { RegisteredModel, ModelVersion, HistoryEntry, Stage } from '../registry';

/** What components import: the hooks, the provider and the contract types. Nothing here exposes Yjs, Dexie or comlink. */
export * from './contract';
export { DataProvider } from './DataProvider';
export {
  useCommands,
  useConflicts,
  useExperiment,
  useExperiments,
  useRun,
  useRunMetrics,
  useRuns,
  useRunsPage,
  usePresence,
  useSettings,
  useSyncStatus,
} from './hooks';
export * from './table-hooks';
export * from './charts-hooks';
export * from './manage-hooks';
export * from './boards-hooks';
export { createModelClient, useModelClient, type ModelClient, type LoadedModelInfo, type PredictResult, type OnnxValueInfo, type Prediction, type PredictOutput } from './model-client';
export * from './examples-hooks';
export * from './registry-hooks';

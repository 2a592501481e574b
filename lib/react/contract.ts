/**
 * The contract between the UI (components/, app/) and the data worker, as seen through lib/react hooks.
 * Components import these types and the hooks in ./hooks.ts; they never touch Yjs, Dexie or comlink.
 */
import type { Experiment, ExperimentId, ParamConflict, Run, RunId, WireError } from '../domain';

export type SyncState = 'offline' | 'connecting' | 'syncing' | 'synced' | 'error';

export interface SyncStatus {
  state: SyncState;
  /** Relay base URL in use, or null when the app runs local-only (no relay configured). */
  relay: string | null;
  workspace: string;
  /** Human-readable reason for 'error' (e.g. "unauthenticated: unknown token") or read-only notice. */
  detail?: string;
  readOnly?: boolean;
}

export interface Peer {
  clientId: number;
  name: string;
  color: string;
}

export interface Settings {
  relayUrl: string | null;
  workspace: string;
  token: string | null;
  userName: string;
}

/** One row of an experiment's runs table: what the experiment index says of a run (no run doc opened). */
export type { RunRow, RunsPage, RunsQuery } from '../search/runs-page';
export type { SearchError } from '../search/filter-ast';

export type { ChartSeries } from '../search/bucket';

export interface QueryResult<T> {
  data: T | undefined;
  error?: WireError;
  loading: boolean;
}

export interface Commands {
  createExperiment(name: string, tags?: Record<string, string>): Promise<ExperimentId>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  /** A new run in the experiment, written on this device first (works offline); resolves with its id. */
  startRun(experimentId: string, runName?: string): Promise<RunId>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  setRunTag(runId: string, key: string, value: string): Promise<void>;
  deleteRunTag(runId: string, key: string): Promise<void>;
  /** Also sets the `mlflow.runName` tag, as MLflow does. */
  renameRun(runId: string, runName: string): Promise<void>;
  /** Experiment tags; `mlflow.note.content` is the experiment's description, as in MLflow. */
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;
  saveSettings(s: Partial<Settings>): Promise<void>;
}

export type { Experiment, ExperimentId, ParamConflict, Run, RunId, WireError };

'use client';

import type {
  ChartSeries,
  Commands,
  Experiment,
  ParamConflict,
  Peer,
  QueryResult,
  Run,
  RunRow,
  RunsPage,
  RunsQuery,
  Settings,
  SyncStatus,
} from './contract';
import { useCommandSet, useWorkerQuery } from './worker-query';

/** The hooks of contract.ts, each a useWorkerQuery (worker-query.ts) over one worker function and its topics. */

type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

const CONNECTING: SyncStatus = { state: 'connecting', relay: null, workspace: 'default', detail: 'starting' };

/** The sync state machine's current state (read-only: the UI shows it, never drives it). */
export function useSyncStatus(): SyncStatus {
  const r = useWorkerQuery('status', ['status'], (c) => c.getStatus());
  if (r.error) return { state: 'error', relay: null, workspace: 'default', detail: `${r.error.code.toLowerCase()}: ${r.error.message}` };
  return r.data ?? CONNECTING;
}

const NO_PEERS: Peer[] = [];

/** Other people in this workspace right now (never this tab). */
export function usePresence(): Peer[] {
  return useWorkerQuery('presence', ['presence'], (c) => c.getPresence()).data ?? NO_PEERS;
}

export function useSettings(): QueryResult<Settings> {
  return useWorkerQuery('settings', ['settings'], (c) => c.getSettings());
}

export function useExperiments(view: ViewType = 'ACTIVE_ONLY'): QueryResult<Experiment[]> {
  return useWorkerQuery(`experiments:${view}`, ['experiments'], (c) => c.listExperiments(view));
}

export function useExperiment(id: string | null | undefined): QueryResult<Experiment | null> {
  return useWorkerQuery(`experiment:${id ?? ''}`, id ? ['experiments'] : [], async (c) => (id ? c.getExperiment(id) : null));
}

export function useRuns(experimentId: string | null | undefined, view: ViewType = 'ACTIVE_ONLY'): QueryResult<RunRow[]> {
  return useWorkerQuery(
    `runs:${experimentId ?? ''}:${view}`,
    experimentId ? [`runs:${experimentId}`] : [],
    async (c) => (experimentId ? c.listRuns(experimentId, view) : []),
  );
}

/**
 * The first `limit` active runs (newest first, or as `query.orderBy` says; only those matching `query.filter`) with the
 * total count and the metric columns (see RunsPage). A bad filter comes back as `page.error`, not as a failure.
 */
export function useRunsPage(experimentId: string | null | undefined, limit: number, query: RunsQuery = {}): QueryResult<RunsPage | null> {
  const filter = query.filter?.trim() ?? '';
  const orderBy = query.orderBy ?? [];
  return useWorkerQuery(
    `runs-page:${experimentId ?? ''}:${limit}:${JSON.stringify([filter, orderBy])}`,
    experimentId ? [`runs:${experimentId}`] : [],
    async (c) => (experimentId ? c.listRunsPage(experimentId, limit, { filter, orderBy }) : null),
  );
}

export function useRun(runId: string | null | undefined): QueryResult<Run | null> {
  return useWorkerQuery(`run:${runId ?? ''}`, runId ? [`run:${runId}`] : [], async (c) => (runId ? c.getRun(runId) : null));
}

/**
 * Bucketed metric series of a run, live: the subscription keeps the run doc open in the worker (a socket while the
 * run is RUNNING, one snapshot fetch when it has finished) and the series re-query as chunks arrive.
 */
export function useRunMetrics(runId: string | null | undefined, buckets?: number): QueryResult<ChartSeries[]> {
  return useWorkerQuery(
    `metrics:${runId ?? ''}:${buckets ?? ''}`,
    runId ? [`metrics:${runId}`] : [],
    async (c) => (runId ? c.getRunMetrics(runId, buckets) : []),
  );
}

export function useConflicts(): QueryResult<ParamConflict[]> {
  return useWorkerQuery('conflicts', ['conflicts'], (c) => c.listConflicts());
}

/**
 * The write commands. Each resolves after the change is stored in IndexedDB (and rejects with a CairnError whose
 * `code` says why it was refused). Calls made before the worker is up fail with INVALID_STATE rather than hang.
 */
export function useCommands(): Commands {
  return useCommandSet<Commands>((c) => ({
    createExperiment: async (name, tags) => c().createExperiment(name, tags),
    renameExperiment: async (id, newName) => c().renameExperiment(id, newName),
    deleteExperiment: async (id) => c().deleteExperiment(id),
    restoreExperiment: async (id) => c().restoreExperiment(id),
    startRun: async (experimentId, runName) => c().startRun(experimentId, runName),
    deleteRun: async (runId) => c().deleteRun(runId),
    restoreRun: async (runId) => c().restoreRun(runId),
    setRunTag: async (runId, key, value) => c().setRunTag(runId, key, value),
    deleteRunTag: async (runId, key) => c().deleteRunTag(runId, key),
    renameRun: async (runId, runName) => c().renameRun(runId, runName),
    setExperimentTag: async (id, key, value) => c().setExperimentTag(id, key, value),
    deleteExperimentTag: async (id, key) => c().deleteExperimentTag(id, key),
    saveSettings: async (s) => c().saveSettings(s),
  }));
}

import type { RunInfo } from '../lib/domain';
import type { IndexRow } from '../lib/run-index';
import type { RunRow } from '../lib/search/runs-page';

/** An index row in the shape the runs table takes (lib/search RunRow): fresh objects, keys kept as plain data. */
export function viewOfRow(r: IndexRow): RunRow {
  const info: RunInfo = {
    runId: r.runId as RunInfo['runId'],
    runName: r.runName,
    experimentId: r.experimentId as RunInfo['experimentId'],
    userId: r.userId,
    status: r.status,
    startTime: r.startTime,
    endTime: r.endTime,
    lifecycleStage: r.lifecycleStage,
    // The index keeps no deletion time; the run page (its run doc) has it.
    deletedTime: null,
    artifactUri: r.artifactUri,
  };
  return { info, params: r.params, tags: r.tags, metrics: r.metrics, datasets: r.datasets };
}

/** MLflow's default order: newest start first, then run id. */
export const byStartDesc = (a: IndexRow, b: IndexRow) => b.startTime - a.startTime || (a.runId < b.runId ? -1 : 1);

import { z } from 'zod';
import { asRunId, type ExperimentId, type RunInfo } from '../domain';
import type { IndexRow } from '../run-index';

/**
 * What `searchRuns` / `listRuns` take and give (SPEC.md SDK-14, SDK-17): the request as the boundary checks it, and a
 * run in the shape the experiment index holds it.
 */

export const SearchRunsRequestSchema = z
  .object({
    experimentIds: z.array(z.string()).optional(),
    filter: z.string().optional(),
    orderBy: z.array(z.string()).optional(),
    // Range and MLflow's messages for it are lib/search's (SEARCH-21); here only the type.
    maxResults: z.number().optional(),
    pageToken: z.string().optional(),
    viewType: z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).optional(),
  })
  .strict();

export interface SearchRunsRequest {
  experimentIds?: readonly string[];
  filter?: string;
  orderBy?: readonly string[];
  maxResults?: number;
  pageToken?: string;
  viewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
}

/**
 * A metric as the experiment index has it (SDK-17): the latest value with min, max and count. The step and timestamp
 * of the latest value are not in the index; `getRun` has them (`MetricSummary`), `getMetricHistory` every point.
 */
export interface ListedMetric {
  key: string;
  latest: number;
  min: number;
  max: number;
  count: number;
}

/**
 * A run as `listRuns`/`searchRuns` return it: lib/domain's `Run` as far as the experiment index holds it (SDK-17).
 * Not in the index, so not here: the deletion time, artifacts, param conflict records, the latest step/timestamp of
 * each metric, and of each dataset input anything but its name, digest and `mlflow.data.context` tag. `getRun(id)`
 * returns all of them.
 */
export interface ListedRun {
  info: Omit<RunInfo, 'deletedTime'>;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, ListedMetric>;
  inputs: { dataset: { name: string; digest: string }; tags: Record<string, string> }[];
}

export interface SearchRunsResult {
  runs: ListedRun[];
  nextPageToken: string | null;
  /** True when the relay's index could not be read (offline, refused, no relay): the runs are those this client holds. */
  stale: boolean;
}

export /** An index row in the SDK's run shape (ListedRun): only what the row holds. */
function listedRun(r: IndexRow): ListedRun {
  const metrics: Record<string, ListedMetric> = {};
  for (const k of Object.keys(r.metrics)) {
    const m = r.metrics[k]!;
    Object.defineProperty(metrics, k, { value: { key: k, latest: m.latest, min: m.min, max: m.max, count: m.count }, enumerable: true, writable: true, configurable: true });
  }
  return {
    info: {
      runId: asRunId(r.runId),
      runName: r.runName,
      experimentId: r.experimentId as ExperimentId,
      userId: r.userId,
      status: r.status,
      startTime: r.startTime,
      endTime: r.endTime,
      lifecycleStage: r.lifecycleStage,
      artifactUri: r.artifactUri,
    },
    params: r.params,
    tags: r.tags,
    metrics,
    inputs: r.datasets.map((d) => {
      const tags: Record<string, string> = {};
      if (d.context !== null) tags['mlflow.data.context'] = d.context;
      return { dataset: { name: d.name, digest: d.digest }, tags };
    }),
  };
}


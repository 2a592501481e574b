import * as doc from '../../../lib/doc/index';
import type { LoggedModel, WorkspaceId } from '../../../lib/domain/index';
import type { DocAccess } from './docs';
import type { RunSearch } from './run-search';

/**
 * Finding MLflow 3's logged models (REST-26): each lives in its source run's run doc (lib/doc DOC-LM1) and its id
 * carries the first 16 hex digits of that run's id (DOC-LM2), so a lookup by id reads the experiment index rows for
 * the runs with that prefix (one, in practice) and then only their run docs (the door's cached run views).
 */
export class LoggedModels {
  constructor(
    private readonly docs: DocAccess,
    private readonly runs: RunSearch,
  ) {}

  /** The logged model `modelId`, or undefined. */
  find(ws: WorkspaceId, modelId: string): LoggedModel | undefined {
    const prefix = doc.loggedModelRunPrefix(modelId);
    if (!prefix) return undefined;
    for (const runId of this.runs.runIdsWithPrefix(ws, this.experimentIds(ws), prefix)) {
      const hit = this.docs.readRun(ws, runId)?.loggedModels?.find((m) => m.modelId === modelId);
      if (hit) return hit;
    }
    return undefined;
  }

  /** Every logged model of the experiments' runs (logged-models/search: reads each run's view, cached by the door). */
  inExperiments(ws: WorkspaceId, experimentIds: string[]): LoggedModel[] {
    const known = new Set(this.experimentIds(ws));
    const out: LoggedModel[] = [];
    for (const runId of this.runs.runIds(ws, experimentIds.filter((e) => known.has(e)))) out.push(...(this.docs.readRun(ws, runId)?.loggedModels ?? []));
    return out;
  }

  private experimentIds(ws: WorkspaceId): string[] {
    return this.docs.workspace(ws, (d) => doc.listExperiments(d, 'ALL').map((e) => e.experimentId));
  }
}

/** A logged model's artifact URI on this door (the client uploads and downloads its files there). */
export const loggedModelArtifactUri = (m: LoggedModel) => `mlflow-artifacts:/${m.experimentId}/models/${m.modelId}/artifacts`;

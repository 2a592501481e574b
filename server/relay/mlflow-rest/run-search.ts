import { invalid, type WorkspaceId } from '../../../lib/domain/index';
import type { IndexRow } from '../../../lib/run-index/index';
import { searchErrorToCairn, searchTable, tableFromRows, type RunTable } from '../../../lib/search/index';
import type { IndexService } from '../index-service';

/**
 * `runs/search` from the relay's experiment indexes (SPEC REST-12): the rows of the asked experiments (folded up to
 * date first, RELAY-34) become lib/search's RunTable, the same search the UI and the SDK run, in MLflow's dialect.
 * Only the page's runs are then read from their run docs (for latest steps and timestamps, which rows do not hold);
 * no run doc of a run outside the page is opened. The table is cached per experiment set and index position, so a
 * client paging through 10k runs builds it once.
 */
export class RunSearch {
  private cache: { key: string; rows: IndexRow[]; table: RunTable } | null = null;

  constructor(private readonly indexes: IndexService) {}

  search(
    ws: WorkspaceId,
    req: { experimentIds: string[]; deletedExperimentIds?: ReadonlySet<string>; filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string; viewType?: string },
  ): { runIds: string[]; nextPageToken: string | null } {
    if (req.experimentIds.length === 0) return { runIds: [], nextPageToken: null };
    const { rows, table } = this.tableOf(ws, req.experimentIds, req.deletedExperimentIds ?? new Set());
    const r = searchTable(table, {
      filter: req.filter ?? null,
      orderBy: req.orderBy ?? null,
      maxResults: req.maxResults ?? null,
      pageToken: req.pageToken ?? null,
      viewType: req.viewType ?? 'ACTIVE_ONLY',
      experimentIds: req.experimentIds,
      dialect: 'mlflow',
    });
    if (!r.ok) {
      const e = searchErrorToCairn(r.error);
      throw invalid(e.message);
    }
    return { runIds: Array.from(r.rows, (i) => rows[i]!.runId), nextPageToken: r.nextPageToken };
  }

  /**
   * MLflow's `experiments/search-datasets` (the UI's dataset filter): the distinct (experiment, name, digest, context)
   * of the experiments' runs' dataset inputs, from the index rows.
   */
  datasets(ws: WorkspaceId, experimentIds: string[], deletedExperimentIds: ReadonlySet<string> = new Set()): { experiment_id: string; name: string; digest: string; context?: string }[] {
    if (experimentIds.length === 0) return [];
    const { rows } = this.tableOf(ws, experimentIds, deletedExperimentIds);
    const seen = new Map<string, { experiment_id: string; name: string; digest: string; context?: string }>();
    for (const r of rows) {
      if (r.lifecycleStage !== 'active') continue;
      for (const d of r.datasets) {
        const k = JSON.stringify([r.experimentId, d.name, d.digest, d.context]);
        if (!seen.has(k)) seen.set(k, { experiment_id: r.experimentId, name: d.name, digest: d.digest, ...(d.context !== null ? { context: d.context } : {}) });
      }
    }
    return [...seen.values()];
  }

  /** The ids of the experiments' runs starting with `prefix` (a logged model's id carries its run's first 16, DOC-LM2). */
  runIdsWithPrefix(ws: WorkspaceId, experimentIds: string[], prefix: string): string[] {
    if (experimentIds.length === 0) return [];
    return this.tableOf(ws, experimentIds, new Set()).rows.filter((r) => r.runId.startsWith(prefix)).map((r) => r.runId);
  }

  /** Every run id of the experiments (logged-models/search reads their run docs). */
  runIds(ws: WorkspaceId, experimentIds: string[]): string[] {
    if (experimentIds.length === 0) return [];
    return this.tableOf(ws, experimentIds, new Set()).rows.map((r) => r.runId);
  }

  /**
   * The rows of the experiments, runs of a deleted experiment read as deleted (REST-20: as MLflow's delete_experiment
   * marks them), so `run_view_type` and every later step see the lifecycle the door serves.
   */
  private tableOf(ws: WorkspaceId, experimentIds: string[], deleted: ReadonlySet<string>): { rows: IndexRow[]; table: RunTable } {
    const ids = [...new Set(experimentIds)].sort();
    this.indexes.foldWorkspace(ws);
    const metas = ids.map((id) => ({ id, m: this.indexes.tables.experiment(ws, id), deleted: deleted.has(id) }));
    const key = JSON.stringify([ws, metas.map((x) => [x.id, x.m.epoch, x.m.seq, x.deleted])]);
    if (this.cache?.key === key) return this.cache;
    const rows = metas.flatMap((x) => {
      const own = this.indexes.tables.snapshot(ws, x.id, x.m).rows;
      return x.deleted ? own.map((r): IndexRow => (r.lifecycleStage === 'deleted' ? r : { ...r, lifecycleStage: 'deleted' })) : own;
    });
    this.cache = { key, rows, table: tableFromRows(rows) };
    return this.cache;
  }
}

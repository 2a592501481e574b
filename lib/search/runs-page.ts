import type { RunInfo } from '../domain';
import type { SearchError } from './filter-ast';

/**
 * The first `limit` active runs of an experiment (newest first) and what a runs table needs about the rest: a 10k-run
 * experiment sends 100 rows across the worker boundary, not 10k.
 */
export interface RunsPage {
  runs: RunRow[];
  /** Active runs in the experiment (that match the query's filter, when there is one). */
  total: number;
  /** Deleted runs (not listed). */
  deleted: number;
  /** Every metric key of the active runs, sorted: the table's columns. */
  metricKeys: string[];
  /** The query's filter or order could not be used (a value: the table shows it, with its position). */
  error?: SearchError;
  /** Answered from the copy saved on this device while the workspace is still loading (workers WRK-10). */
  cached?: boolean;
}

/** What the runs table asks for: MLflow's filter and order_by (lib/search), applied before paging. */
export interface RunsQuery {
  filter?: string;
  orderBy?: string[];
}

/**
 * One run as a runs table shows it: what the experiment index holds (lib/run-index IndexRow), in the read shape of a
 * run's info. Metric summaries are latest/min/max/count (the index keeps no latest step or time).
 */
export interface RunRow {
  info: RunInfo;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, { latest: number; min: number; max: number; count: number }>;
  datasets: { name: string; digest: string; context: string | null }[];
}

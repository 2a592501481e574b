import type { Run } from '../domain';

/**
 * The first `limit` active runs of an experiment (newest first) and what a runs table needs about the rest: a 10k-run
 * experiment sends 100 rows across the worker boundary, not 10k.
 */
export interface RunsPage {
  runs: Run[];
  /** Active runs in the experiment. */
  total: number;
  /** Deleted runs (not listed). */
  deleted: number;
  /** Every metric key of the active runs, sorted: the table's columns. */
  metricKeys: string[];
}

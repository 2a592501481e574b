import type { Run } from '../domain';
import { ExperimentIndex } from './experiment-index';

/**
 * The isomorphic builder (SPEC.md IDX-2): runs as lib/doc's readers return them → one index per experiment. Whoever
 * holds the runs (the relay for everyone, the data worker for what it holds locally) builds the same rows from them.
 * `into` keeps existing indexes (their sequence numbers go on) and removes runs no longer fed when `complete` is set.
 */
export function buildIndexes(runs: Iterable<Run>, into = new Map<string, ExperimentIndex>(), complete = true): Map<string, ExperimentIndex> {
  const seen = new Map<string, Set<string>>();
  for (const run of runs) {
    const exp = run.info.experimentId;
    let index = into.get(exp);
    if (!index) into.set(exp, (index = new ExperimentIndex(exp)));
    // A run that moved experiments leaves its old index (IDX-3).
    for (const [other, idx] of into) if (other !== exp && idx.get(run.info.runId)) idx.remove(run.info.runId);
    index.upsertRun(run);
    let ids = seen.get(exp);
    if (!ids) seen.set(exp, (ids = new Set()));
    ids.add(run.info.runId);
  }
  if (complete) {
    for (const [exp, index] of into) {
      const keep = seen.get(exp) ?? new Set<string>();
      for (const row of index.allRows()) if (!keep.has(row.runId)) index.remove(row.runId);
    }
  }
  return into;
}

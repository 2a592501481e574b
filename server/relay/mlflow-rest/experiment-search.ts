import { invalid, type Experiment } from '../../../lib/domain/index';
import { NUMBER_ATTR, STRING_ATTR, conjunctionFilter, type AttrRule } from '../../../lib/search/index';
import { decodeOffsetToken, encodeOffsetToken } from './wire';

/**
 * MLflow's search_experiments (reference §2.2, SPEC REST-11): a conjunction of clauses on `name` (= != LIKE ILIKE),
 * `creation_time` / `last_update_time` (numeric comparators) and `tags.<key>` (= != LIKE ILIKE); order_by on name,
 * experiment_id, creation_time, last_update_time (default `creation_time DESC, experiment_id ASC`); offset page tokens.
 * The filter is lib/search's conjunction filters (shared with the registry's and logged models' searches).
 */

const EXPERIMENT_ATTRS: Record<string, AttrRule> = { name: STRING_ATTR, creation_time: NUMBER_ATTR, last_update_time: NUMBER_ATTR };

/** REST-11's filter as a predicate (lib/search's conjunction filters; a missing tag matches nothing, as for runs). */
export function experimentFilter(text: string): (e: Experiment) => boolean {
  return conjunctionFilter<Experiment>(text, EXPERIMENT_ATTRS, {
    get: (e, key) => (key === 'name' ? e.name : key === 'creation_time' ? e.creationTime : key === 'last_update_time' ? e.lastUpdateTime : undefined),
    missingTagMatchesNotEqual: false,
  });
}

const ORDER_KEYS: Record<string, (e: Experiment) => string | number> = {
  name: (e) => e.name,
  experiment_id: (e) => e.experimentId,
  creation_time: (e) => e.creationTime,
  last_update_time: (e) => e.lastUpdateTime,
};

function comparator(orderBy: string[]): (a: Experiment, b: Experiment) => number {
  const clauses = orderBy.map((text) => {
    const m = /^\s*(?:(?:attribute|attributes|attr)\.)?`?([a-z_]+)`?\s*(ASC|DESC)?\s*$/i.exec(text);
    const get = m ? ORDER_KEYS[m[1]!] : undefined;
    if (!m || !get) throw invalid(`Invalid order_by clause '${text}'. Valid keys are name, experiment_id, creation_time, last_update_time`);
    return { get, desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' };
  });
  if (!orderBy.some((o) => /creation_time/.test(o))) clauses.push({ get: ORDER_KEYS.creation_time!, desc: true });
  if (!orderBy.some((o) => /experiment_id/.test(o))) clauses.push({ get: ORDER_KEYS.experiment_id!, desc: false });
  return (a, b) => {
    for (const c of clauses) {
      const x = c.get(a);
      const y = c.get(b);
      if (x === y) continue;
      return (x < y ? -1 : 1) * (c.desc ? -1 : 1);
    }
    return 0;
  };
}

/** One page of experiments and the token for the next, if more match. */
export function searchExperiments(
  all: Experiment[],
  req: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string },
): { experiments: Experiment[]; nextPageToken: string | null } {
  const max = req.maxResults ?? 1000;
  if (!Number.isSafeInteger(max) || max < 1 || max > 50_000) {
    throw invalid(`Invalid value ${max} for parameter 'max_results' supplied. It must be between 1 and 50000`);
  }
  const match = experimentFilter(req.filter ?? '');
  const order = comparator(req.orderBy ?? []);
  const offset = decodeOffsetToken(req.pageToken);
  const hits = all.filter(match).sort(order);
  const page = hits.slice(offset, offset + max);
  return { experiments: page, nextPageToken: offset + max < hits.length ? encodeOffsetToken(offset + max) : null };
}

/**
 * `searchTable`: MLflow's search_runs over a RunTable — filter, run_view_type, order_by, page token, max_results
 * (SPEC SEARCH-20..22). Every expected failure comes back as `{ ok: false, error }` with MLflow's error code;
 * `searchErrorToCairn` turns it into the one error type for the REST door and the SDK.
 */
import { CairnError } from '../domain/errors';
import { LIFECYCLE_ACTIVE, LIFECYCLE_DELETED, type RunTable } from './columns';
import { filterMask } from './evaluate';
import type { SearchError } from './filter-ast';
import { checkFilter } from './filter-check';
import { parseFilter, type Dialect } from './filter-parse';
import { parseOrderBy } from './order-by';
import { decodePageToken, encodePageToken, queryHash } from './page-token';
import { sortRows } from './sort';

/** MLflow's search_runs default page size (service.proto). */
export const DEFAULT_MAX_RESULTS = 1000;
/** MLflow's SEARCH_MAX_RESULTS_THRESHOLD: bigger pages are refused, not clamped. */
export const MAX_RESULTS_THRESHOLD = 50_000;

export const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
export type ViewType = (typeof VIEW_TYPES)[number];

export interface SearchRequest {
  filter?: string | null;
  orderBy?: readonly string[] | null;
  maxResults?: number | null;
  pageToken?: string | null;
  /** Default ACTIVE_ONLY. */
  viewType?: string | null;
  /** Only runs of these experiments; all of the table's when absent. */
  experimentIds?: readonly string[] | null;
  /** 'mlflow' refuses Cairn's extensions (OR, NOT, parentheses, numeric params) with MLflow's errors. */
  dialect?: Dialect;
}

export type SearchResult =
  | { ok: true; rows: Uint32Array; nextPageToken: string | null; total: number }
  | { ok: false; error: SearchError };

const fail = (field: SearchError['field'], message: string): { ok: false; error: SearchError } => ({
  ok: false,
  error: { code: 'INVALID_PARAMETER_VALUE', field, message },
});

function lifecycleWanted(viewType: string): number | null | undefined {
  if (viewType === 'ACTIVE_ONLY') return LIFECYCLE_ACTIVE;
  if (viewType === 'DELETED_ONLY') return LIFECYCLE_DELETED;
  if (viewType === 'ALL') return null;
  return undefined;
}

export function searchTable(t: RunTable, req: SearchRequest = {}): SearchResult {
  const maxResults = req.maxResults ?? DEFAULT_MAX_RESULTS;
  if (!Number.isSafeInteger(maxResults) || maxResults < 0) {
    return fail('max_results', `Invalid value for request parameter max_results. It must be a non-negative integer, but got value ${maxResults}`);
  }
  if (maxResults > MAX_RESULTS_THRESHOLD) {
    return fail('max_results', `Invalid value for request parameter max_results. It must be at most ${MAX_RESULTS_THRESHOLD}, but got value ${maxResults}`);
  }
  const viewType = req.viewType ?? 'ACTIVE_ONLY';
  const wanted = lifecycleWanted(viewType);
  if (wanted === undefined) return fail('run_view_type', `Invalid run_view_type '${viewType}': use ACTIVE_ONLY, DELETED_ONLY or ALL`);
  const parsed = parseFilter(req.filter ?? '', { dialect: req.dialect ?? 'cairn' });
  if (!parsed.ok) return parsed;
  const refused = checkFilter(parsed.value);
  if (refused) return { ok: false, error: refused };
  const order = parseOrderBy(req.orderBy ?? []);
  if (!order.ok) return order;
  const q = queryHash([req.filter ?? '', req.orderBy ?? [], viewType, req.experimentIds ?? null, req.dialect ?? 'cairn']);
  let offset = 0;
  if (req.pageToken) {
    const p = decodePageToken(req.pageToken, q);
    if (!p.ok) return p;
    offset = p.value;
  }

  const mask = filterMask(t, parsed.value);
  const experiments = req.experimentIds ? new Set(req.experimentIds) : null;
  const expHit = experiments ? t.experimentId.dict.map((id) => experiments.has(id)) : null;
  let count = 0;
  for (let i = 0; i < t.rowCount; i++) {
    const keep = mask[i] === 1 && (wanted === null || t.lifecycle[i] === wanted) && (!expHit || expHit[t.experimentId.codes[i]!] === true);
    mask[i] = keep ? 1 : 0;
    count += mask[i]!;
  }
  const selected = new Uint32Array(count);
  for (let i = 0, j = 0; i < t.rowCount; i++) if (mask[i] === 1) selected[j++] = i;
  sortRows(t, selected, order.value);

  const end = offset + maxResults;
  const rows = selected.slice(Math.min(offset, count), Math.min(end, count));
  return { ok: true, rows, nextPageToken: end < count ? encodePageToken(end, q) : null, total: count };
}

export function searchErrorToCairn(e: SearchError): CairnError {
  const details: Record<string, unknown> = { field: e.field };
  if (e.position !== undefined) details.position = e.position;
  if (e.length !== undefined) details.length = e.length;
  if (e.index !== undefined) details.index = e.index;
  return new CairnError(e.code, e.message, details);
}

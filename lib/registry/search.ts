import { invalid } from '../domain';
import { NUMBER_ATTR, STRING_ATTR, conjunctionFilter, type AttrRule } from '../search';
import type { ModelVersion, RegisteredModel, RegistryView } from './read';

/**
 * MLflow's search_registered_models and search_model_versions (reference §2.2, SPEC REG-Q*), over a RegistryView so
 * the REST door (relay) and the UI (data worker) run the same search. Filters are conjunctions of
 * `<identifier> <comparator> <value>` joined by AND (lib/search's conjunction filters, shared with search_experiments).
 */

/** One search request, as MLflow's API carries it (strings, not wire objects). */
export interface RegistrySearchRequest {
  filter?: string | undefined;
  orderBy?: readonly string[] | undefined;
  maxResults?: number | undefined;
  pageToken?: string | undefined;
}

/** MLflow's SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT / _THRESHOLD (reference §1.3). */
export const MODEL_SEARCH_DEFAULT = 100;
export const MODEL_SEARCH_MAX = 1000;
/** MLflow's SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT / _THRESHOLD. */
export const VERSION_SEARCH_DEFAULT = 10_000;
export const VERSION_SEARCH_MAX = 200_000;

const MODEL_ATTRS: Record<string, AttrRule> = { name: STRING_ATTR };
const VERSION_ATTRS: Record<string, AttrRule> = {
  name: STRING_ATTR,
  version_number: NUMBER_ATTR,
  run_id: { ops: ['=', '!=', 'IN'], value: 'string' },
  source_path: STRING_ATTR,
};

type Getter<T> = (row: T) => string | number | null;
interface OrderKey<T> {
  name: string;
  get: Getter<T>;
  desc: boolean;
}

/** REG-Q3: order_by clauses `<key> [ASC|DESC]` (keys may be `attribute.`-prefixed or backticked) + the tie-breakers. */
function parseOrder<T>(orderBy: readonly string[], keys: Record<string, Getter<T>>, tieBreak: readonly { name: string; desc: boolean }[]): OrderKey<T>[] {
  const out: OrderKey<T>[] = [];
  for (const text of orderBy) {
    const m = /^\s*(?:(?:attribute|attributes|attr)\.)?`?([A-Za-z_]+)`?\s*(?:\s(ASC|DESC))?\s*$/i.exec(text);
    const name = m?.[1]?.toLowerCase();
    const get = name ? keys[name] : undefined;
    if (!m || !get) throw invalid(`Invalid order by key '${text.trim()}' specified. Valid keys are '${Object.keys(keys).join("', '")}'`);
    out.push({ name: name === 'timestamp' ? 'creation_timestamp' : name!, get, desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' });
  }
  for (const t of tieBreak) if (!out.some((o) => o.name === t.name)) out.push({ ...t, get: keys[t.name]! });
  return out;
}

function compare<T>(order: OrderKey<T>[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const o of order) {
      const x = o.get(a);
      const y = o.get(b);
      if (x === y) continue;
      // A pending version (no number yet) sorts last either way.
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * (o.desc ? -1 : 1);
    }
    return 0;
  };
}

/** REG-Q4: `max_results` within MLflow's bounds, in its words. */
function limitOf(max: number | undefined, dflt: number, threshold: number): number {
  const n = max ?? dflt;
  if (!Number.isSafeInteger(n) || n < 1) throw invalid(`Invalid value for max_results. It must be a positive integer, but got ${String(max)}`);
  if (n > threshold) throw invalid(`Invalid value for max_results. It must be at most ${threshold}, but got value ${n}`);
  return n;
}

/** REG-Q5: page tokens are MLflow's, base64 of `{"offset": N}` (works without Node's Buffer: the UI runs this too). */
export function encodeRegistryPageToken(offset: number): string {
  return btoa(JSON.stringify({ offset }));
}

export function decodeRegistryPageToken(token: string | undefined): number {
  if (!token) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(atob(token.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    throw invalid('Invalid page token, could not base64-decode');
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw invalid('Invalid page token, offset must be a non-negative integer');
  return offset;
}

function page<T>(hits: T[], offset: number, max: number): { items: T[]; nextPageToken: string | null } {
  return { items: hits.slice(offset, offset + max), nextPageToken: offset + max < hits.length ? encodeRegistryPageToken(offset + max) : null };
}

const MODEL_ORDER: Record<string, Getter<RegisteredModel>> = {
  name: (m) => m.name,
  creation_timestamp: (m) => m.creationTime,
  timestamp: (m) => m.creationTime,
  last_updated_timestamp: (m) => m.lastUpdatedTime,
};

/**
 * REG-Q1, REG-Q3..Q5: MLflow's search_registered_models over the live models of `view`: filter on `name` and
 * `tags.<key>`, order_by name / creation_timestamp (alias `timestamp`) / last_updated_timestamp (default name ASC,
 * name the last tie-breaker), max_results 1..1000 (default 100), offset page tokens issued only when more follow.
 */
export function searchRegisteredModels(view: RegistryView, req: RegistrySearchRequest = {}): { models: RegisteredModel[]; nextPageToken: string | null } {
  const max = limitOf(req.maxResults, MODEL_SEARCH_DEFAULT, MODEL_SEARCH_MAX);
  const match = conjunctionFilter<RegisteredModel>(req.filter ?? '', MODEL_ATTRS, { get: (m, key) => (key === 'name' ? m.name : undefined), missingTagMatchesNotEqual: true });
  const order = compare(parseOrder(req.orderBy ?? [], MODEL_ORDER, [{ name: 'name', desc: false }]));
  const offset = decodeRegistryPageToken(req.pageToken);
  const hits = view.models.filter(match).sort(order);
  const p = page(hits, offset, max);
  return { models: p.items, nextPageToken: p.nextPageToken };
}

const VERSION_ORDER: Record<string, Getter<ModelVersion>> = {
  name: (v) => v.name,
  version_number: (v) => v.version,
  creation_timestamp: (v) => v.creationTime,
  timestamp: (v) => v.creationTime,
  last_updated_timestamp: (v) => v.lastUpdatedTime,
};

/**
 * REG-Q2..Q5: MLflow's search_model_versions over the live versions of `view`: filter on `name`, `version_number`
 * (numeric), `run_id` (= != IN), `source_path` and `tags.<key>`; order_by name / version_number / creation_timestamp /
 * last_updated_timestamp (default last_updated_timestamp DESC, then name ASC and version_number DESC, as MLflow's
 * store); max_results 1..200,000 (default 10,000). A pending version (no number) never matches `version_number`.
 */
export function searchModelVersions(view: RegistryView, req: RegistrySearchRequest = {}): { versions: ModelVersion[]; nextPageToken: string | null } {
  const max = limitOf(req.maxResults, VERSION_SEARCH_DEFAULT, VERSION_SEARCH_MAX);
  const match = conjunctionFilter<ModelVersion>(req.filter ?? '', VERSION_ATTRS, {
    get: (v, key) => (key === 'name' ? v.name : key === 'version_number' ? v.version : key === 'run_id' ? (v.runId ?? undefined) : key === 'source_path' ? v.source : undefined),
    missingTagMatchesNotEqual: true,
  });
  const orderBy = req.orderBy && req.orderBy.length > 0 ? req.orderBy : ['last_updated_timestamp DESC'];
  const order = compare(
    parseOrder(orderBy, VERSION_ORDER, [
      { name: 'name', desc: false },
      { name: 'version_number', desc: true },
    ]),
  );
  const offset = decodeRegistryPageToken(req.pageToken);
  const hits = view.versions.filter(match).sort(order);
  const p = page(hits, offset, max);
  return { versions: p.items, nextPageToken: p.nextPageToken };
}


import { invalid } from '../domain';
import { likeRegExp, tokenize, unquote, type Token } from '../search';
import type { ModelVersion, RegisteredModel, RegistryView } from './read';

/**
 * MLflow's search_registered_models and search_model_versions (reference §2.2, SPEC REG-Q*), over a RegistryView so
 * the REST door (relay) and the UI (data worker) run the same search. Filters are conjunctions of
 * `<identifier> <comparator> <value>` joined by AND, tokenised by lib/search's lexer (sqlparse's boundaries).
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

type Value = string | number | string[];
interface Clause {
  entity: 'attribute' | 'tag';
  key: string;
  op: string;
  value: Value;
}

const STRING_OPS = ['=', '!=', 'LIKE', 'ILIKE'];
const NUMBER_OPS = ['=', '!=', '>', '>=', '<', '<='];

/** What an attribute of a kind accepts: its comparators and whether its value is a number or a list. */
export interface AttrRule {
  ops: readonly string[];
  value: 'string' | 'number';
}
const MODEL_ATTRS: Record<string, AttrRule> = { name: { ops: STRING_OPS, value: 'string' } };
const VERSION_ATTRS: Record<string, AttrRule> = {
  name: { ops: STRING_OPS, value: 'string' },
  version_number: { ops: NUMBER_OPS, value: 'number' },
  run_id: { ops: ['=', '!=', 'IN'], value: 'string' },
  source_path: { ops: STRING_OPS, value: 'string' },
};

const isString = (t: Token | undefined) => t !== undefined && (t.kind === 'single' || t.kind === 'double');

/** REG-Q1, REG-Q2: a filter → clauses, or INVALID_PARAMETER_VALUE in MLflow's words. */
function parseFilter(text: string, attrs: Record<string, AttrRule>): Clause[] {
  if (text.trim() === '') return [];
  const lexed = tokenize(text);
  if (!lexed.ok) throw invalid(`Invalid filter '${text}': ${lexed.error.message}`);
  const t = lexed.tokens.filter((x) => x.kind !== 'eof');
  const out: Clause[] = [];
  let i = 0;
  const bad = (why: string) => invalid(`Invalid filter '${text}': ${why}`);
  while (i < t.length) {
    let entity: Clause['entity'] = 'attribute';
    let first = t[i++]!;
    if (t[i]?.kind === 'dot') {
      const e = first.kind === 'backtick' ? unquote(first) : first.text;
      const lower = e.toLowerCase();
      if (lower === 'tag' || lower === 'tags') entity = 'tag';
      else if (!['attribute', 'attributes', 'attr'].includes(lower)) throw invalid(`Invalid entity type '${e}'. Valid values are ['tag', 'attribute']`);
      i++;
      const k = t[i++];
      if (!k) throw bad('expected a key after the dot');
      first = k;
    }
    const key = first.kind === 'word' ? first.text : ['single', 'double', 'backtick'].includes(first.kind) ? unquote(first) : null;
    if (key === null) throw invalid(`Invalid filter '${text}'. Expected 'Identifier' found '${first.text}'`);
    const opTok = t[i++];
    if (!opTok) throw bad(`expected a comparator after '${key}'`);
    let op = opTok.kind === 'op' ? opTok.text : opTok.kind === 'word' ? opTok.text.toUpperCase() : opTok.text;
    if (op === 'NOT' && t[i]?.kind === 'word' && t[i]!.text.toUpperCase() === 'IN') {
      op = 'NOT IN';
      i++;
    }
    if (entity === 'tag') {
      if (!STRING_OPS.includes(op)) throw invalid(`Invalid comparator for tag: ${op}`);
      const v = t[i++];
      if (!isString(v)) throw invalid(`Invalid filter '${text}': tag values must be quoted strings ('value' or "value")`);
      out.push({ entity, key, op, value: unquote(v!) });
    } else {
      const rule = attrs[key];
      if (!rule) throw invalid(`Invalid attribute key '${key}' specified. Valid keys are '${Object.keys(attrs).join("', '")}'`);
      if (!rule.ops.includes(op)) throw invalid(`Invalid comparator for attribute: ${op}`);
      if (op === 'IN') {
        if (t[i++]?.kind !== 'lparen') throw bad(`expected a parenthesised list of quoted strings after IN`);
        const list: string[] = [];
        for (;;) {
          const v = t[i++];
          if (!isString(v)) throw bad('IN takes a list of quoted strings');
          list.push(unquote(v!));
          const sep = t[i++];
          if (sep?.kind === 'rparen') break;
          if (sep?.kind !== 'comma') throw bad('expected , or ) in the IN list');
        }
        out.push({ entity, key, op, value: list });
      } else if (rule.value === 'number') {
        const v = t[i++];
        const n = v?.kind === 'number' ? Number(v.text) : isString(v) && /^\s*-?\d+\s*$/.test(unquote(v!)) ? Number(unquote(v!)) : NaN;
        if (!Number.isFinite(n)) throw invalid(`Invalid filter '${text}': expected an integer value for ${key}, got '${v?.text ?? ''}'`);
        out.push({ entity, key, op, value: n });
      } else {
        const v = t[i++];
        if (!isString(v)) throw invalid(`Invalid filter '${text}': ${key} values must be quoted strings ('value' or "value")`);
        out.push({ entity, key, op, value: unquote(v!) });
      }
    }
    const sep = t[i];
    if (sep === undefined) break;
    if (sep.kind !== 'word' || sep.text.toLowerCase() !== 'and') throw invalid(`Invalid clause(s) in filter string: '${sep.text}'`);
    i++;
    if (i >= t.length) throw bad('expected a clause after AND');
  }
  return out;
}

/** A string comparison of one clause, its LIKE pattern compiled once (not once per row). */
function stringTest(op: string, want: string): (have: string | undefined) => boolean {
  // A missing tag matches `!=` (MLflow's registry store: the client's `tag.mlflow.prompt.is_prompt != 'true'` must keep
  // every model without the tag), and nothing else.
  if (op === '=') return (have) => have === want;
  if (op === '!=') return (have) => have !== want;
  const re = likeRegExp(want, op === 'ILIKE');
  return op === 'ILIKE' ? (have) => have !== undefined && re.test(have.toLowerCase()) : (have) => have !== undefined && re.test(have);
}

function numberMatch(op: string, a: number | null, b: number): boolean {
  if (a === null) return false;
  return op === '=' ? a === b : op === '!=' ? a !== b : op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
}

type Row = { tags: Record<string, string> };
function matcher<T extends Row>(clauses: Clause[], attr: (row: T, key: string) => string | number | null | undefined): (row: T) => boolean {
  const tests = clauses.map((c): ((row: T) => boolean) => {
    if (c.entity === 'tag') {
      const test = stringTest(c.op, c.value as string);
      return (row) => test(Object.hasOwn(row.tags, c.key) ? row.tags[c.key] : undefined);
    }
    if (c.op === 'IN') {
      const set = new Set(c.value as string[]);
      return (row) => {
        const have = attr(row, c.key);
        return typeof have === 'string' && set.has(have);
      };
    }
    if (typeof c.value === 'number') {
      const want = c.value;
      return (row) => {
        const have = attr(row, c.key);
        return numberMatch(c.op, typeof have === 'number' ? have : null, want);
      };
    }
    const test = stringTest(c.op, c.value as string);
    // A missing attribute (a version without run_id) matches nothing, as SQL's NULL.
    return (row) => {
      const have = attr(row, c.key);
      return typeof have === 'string' && test(have);
    };
  });
  return (row) => tests.every((t) => t(row));
}

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
  const match = matcher<RegisteredModel>(parseFilter(req.filter ?? '', MODEL_ATTRS), (m, key) => (key === 'name' ? m.name : undefined));
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
  const match = matcher<ModelVersion>(parseFilter(req.filter ?? '', VERSION_ATTRS), (v, key) =>
    key === 'name' ? v.name : key === 'version_number' ? v.version : key === 'run_id' ? (v.runId ?? undefined) : key === 'source_path' ? v.source : undefined,
  );
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

/**
 * The same conjunction dialect over other rows with tags (the REST door's logged-models/search): `attrs` names the
 * attributes and their comparators, `get` reads one. Returns the rows' filter, or throws INVALID_PARAMETER_VALUE.
 */
export function conjunctionFilter<T extends { tags: Record<string, string> }>(
  filter: string,
  attrs: Record<string, AttrRule>,
  get: (row: T, key: string) => string | number | null | undefined,
): (row: T) => boolean {
  return matcher<T>(parseFilter(filter, attrs), get);
}

/** String attributes compared with `= != LIKE ILIKE`. */
export const STRING_ATTR: AttrRule = { ops: STRING_OPS, value: 'string' };

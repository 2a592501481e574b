import { invalid, type Experiment } from '../../../lib/domain/index';
import { likeRegExp, tokenize, type Token } from '../../../lib/search/index';
import { decodeOffsetToken, encodeOffsetToken } from './wire';

/**
 * MLflow's search_experiments (reference §2.2, SPEC REST-11): a conjunction of clauses on `name` (= != LIKE ILIKE),
 * `creation_time` / `last_update_time` (numeric comparators) and `tags.<key>` (= != LIKE ILIKE); order_by on name,
 * experiment_id, creation_time, last_update_time (default `creation_time DESC, experiment_id ASC`); offset page tokens.
 * Tokens come from lib/search's lexer, so quoting follows the runs grammar.
 */

type Clause = { kind: 'name' | 'time' | 'tag'; key: string; op: string; value: string | number };

const STRING_OPS = new Set(['=', '!=', 'LIKE', 'ILIKE']);
const NUMBER_OPS = new Set(['=', '!=', '>', '>=', '<', '<=']);
const TIME_KEYS = new Set(['creation_time', 'last_update_time']);

function unquote(t: Token): string {
  const q = t.text[0]!;
  return t.text.slice(1, -1).replaceAll(q + q, q).replaceAll('\\' + q, q);
}

export function parseExperimentFilter(text: string): Clause[] {
  if (text.trim() === '') return [];
  const lexed = tokenize(text);
  if (!lexed.ok) throw invalid(`Invalid filter string '${text}': ${lexed.error.message}`);
  const t = lexed.tokens.filter((x) => x.kind !== 'eof');
  const out: Clause[] = [];
  let i = 0;
  const bad = (why: string) => invalid(`Invalid filter string '${text}': ${why}`);
  while (i < t.length) {
    // identifier: [attribute|attributes|tag|tags] "." key, or a bare attribute
    let entity = 'attribute';
    let first = t[i++];
    if (!first) throw bad('expected an identifier');
    if (t[i]?.kind === 'dot') {
      const e = first.kind === 'backtick' ? unquote(first) : first.text;
      if (!['attribute', 'attributes', 'attr', 'tag', 'tags'].includes(e.toLowerCase())) throw bad(`invalid entity type '${e}'`);
      entity = e.toLowerCase().startsWith('tag') ? 'tag' : 'attribute';
      i++;
      first = t[i++];
      if (!first) throw bad('expected a key after the dot');
    }
    const key = first.kind === 'word' ? first.text : ['single', 'double', 'backtick'].includes(first.kind) ? unquote(first) : null;
    if (key === null) throw bad(`expected an identifier, found '${first.text}'`);
    const opTok = t[i++];
    if (!opTok) throw bad('expected a comparator');
    const op = opTok.kind === 'op' ? opTok.text : opTok.kind === 'word' ? opTok.text.toUpperCase() : '';
    const valTok = t[i++];
    if (!valTok) throw bad('expected a value');
    if (entity === 'tag') {
      if (!STRING_OPS.has(op)) throw bad(`invalid comparator '${opTok.text}' for a tag`);
      if (valTok.kind !== 'single' && valTok.kind !== 'double') throw bad('tag values must be quoted strings');
      out.push({ kind: 'tag', key, op, value: unquote(valTok) });
    } else if (key === 'name') {
      if (!STRING_OPS.has(op)) throw bad(`invalid comparator '${opTok.text}' for name`);
      if (valTok.kind !== 'single' && valTok.kind !== 'double') throw bad('name values must be quoted strings');
      out.push({ kind: 'name', key, op, value: unquote(valTok) });
    } else if (TIME_KEYS.has(key)) {
      if (!NUMBER_OPS.has(op)) throw bad(`invalid comparator '${opTok.text}' for ${key}`);
      if (valTok.kind !== 'number') throw bad(`expected a number for ${key}`);
      out.push({ kind: 'time', key, op, value: Number(valTok.text) });
    } else {
      throw bad(`invalid attribute key '${key}'; valid keys are name, creation_time, last_update_time`);
    }
    const sep = t[i];
    if (sep === undefined) break;
    if (sep.kind !== 'word' || sep.text.toLowerCase() !== 'and') throw invalid(`Invalid clause(s) in filter string: '${sep.text}'`);
    i++;
    if (i >= t.length) throw bad('expected a clause after AND');
  }
  return out;
}

function stringMatch(op: string, have: string | undefined, want: string): boolean {
  if (have === undefined) return false;
  if (op === '=') return have === want;
  if (op === '!=') return have !== want;
  return likeRegExp(want, op === 'ILIKE').test(have);
}

function numberMatch(op: string, a: number, b: number): boolean {
  return op === '=' ? a === b : op === '!=' ? a !== b : op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
}

function matches(e: Experiment, clauses: Clause[]): boolean {
  return clauses.every((c) => {
    if (c.kind === 'name') return stringMatch(c.op, e.name, c.value as string);
    if (c.kind === 'tag') return stringMatch(c.op, Object.hasOwn(e.tags, c.key) ? e.tags[c.key] : undefined, c.value as string);
    return numberMatch(c.op, c.key === 'creation_time' ? e.creationTime : e.lastUpdateTime, c.value as number);
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
  const clauses = parseExperimentFilter(req.filter ?? '');
  const order = comparator(req.orderBy ?? []);
  const offset = decodeOffsetToken(req.pageToken);
  const hits = all.filter((e) => matches(e, clauses)).sort(order);
  const page = hits.slice(offset, offset + max);
  return { experiments: page, nextPageToken: offset + max < hits.length ? encodeOffsetToken(offset + max) : null };
}

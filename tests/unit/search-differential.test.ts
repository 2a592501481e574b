/**
 * Differential test (SEARCH-24): random runs × random filters and orders through `searchTable` (columns, masks,
 * dictionary predicates, typed-array sort) against a plain evaluator over run objects written here from SPEC.md and
 * MLflow's `SearchUtils.filter`/`sort` — no code shared with lib/search's evaluation (only the parser's AST).
 * Same set, same order, and paging through every page gives the same list. CAIRN_FUZZ_ROUNDS sets the rounds.
 */
import { describe, expect, it } from 'vitest';
import { parseFilter, parseOrderBy, parseOrderClause, searchTable, tableFromRuns, type Expr, type Filter, type OrderClause, type PlainRun } from '@/lib/search';
import { mulberry32 } from '../shared/random';

const ROUNDS = Number(process.env.CAIRN_FUZZ_ROUNDS ?? 100);
const RUNS_PER_ROUND = 150;
const FILTERS_PER_ROUND = 12;

// ---------------------------------------------------------------------------------------------------------------
// The reference evaluator.

type Cmp = Extract<Expr, { kind: 'compare' }>;

function numberCompare(op: string, a: number, b: number): boolean {
  if (op === '=') return a === b;
  if (op === '!=') return a !== b;
  if (op === '>') return a > b;
  if (op === '>=') return a >= b;
  if (op === '<') return a < b;
  if (op === '<=') return a <= b;
  throw new Error(op);
}

/** LIKE by dynamic programming over code points (no regular expressions). */
function like(value: string, pattern: string): boolean {
  const s = Array.from(value);
  const p = Array.from(pattern);
  let row = new Array<boolean>(s.length + 1).fill(false);
  row[0] = true;
  for (const pc of p) {
    const next = new Array<boolean>(s.length + 1).fill(false);
    if (pc === '%') {
      let any = false;
      for (let j = 0; j <= s.length; j++) {
        any = any || row[j]!;
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= s.length; j++) next[j] = row[j - 1]! && (pc === '_' || s[j - 1] === pc);
    }
    row = next;
  }
  return row[s.length]!;
}

function stringCompare(c: Cmp, v: string): boolean {
  const val = c.value;
  if (val.type === 'list') {
    // ASCII-only run ids here: Python's islower() is "has a-z and no A-Z".
    const list = c.entity === 'attribute' ? val.values.filter((x) => /[a-z]/.test(x) && !/[A-Z]/.test(x)) : val.values;
    return c.comparator === 'IN' ? list.includes(v) : !list.includes(v);
  }
  if (val.type !== 'string') throw new Error('string value expected');
  if (c.comparator === '=') return v === val.value;
  if (c.comparator === '!=') return v !== val.value;
  if (c.comparator === 'LIKE') return like(v, val.value);
  if (c.comparator === 'ILIKE') return like(v.toLowerCase(), val.value.toLowerCase());
  throw new Error(c.comparator);
}

/** SEARCH-14's number grammar, by hand. */
function asNumber(v: string): number | null {
  let i = 0;
  if (v[i] === '+' || v[i] === '-') i++;
  const digits = () => {
    const s = i;
    while (i < v.length && v[i]! >= '0' && v[i]! <= '9') i++;
    return i - s;
  };
  const intDigits = digits();
  let fracDigits = 0;
  if (v[i] === '.') {
    i++;
    fracDigits = digits();
  }
  if (intDigits === 0 && fracDigits === 0) return null;
  if (v[i] === 'e' || v[i] === 'E') {
    i++;
    if (v[i] === '+' || v[i] === '-') i++;
    if (digits() === 0) return null;
  }
  return i === v.length ? Number(v) : null;
}

const ATTRS: Record<string, (r: PlainRun) => string | number | null> = {
  run_id: (r) => r.info.runId,
  run_name: (r) => r.info.runName,
  'run name': (r) => r.info.runName,
  'Run name': (r) => r.info.runName,
  'Run Name': (r) => r.info.runName,
  user_id: (r) => r.info.userId,
  status: (r) => r.info.status,
  artifact_uri: (r) => r.info.artifactUri,
  start_time: (r) => r.info.startTime,
  created: (r) => r.info.startTime,
  Created: (r) => r.info.startTime,
  end_time: (r) => r.info.endTime,
};

function lookup(rec: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

function matchesClause(r: PlainRun, c: Cmp): boolean {
  switch (c.entity) {
    case 'metric': {
      if (!Object.hasOwn(r.metrics, c.key)) return false;
      return numberCompare(c.comparator, r.metrics[c.key]!, (c.value as { value: number }).value);
    }
    case 'parameter':
    case 'tag': {
      const v = lookup(c.entity === 'parameter' ? r.params : r.tags, c.key);
      if (c.comparator === 'IS NULL') return v === undefined;
      if (c.comparator === 'IS NOT NULL') return v !== undefined;
      if (v === undefined) return false;
      if (c.value.type === 'number') {
        const n = asNumber(v);
        return n !== null && numberCompare(c.comparator, n, c.value.value);
      }
      return stringCompare(c, v);
    }
    case 'attribute': {
      const v = ATTRS[c.key]!(r);
      if (v === null) return false;
      return typeof v === 'number' ? numberCompare(c.comparator, v, (c.value as { value: number }).value) : stringCompare(c, v);
    }
    case 'dataset':
      return r.datasets.some((d) => {
        const v = c.key === 'name' ? d.name : c.key === 'digest' ? d.digest : d.context;
        return typeof v === 'string' && stringCompare(c, v);
      });
  }
}

function matches(r: PlainRun, e: Filter): boolean {
  if (e === null) return true;
  switch (e.kind) {
    case 'compare':
      return matchesClause(r, e);
    case 'not':
      return !matches(r, e.arg);
    case 'and':
      return e.args.every((a) => matches(r, a));
    case 'or':
      return e.args.some((a) => matches(r, a));
  }
}

/** Python's tuple order for MLflow's sort keys: bool first, then numbers numerically or strings by code point. */
type PyKey = [boolean, number | string];
function codePoints(s: string): number[] {
  return Array.from(s, (ch) => ch.codePointAt(0)!);
}
function pyCompare(a: PyKey, b: PyKey): number {
  if (a[0] !== b[0]) return a[0] ? 1 : -1;
  const x = a[1];
  const y = b[1];
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'string' && typeof y === 'string') {
    const p = codePoints(x);
    const q = codePoints(y);
    for (let i = 0; i < Math.min(p.length, q.length); i++) if (p[i] !== q[i]) return p[i]! - q[i]!;
    return p.length - q.length;
  }
  throw new Error('mixed sort key');
}

/** MLflow's SearchUtils.sort: natural order, then one stable sort per clause, last clause first. */
function referenceSort(runs: PlainRun[], clauses: OrderClause[]): PlainRun[] {
  let out = [...runs].sort((a, b) => pyCompare([false, -a.info.startTime], [false, -b.info.startTime]) || pyCompare([false, a.info.runId], [false, b.info.runId]));
  for (const c of [...clauses].reverse()) {
    const keyOf = (r: PlainRun): PyKey => {
      let v: number | string | null | undefined;
      if (c.entity === 'metric') v = Object.hasOwn(r.metrics, c.key) ? r.metrics[c.key] : null;
      else if (c.entity === 'parameter') v = lookup(r.params, c.key) ?? null;
      else if (c.entity === 'tag') v = lookup(r.tags, c.key) ?? null;
      else v = ATTRS[c.key]!(r);
      const fill = (c.ascending ? 1 : -1) * Infinity;
      const isNone = v === null || v === undefined;
      const isNan = typeof v === 'number' && Number.isNaN(v);
      const sortValue = isNone ? fill : isNan ? -fill : v!;
      return c.ascending ? [isNone || isNan, sortValue] : [!(isNone || isNan), sortValue];
    };
    const keyed = out.map((r) => ({ r, k: keyOf(r) }));
    keyed.sort((a, b) => (c.ascending ? pyCompare(a.k, b.k) : -pyCompare(a.k, b.k)));
    out = keyed.map((x) => x.r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Random runs, filters and orders.

type Rand = () => number;
const pick = <T,>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const METRIC_KEYS = ['acc', 'loss', 'val.loss', 'mean sq'];
const PARAM_KEYS = ['lr', 'opt', 'n-layers'];
const TAG_KEYS = ['t', 'team', 'mlflow.note'];
const PARAM_VALUES = ['0.1', '0.01', '1e-3', '3', '3.0', '-2', '.5', 'abc', 'ABC', '', ' 3', 'a_b', 'x%y', 'adam', 'é'];
const TAG_VALUES = ['a', 'A', 'abc', 'ABC', 'a.c', 'aXc', 'b', '', 'a%', 'é', 'É', 'xyz', '😀'];
const METRIC_VALUES = [0, 1, -1, 0.5, 2, 0.001, NaN, Infinity, -Infinity, 100];
const NUMBER_LITERALS = ['0', '1', '-1', '0.5', '2', '1e-3', '.5', '100', '3', '-2'];
const PATTERNS = ['a%', '%c', '_', 'a_c', '%', 'A%', '%b%', 'x\\%y', 'é', 'abc', '3%'];
const STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'];
const USERS = ['ann', 'bob', 'Ann'];
const DS_NAMES = ['d1', 'D2', 'train_set'];

function randomRuns(rand: Rand, n: number): PlainRun[] {
  return Array.from({ length: n }, (_, i) => {
    const u = rand();
    const runId = u < 0.1 ? `${i}` : u < 0.25 ? `R${i}x` : `r${i}`;
    const start = Math.floor(rand() * 20);
    const rec = (keys: string[], vals: readonly string[]) => Object.fromEntries(keys.filter(() => rand() < 0.7).map((k) => [k, pick(rand, vals)]));
    return {
      info: {
        runId, runName: pick(rand, ['alpha', 'beta', 'Alpha', 'gamma-1']), experimentId: pick(rand, ['1', '2']),
        userId: pick(rand, USERS), status: pick(rand, STATUSES), startTime: start, endTime: rand() < 0.2 ? null : start + Math.floor(rand() * 5),
        lifecycleStage: rand() < 0.2 ? 'deleted' : 'active', artifactUri: `s3://b/${pick(rand, ['x', 'y'])}`,
      },
      params: rec(PARAM_KEYS, PARAM_VALUES),
      tags: rec(TAG_KEYS, TAG_VALUES),
      metrics: Object.fromEntries(METRIC_KEYS.filter(() => rand() < 0.7).map((k) => [k, pick(rand, METRIC_VALUES)])),
      datasets: Array.from({ length: Math.floor(rand() * 3) }, () => ({
        name: pick(rand, DS_NAMES), digest: pick(rand, ['g1', 'g2']), context: pick(rand, [null, 'train', 'eval']),
      })),
    };
  });
}

const ENTITY_WORDS: Record<string, string[]> = {
  metric: ['metric', 'metrics', '`metrics`'], parameter: ['param', 'params', 'parameter', 'parameters'], tag: ['tag', 'tags'],
  attribute: ['attribute', 'attributes', 'attr', 'run', ''], dataset: ['dataset', 'datasets'],
};
const randomCase = (rand: Rand, w: string) => Array.from(w, (ch) => (rand() < 0.5 ? ch.toUpperCase() : ch.toLowerCase())).join('');
/** Bare when it can be; a key without an entity cannot be 'single'-quoted (that is a string, SEARCH-6). */
function quoteKey(rand: Rand, key: string, allowSingle = true): string {
  if (/^[A-Za-z_][\w.]*$/.test(key) && rand() < 0.6) return key;
  const q = pick(rand, allowSingle ? ['`', '"', "'"] : ['`', '"']);
  return `${q}${key}${q}`;
}
const quoteValue = (rand: Rand, v: string) => (rand() < 0.5 ? `'${v}'` : `"${v}"`);
const list = (vals: string[]) => `(${vals.map((v) => `'${v}'`).join(', ')})`;

/** One random valid clause as text; the expected meaning comes from parsing it (checked against its pieces). */
function randomClause(rand: Rand, runs: PlainRun[]): string {
  const entity = pick(rand, ['metric', 'parameter', 'tag', 'attribute', 'dataset', 'metric', 'parameter']);
  const ent = pick(rand, ENTITY_WORDS[entity]!);
  const prefix = (key: string) => (ent === '' ? quoteKey(rand, key, false) : `${ent}.${quoteKey(rand, key)}`);
  const num = () => pick(rand, NUMBER_LITERALS);
  const strOp = () => pick(rand, ['=', '!=', 'LIKE', 'ILIKE', 'like']);
  const strVal = (op: string, pool: readonly string[]) => quoteValue(rand, op.toUpperCase().includes('LIKE') && rand() < 0.7 ? pick(rand, PATTERNS) : pick(rand, pool));
  switch (entity) {
    case 'metric':
      return `${prefix(pick(rand, [...METRIC_KEYS, 'absent']))} ${pick(rand, ['=', '!=', '>', '>=', '<', '<='])} ${num()}`;
    case 'parameter': {
      const key = prefix(pick(rand, [...PARAM_KEYS, 'absent']));
      const r = rand();
      if (r < 0.4) return `${key} ${pick(rand, ['=', '!=', '>', '>=', '<', '<='])} ${num()}`;
      if (r < 0.5) return `${key} ${pick(rand, ['IS NULL', 'is not null'])}`;
      const op = strOp();
      return `${key} ${op} ${strVal(op, PARAM_VALUES.filter((v) => !v.includes("'")))}`;
    }
    case 'tag': {
      const key = prefix(pick(rand, [...TAG_KEYS, 'absent']));
      if (rand() < 0.1) return `${key} IS NULL`;
      const op = strOp();
      return `${key} ${op} ${strVal(op, TAG_VALUES)}`;
    }
    case 'attribute': {
      const key = pick(rand, ['run_id', 'run_name', 'user_id', 'status', 'artifact_uri', 'start_time', 'end_time', 'created', 'Created', 'Run Name']);
      const id = key === 'Run Name' ? (ent === '' ? '`Run Name`' : `${ent}.\`Run Name\``) : prefix(key);
      if (['start_time', 'end_time', 'created', 'Created'].includes(key)) return `${id} ${pick(rand, ['=', '!=', '>', '>=', '<', '<='])} ${pick(rand, ['0', '5', '10', '19', '3'])}`;
      if (key === 'run_id' && rand() < 0.5) {
        const vals = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => (rand() < 0.8 && runs.length ? pick(rand, runs).info.runId : 'zzz'));
        return `${id} ${pick(rand, ['IN', 'NOT IN', 'in', 'not in'])} ${list(vals)}`;
      }
      const pool = key === 'status' ? STATUSES : key === 'user_id' ? USERS : key === 'run_id' ? runs.slice(0, 5).map((r) => r.info.runId) : ['alpha', 'Alpha', 's3://b/x', 'beta'];
      const op = strOp();
      return `${id} ${op} ${strVal(op, pool)}`;
    }
    default: {
      const key = pick(rand, ['name', 'digest', 'context']);
      const pool = key === 'name' ? DS_NAMES : key === 'digest' ? ['g1', 'g2'] : ['train', 'eval'];
      if (rand() < 0.3) return `${ent}.${key} ${pick(rand, ['IN', 'NOT IN'])} ${list(pool.filter(() => rand() < 0.6))}`.replace('()', `('${pool[0]}')`);
      const op = strOp();
      return `${ent}.${key} ${op} ${strVal(op, pool)}`;
    }
  }
}

/** A random boolean combination; parentheses wherever precedence needs them (and sometimes where it does not). */
function randomFilter(rand: Rand, runs: PlainRun[], depth: number): { text: string; prec: number } {
  const r = rand();
  if (depth === 0 || r < 0.35) return { text: randomClause(rand, runs), prec: 3 };
  if (r < 0.5) {
    const a = randomFilter(rand, runs, depth - 1);
    return { text: `${randomCase(rand, 'not')} ${a.prec < 3 || rand() < 0.3 ? `(${a.text})` : a.text}`, prec: 3 };
  }
  const op = r < 0.75 ? 'and' : 'or';
  const prec = op === 'and' ? 2 : 1;
  const parts = Array.from({ length: 2 + Math.floor(rand() * 2) }, () => {
    const p = randomFilter(rand, runs, depth - 1);
    return p.prec <= prec || rand() < 0.15 ? `(${p.text})` : p.text;
  });
  return { text: parts.join(` ${randomCase(rand, op)} `), prec };
}

function randomOrder(rand: Rand): string[] {
  return Array.from({ length: Math.floor(rand() * 3) }, () => {
    const target = pick(rand, [
      ...METRIC_KEYS.map((k) => `metrics.${quoteKey(rand, k).replace(/^'(.*)'$/, '`$1`')}`),
      ...PARAM_KEYS.map((k) => `params.\`${k}\``),
      ...TAG_KEYS.map((k) => `tags.\`${k}\``),
      'attribute.start_time', 'created', 'end_time', 'run_id', 'status', 'user_id', 'run_name', 'artifact_uri', 'tags.absent', 'metrics.absent',
    ]);
    return `${target}${pick(rand, ['', ' ASC', ' DESC', ' asc', ' desc'])}`;
  });
}

describe('columnar evaluator vs plain reference', () => {
  it(`[SEARCH-24] same runs in the same order, with and without order_by, across pages (${ROUNDS} rounds)`, () => {
    const rand = mulberry32(0x5ea2c4);
    let compared = 0;
    let nonEmpty = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const runs = randomRuns(rand, 1 + Math.floor(rand() * RUNS_PER_ROUND));
      const table = tableFromRuns(runs);
      for (let f = 0; f < FILTERS_PER_ROUND; f++) {
        const filter = randomFilter(rand, runs, 3).text;
        const orderBy = rand() < 0.3 ? [] : randomOrder(rand);
        const viewType = pick(rand, ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const);
        const experimentIds = rand() < 0.2 ? ['1'] : undefined;
        const parsed = parseFilter(filter);
        const order = parseOrderBy(orderBy);
        if (!parsed.ok || !order.ok) throw new Error(`generated input refused: ${filter} | ${orderBy.join(', ')}: ${parsed.ok ? '' : parsed.error.message}`);
        const wantRuns = referenceSort(
          runs.filter((r) => (viewType === 'ALL' || (r.info.lifecycleStage === 'active') === (viewType === 'ACTIVE_ONLY')) &&
            (!experimentIds || experimentIds.includes(r.info.experimentId)) && matches(r, parsed.value)),
          order.value,
        );
        const want = wantRuns.map((r) => r.info.runId);
        const got = searchTable(table, { filter, orderBy, viewType, experimentIds, maxResults: 50_000 });
        if (!got.ok) throw new Error(`refused: ${filter}: ${got.error.message}`);
        const gotIds = [...got.rows].map((i) => runs[i]!.info.runId);
        expect(gotIds, `filter: ${filter}\norder_by: ${JSON.stringify(orderBy)}\nview: ${viewType}`).toEqual(want);
        // Paging through with a small page size gives the same list.
        const pageSize = 1 + Math.floor(rand() * 40);
        const paged: string[] = [];
        let token: string | null = null;
        do {
          const page = searchTable(table, { filter, orderBy, viewType, experimentIds, maxResults: pageSize, pageToken: token });
          if (!page.ok) throw new Error(page.error.message);
          paged.push(...[...page.rows].map((i) => runs[i]!.info.runId));
          token = page.nextPageToken;
        } while (token !== null);
        expect(paged).toEqual(want);
        compared++;
        if (want.length > 0) nonEmpty++;
      }
    }
    console.log(`search differential: ${compared} filters over ${ROUNDS} tables, ${nonEmpty} with matches`);
    // Filters that never match anything would prove little.
    expect(nonEmpty).toBeGreaterThan(compared / 4);
  });
});

describe('hostile input', () => {
  it('[SEARCH-23] random text never throws: every refusal is a value with a position inside the text', () => {
    const rand = mulberry32(0xbad5eed);
    const pieces = ['metrics', 'params', 'tags', 'attr', 'run_id', 'datasets', '.', '`', '"', "'", '(', ')', ',', ';', ' ', 'AND', 'OR', 'NOT',
      'IN', 'IS', 'NULL', 'LIKE', '=', '!=', '>', '<=', '==', '-', '1', '0.5', '.5', '1e', 'a', 'é', '😀', '\\', '%', '_', 'created', '\n'];
    const table = tableFromRuns(randomRuns(rand, 30));
    let accepted = 0;
    for (let n = 0; n < ROUNDS * 40; n++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => pick(rand, pieces)).join(rand() < 0.5 ? '' : ' ');
      const order = parseOrderClause(text);
      if (!order.ok && order.error.position !== undefined) expect(order.error.position).toBeLessThanOrEqual(text.length);
      const r = searchTable(table, { filter: text, viewType: 'ALL' });
      if (r.ok) accepted++;
      else {
        expect(r.error.code).toBe('INVALID_PARAMETER_VALUE');
        expect(r.error.message.length).toBeGreaterThan(0);
        if (r.error.position !== undefined) {
          expect(r.error.position).toBeGreaterThanOrEqual(0);
          expect(r.error.position).toBeLessThanOrEqual(text.length);
        }
      }
    }
    console.log(`search hostile input: ${ROUNDS * 40} texts, ${accepted} accepted`);
  });
});

import { describe, expect, it } from 'vitest';
import {
  MAX_RESULTS_THRESHOLD,
  paramNumber,
  plainRunFromRun,
  searchErrorToCairn,
  prepareDefaultOrder,
  searchTable,
  sortRows,
  tableFromRows,
  tableFromRuns,
  type PlainRun,
  type SearchRequest,
} from '@/lib/search';

let counter = 0;
function run(p: { id?: string; start?: number; end?: number | null; status?: string; name?: string; user?: string; deleted?: boolean; exp?: string;
  params?: Record<string, string>; tags?: Record<string, string>; metrics?: Record<string, number>; datasets?: PlainRun['datasets'] }): PlainRun {
  const runId = p.id ?? `run${counter++}`;
  return {
    info: {
      runId, runName: p.name ?? `name-${runId}`, experimentId: p.exp ?? '0', userId: p.user ?? 'user-id', status: p.status ?? 'FINISHED',
      startTime: p.start ?? 0, endTime: p.end === undefined ? 1 : p.end, lifecycleStage: p.deleted ? 'deleted' : 'active',
      artifactUri: `file:///a/${runId}/artifacts`,
    },
    params: p.params ?? {}, tags: p.tags ?? {}, metrics: p.metrics ?? {}, datasets: p.datasets ?? [],
  };
}

function ids(runs: PlainRun[], req: SearchRequest): string[] {
  const t = tableFromRuns(runs);
  const r = searchTable(t, { viewType: 'ALL', ...req });
  if (!r.ok) throw new Error(`search refused: ${r.error.message}`);
  return [...r.rows].map((i) => t.runId.dict[t.runId.codes[i]!]!);
}
const matching = (runs: PlainRun[], filter: string) => ids(runs, { filter }).sort();
const refused = (runs: PlainRun[], req: SearchRequest) => {
  const r = searchTable(tableFromRuns(runs), req);
  if (r.ok) throw new Error('expected a refusal');
  return r.error;
};

// MLflow's test_correct_filtering runs.
const MLFLOW_RUNS = [
  run({ id: 'hi', status: 'FAILED', metrics: { key1: 121 }, params: { my_param: 'A' }, datasets: [{ name: 'name1', digest: 'digest1', context: 'train' }] }),
  run({ id: 'hi2', status: 'FINISHED', metrics: { key1: 123 }, params: { my_param: 'A' }, tags: { tag1: 'C' }, datasets: [{ name: 'name1', digest: 'digest1' }] }),
  run({ id: 'hi3', status: 'FAILED', exp: '1', metrics: { key1: 125 }, params: { my_param: 'B' }, tags: { tag1: 'D' }, datasets: [{ name: 'name2', digest: 'digest2' }] }),
];

describe('matching', () => {
  it("[SEARCH-13] #18 MLflow's filtering cases, datasets included (context through the input tag)", () => {
    const cases: [string, string[]][] = [
      ['', ['hi', 'hi2', 'hi3']],
      ["attributes.status = 'FAILED'", ['hi', 'hi3']],
      ['metrics.key1 = 123', ['hi2']],
      ['metrics.key1 != 123', ['hi', 'hi3']],
      ['metrics.key1 >= 123', ['hi2', 'hi3']],
      ["params.my_param = 'A'", ['hi', 'hi2']],
      ["tags.tag1 = 'D'", ['hi3']],
      ["tags.tag1 != 'D'", ['hi2']],
      ["params.my_param = 'A' AND attributes.status = 'FAILED'", ['hi']],
      ["datasets.name = 'name1'", ['hi', 'hi2']],
      ["datasets.name IN ('name1', 'name2')", ['hi', 'hi2', 'hi3']],
      ["datasets.digest IN ('digest1', 'digest2')", ['hi', 'hi2', 'hi3']],
      ["datasets.name = 'name1' AND datasets.digest = 'digest2'", []],
      ["datasets.context = 'train'", ['hi']],
      ["datasets.name = 'name1' AND datasets.context = 'train'", ['hi']],
    ];
    for (const [f, want] of cases) expect(matching(MLFLOW_RUNS, f), f).toEqual(want);
  });

  it('[SEARCH-13] a dataset clause holds when any input satisfies it; runs without inputs match none', () => {
    const runs = [run({ id: 'two', datasets: [{ name: 'a', digest: 'd1' }, { name: 'b', digest: 'd2', context: 'eval' }] }), run({ id: 'none' })];
    expect(matching(runs, "datasets.name != 'a'")).toEqual(['two']);
    expect(matching(runs, "datasets.name NOT IN ('a', 'b')")).toEqual([]);
    expect(matching(runs, "datasets.context != 'train'")).toEqual(['two']);
    expect(matching(runs, "datasets.digest LIKE 'd%'")).toEqual(['two']);
  });

  it("[SEARCH-10] a run that lacks the key never matches, even '!=' and NOT IN", () => {
    const runs = [run({ id: 'with', metrics: { m: 1 }, params: { p: 'x' }, tags: { t: 'x' }, end: 5 }), run({ id: 'without', end: null })];
    for (const f of ['metrics.m != 2', "params.p != 'y'", "tags.t != 'y'", 'attributes.end_time != 0']) {
      expect(matching(runs, f), f).toEqual(['with']);
    }
    expect(matching(runs, "run_id NOT IN ('with')")).toEqual(['without']);
  });

  it('[SEARCH-11] a latest value of NaN is present: only != matches it; ±Infinity compare as numbers', () => {
    const runs = [run({ id: 'nan', metrics: { m: NaN } }), run({ id: 'inf', metrics: { m: Infinity } }), run({ id: 'ninf', metrics: { m: -Infinity } }), run({ id: 'none' })];
    expect(matching(runs, 'metrics.m != 0')).toEqual(['inf', 'nan', 'ninf']);
    expect(matching(runs, 'metrics.m = 0')).toEqual([]);
    expect(matching(runs, 'metrics.m > 1e300')).toEqual(['inf']);
    expect(matching(runs, 'metrics.m < -1e300')).toEqual(['ninf']);
    expect(matching(runs, 'start_time < 0.5')).toEqual(['inf', 'nan', 'ninf', 'none']);
  });

  it('[SEARCH-12] LIKE: % and _ only, whole value, case-sensitive; ILIKE ignores case; regex characters are literal', () => {
    const runs = ['abc', 'ABC', 'a.c', 'a+c', 'xabcx', 'ac', 'a\nc', 'a😀c'].map((v, i) => run({ id: `r${i}`, tags: { t: v } }));
    const vals = (f: string) => matching(runs, f).map((id) => runs[Number(id.slice(1))]!.tags.t);
    expect(vals("tags.t LIKE 'a_c'").sort()).toEqual(['a\nc', 'a+c', 'a.c', 'abc', 'a😀c'].sort());
    expect(vals("tags.t LIKE 'a.c'")).toEqual(['a.c']);
    expect(vals("tags.t LIKE 'a+c'")).toEqual(['a+c']);
    expect(vals("tags.t LIKE '%bc%'").sort()).toEqual(['abc', 'xabcx']);
    expect(vals("tags.t LIKE 'abc'")).toEqual(['abc']);
    expect(vals("tags.t ILIKE 'abc'").sort()).toEqual(['ABC', 'abc']);
    expect(vals("tags.t = 'ABC'")).toEqual(['ABC']);
    expect(vals("tags.t LIKE 'a%c'").length).toBe(6);
  });

  it('[SEARCH-8] run_id IN drops values that are not lower case, as MLflow does', () => {
    const runs = [run({ id: 'abc' }), run({ id: 'ABC' }), run({ id: '123' })];
    expect(matching(runs, "run_id IN ('abc', 'ABC', '123')")).toEqual(['abc']);
    expect(matching(runs, "attribute.run_id NOT IN ('ABC')").sort()).toEqual(['123', 'ABC', 'abc']);
  });

  it('[SEARCH-9] IS NULL / IS NOT NULL test presence of a param or tag', () => {
    const runs = [run({ id: 'run1', tags: { env: 'prod' } }), run({ id: 'run2', params: { lr: '0.01' } })];
    expect(matching(runs, 'tags.env IS NOT NULL')).toEqual(['run1']);
    expect(matching(runs, 'tags.env IS NULL')).toEqual(['run2']);
    expect(matching(runs, 'params.lr IS NOT NULL')).toEqual(['run2']);
    expect(matching(runs, 'params.lr IS NULL')).toEqual(['run1']);
    expect(matching(runs, 'params.nobody IS NULL')).toEqual(['run1', 'run2']);
  });

  it('[SEARCH-14] numeric params: numbers compare as numbers, other values never match (not even !=)', () => {
    const vals = ['0.01', '1e-3', '3', '3.0', 'abc', 'nan', ' 3', '0x10', '-2', '.5'];
    const runs = vals.map((v, i) => run({ id: `p${i}`, params: { lr: v } }));
    runs.push(run({ id: 'missing' }));
    const got = (f: string) => matching(runs, f).map((id) => runs.find((r) => r.info.runId === id)!.params.lr).sort();
    expect(got('params.lr > 0.001')).toEqual(['.5', '0.01', '3', '3.0'].sort());
    expect(got('params.lr = 3')).toEqual(['3', '3.0']);
    expect(got('params.lr != 3')).toEqual(['-2', '.5', '0.01', '1e-3'].sort());
    expect(got('params.lr <= 0.001')).toEqual(['-2', '1e-3']);
    expect(got("params.lr = '3'")).toEqual(['3']);
    expect([paramNumber('5.'), paramNumber('+1'), paramNumber('1_000'), paramNumber('Infinity')]).toEqual([5, 1, NaN, NaN]);
  });

  it('[SEARCH-15] OR, parentheses and NOT; NOT is a complement (it matches runs without the key)', () => {
    const runs = [run({ id: 'a', params: { m: 'x' }, metrics: { acc: 0.9 } }), run({ id: 'b', params: { m: 'y' }, metrics: { acc: 0.5 } }), run({ id: 'c' })];
    expect(matching(runs, "params.m = 'x' OR metrics.acc < 0.6")).toEqual(['a', 'b']);
    expect(matching(runs, "NOT params.m = 'x'")).toEqual(['b', 'c']);
    expect(matching(runs, "params.m != 'x'")).toEqual(['b']);
    expect(matching(runs, "NOT (params.m = 'x' OR params.m = 'y')")).toEqual(['c']);
    expect(matching(runs, "params.m = 'y' OR params.m = 'x' AND metrics.acc < 0.6")).toEqual(['b']);
    expect(matching(runs, "(params.m = 'y' OR params.m = 'x') AND metrics.acc < 0.6")).toEqual(['b']);
    expect(refused(runs, { filter: "params.m = 'x' OR params.m = 'y'", dialect: 'mlflow' }).message).toContain('Invalid clause(s)');
  });

  it('[SEARCH-5] created and run name aliases reach start_time and run_name', () => {
    const runs = [run({ id: 'old', start: 10, name: 'Alpha' }), run({ id: 'new', start: 20, name: 'beta' })];
    expect(matching(runs, 'created >= 15')).toEqual(['new']);
    expect(matching(runs, 'attributes.Created < 15')).toEqual(['old']);
    expect(matching(runs, "`Run Name` ILIKE 'a%'")).toEqual(['old']);
    expect(matching(runs, "run_name = 'beta' AND user_id = 'user-id'")).toEqual(['new']);
  });
});

// MLflow's test_correct_sorting runs: ids 9, 8, 7 → indices 0, 1, 2.
const SORT_RUNS = [
  run({ id: '9', status: 'FAILED', start: 0, metrics: { key1: 121 }, params: { my_param: 'A' } }),
  run({ id: '8', status: 'FINISHED', start: 1, metrics: { key1: 123 }, params: { my_param: 'A' }, tags: { tag1: 'C' } }),
  run({ id: '7', status: 'FAILED', start: 1, metrics: { key1: 125 }, params: { my_param: 'B' }, tags: { tag1: 'D' } }),
];

describe('order', () => {
  it("[SEARCH-19] MLflow's sorting cases: clauses first, then start_time DESC, run_id ASC", () => {
    const cases: [string[], number[]][] = [
      [[], [2, 1, 0]],
      [['tags.noSuchTag'], [2, 1, 0]],
      [['attributes.status'], [2, 0, 1]],
      [['attributes.start_time'], [0, 2, 1]],
      [['metrics.key1 asc'], [0, 1, 2]],
      [['metrics."key1"  desc'], [2, 1, 0]],
      [['params.my_param'], [1, 0, 2]],
      [['params.my_param aSc', 'attributes.status  ASC'], [0, 1, 2]],
      [['params.my_param', 'attributes.status DESC'], [1, 0, 2]],
      [['params.my_param DESC', 'attributes.status   DESC'], [2, 1, 0]],
      [['params.`my_param` DESC', 'attributes.status DESC'], [2, 1, 0]],
      [['tags.tag1'], [1, 2, 0]],
      [['tags.tag1    DESC'], [2, 1, 0]],
    ];
    for (const [orderBy, want] of cases) {
      expect(ids(SORT_RUNS, { orderBy }), orderBy.join(', ')).toEqual(want.map((i) => SORT_RUNS[i]!.info.runId));
    }
  });

  it('[SEARCH-18] values, then NaN, then missing — ascending and descending', () => {
    const vals = ['nan', 'inf', '-inf', '-1000', '0', '1000', 'None'];
    const runs = vals.map((x) => run({ id: x, metrics: x === 'None' ? {} : { x: Number(x === 'inf' ? Infinity : x === '-inf' ? -Infinity : x) } }));
    expect(ids(runs, { orderBy: ['metrics.x asc'] })).toEqual(['-inf', '-1000', '0', '1000', 'inf', 'nan', 'None']);
    expect(ids(runs, { orderBy: ['metrics.x desc'] })).toEqual(['inf', '1000', '0', '-1000', '-inf', 'nan', 'None']);
  });

  it('[SEARCH-18] strings sort by code point; a missing end_time sorts last both ways', () => {
    const runs = [run({ id: 'a', tags: { t: '\u{1F600}' }, end: null }), run({ id: 'b', tags: { t: '\uFF5E' }, end: 3 }), run({ id: 'c', tags: { t: 'Z' }, end: 2 })];
    expect(ids(runs, { orderBy: ['tags.t'] })).toEqual(['c', 'b', 'a']);
    expect(ids(runs, { orderBy: ['end_time'] })).toEqual(['c', 'b', 'a']);
    expect(ids(runs, { orderBy: ['end_time DESC'] })).toEqual(['b', 'c', 'a']);
  });

  it.each([
    ['as built', false],
    ['with its default order prepared', true],
  ])('[SEARCH-19] one table searched again and again (its sort keys kept with it, %s) orders every search like a fresh table', (_how, prepared) => {
    // Ties on start_time everywhere, so run_id and the clauses decide; the same table serves every search in turn.
    const runs = Array.from({ length: 40 }, (_, i) =>
      run({ id: `r${String((i * 17) % 40).padStart(2, '0')}`, start: i % 3, metrics: i % 5 ? { m: (i * 7) % 4 } : {}, params: { p: `v${i % 4}` }, tags: i % 2 ? { t: 'x' } : {} }),
    );
    const t = tableFromRuns(runs);
    if (prepared) prepareDefaultOrder(t);
    const rowIds = (r: ReturnType<typeof searchTable>) => (r.ok ? [...r.rows].map((i) => t.runId.dict[t.runId.codes[i]!]!) : []);
    const requests: SearchRequest[] = [
      {},
      { orderBy: ['metrics.m'] },
      { filter: 'metrics.m > 0' },
      { orderBy: ['params.p DESC', 'metrics.m'] },
      {},
      { filter: "tags.t = 'x'", orderBy: ['start_time'] },
      { orderBy: ['metrics.m DESC'] },
      { filter: 'metrics.m > 0' },
    ];
    for (const req of requests) {
      const again = rowIds(searchTable(t, { viewType: 'ALL', ...req }));
      expect(again, JSON.stringify(req)).toEqual(ids(runs, req));
      expect(new Set(again).size).toBe(again.length);
    }
  });

  it('[SEARCH-19] sortRows with no clause keeps a row listed twice, twice, in the default order', () => {
    const runs = [run({ id: 'a', start: 1 }), run({ id: 'b', start: 3 }), run({ id: 'c', start: 2 })];
    const t = tableFromRuns(runs);
    expect([...sortRows(t, Uint32Array.from([0, 1, 0, 2]), [])]).toEqual([1, 2, 0, 0]);
    prepareDefaultOrder(t);
    expect([...sortRows(t, Uint32Array.from([0, 1, 0, 2]), [])]).toEqual([1, 2, 0, 0]);
  });

  it('[SEARCH-17] params sort as strings; datasets cannot be sorted', () => {
    const runs = [run({ id: 'a', params: { n: '10' } }), run({ id: 'b', params: { n: '9' } })];
    expect(ids(runs, { orderBy: ['params.n'] })).toEqual(['a', 'b']);
    expect(refused(runs, { orderBy: ['datasets.name'] }).field).toBe('order_by');
  });
});

describe('pages, limits and views', () => {
  const three = [run({ id: '0' }), run({ id: '1' }), run({ id: '2' })];
  const token = (o: unknown) => btoa(JSON.stringify(o));
  const page = (pageToken: string | undefined, maxResults: number) => {
    const r = searchTable(tableFromRuns(three), { orderBy: ['run_id'], pageToken, maxResults });
    if (!r.ok) throw new Error(r.error.message);
    const next = r.nextPageToken === null ? null : JSON.parse(atob(r.nextPageToken.replace(/-/g, '+').replace(/_/g, '/'))).offset;
    return { rows: [...r.rows], next };
  };

  it("[SEARCH-20] #20 MLflow's pagination table: base64 {offset} tokens, next token only when rows remain", () => {
    const cases: [unknown, number, number[], number | null][] = [
      [null, 1, [0], 1], [null, 2, [0, 1], 2], [null, 3, [0, 1, 2], null], [null, 5, [0, 1, 2], null],
      [{ offset: 1 }, 1, [1], 2], [{ offset: 1 }, 2, [1, 2], null], [{ offset: 1 }, 3, [1, 2], null],
      [{ offset: 2 }, 1, [2], null], [{ offset: 2 }, 2, [2], null], [{ offset: 2 }, 0, [], 2], [{ offset: 3 }, 1, [], null],
    ];
    for (const [t, max, rows, next] of cases) {
      expect(page(t ? token(t) : undefined, max), JSON.stringify([t, max])).toEqual({ rows, next });
    }
  });

  it('[SEARCH-20] garbage, MLflow-invalid and foreign tokens are INVALID_PARAMETER_VALUE "Invalid page token"', () => {
    for (const bad of [token({}), token({ offset: 'a' }), token({ offsoot: 7 }), btoa('not json'), 'not base64', token({ offset: -1 }), token({ offset: 1.5 }), token([1])]) {
      const e = refused(three, { pageToken: bad });
      expect(e.message, bad).toContain('Invalid page token');
      expect(e).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'page_token' });
    }
    expect(page(token({ offset: '1' }), 5).rows).toEqual([1, 2]);
    const first = searchTable(tableFromRuns(three), { maxResults: 1, filter: "status = 'FINISHED'" });
    if (!first.ok || !first.nextPageToken) throw new Error('expected a next page');
    expect(refused(three, { maxResults: 1, pageToken: first.nextPageToken, filter: "status != 'X'" }).message).toContain('another filter');
    const second = searchTable(tableFromRuns(three), { maxResults: 1, filter: "status = 'FINISHED'", pageToken: first.nextPageToken });
    expect(second.ok && second.rows.length).toBe(1);
  });

  it('[SEARCH-21] max_results: default 1000, 50,000 allowed, more refused with MLflow\'s message', () => {
    const many = Array.from({ length: 1001 }, (_, i) => run({ id: `r${i}` }));
    const r = searchTable(tableFromRuns(many));
    expect(r.ok && r.rows.length).toBe(1000);
    expect(r.ok && r.total).toBe(1001);
    expect(searchTable(tableFromRuns(three), { maxResults: MAX_RESULTS_THRESHOLD }).ok).toBe(true);
    expect(refused(three, { maxResults: 50_001 }).message).toBe('Invalid value for request parameter max_results. It must be at most 50000, but got value 50001');
    expect(refused(three, { maxResults: -1 }).field).toBe('max_results');
    expect(refused(three, { maxResults: 1.5 }).field).toBe('max_results');
  });

  it('[SEARCH-22] run_view_type filters on lifecycle_stage; experimentIds limits the experiments', () => {
    const runs = [run({ id: 'live', exp: '1' }), run({ id: 'gone', deleted: true, exp: '1' }), run({ id: 'other', exp: '2' })];
    const t = tableFromRuns(runs);
    const names = (req: SearchRequest) => {
      const r = searchTable(t, req);
      return r.ok ? [...r.rows].map((i) => runs[i]!.info.runId).sort() : r.error.field;
    };
    expect(names({})).toEqual(['live', 'other']);
    expect(names({ viewType: 'ACTIVE_ONLY' })).toEqual(['live', 'other']);
    expect(names({ viewType: 'DELETED_ONLY' })).toEqual(['gone']);
    expect(names({ viewType: 'ALL' })).toEqual(['gone', 'live', 'other']);
    expect(names({ viewType: 'ALL', experimentIds: ['1'] })).toEqual(['gone', 'live']);
    expect(names({ viewType: 'active' })).toBe('run_view_type');
  });

  it('[SEARCH-23] refusals carry field and position and become a CairnError with those details', () => {
    const e = refused(three, { filter: "params.a = 'x' AND m.b > 1" });
    expect(e).toMatchObject({ field: 'filter', position: 19, length: 1 });
    const c = searchErrorToCairn(e);
    expect(c.code).toBe('INVALID_PARAMETER_VALUE');
    expect(c.toWire().details).toEqual({ field: 'filter', position: 19, length: 1 });
    expect(refused(three, { orderBy: ['tags.a', 'm.x'] })).toMatchObject({ field: 'order_by', index: 1 });
  });
});

describe('the table', () => {
  it('[SEARCH-24] tableFromRuns: dictionary codes, a numeric shadow of params, presence for metrics, datasets in CSR', () => {
    const domainRun = {
      info: { runId: 'x1', runName: 'n', experimentId: '0', userId: 'u', status: 'RUNNING', startTime: 5, endTime: null, lifecycleStage: 'active' as const, artifactUri: 'a' },
      params: { lr: '0.1', opt: 'adam' },
      tags: { 'mlflow.parentRunId': 'p0' },
      metrics: { loss: { latest: NaN } },
    };
    const t = tableFromRuns([plainRunFromRun(domainRun, [{ name: 'd', digest: 'g', context: 'train' }]), run({ id: 'x2', params: { lr: 'fast' } })]);
    expect(t.rowCount).toBe(2);
    const lr = t.params.find((p) => p.key === 'lr')!;
    expect([...lr.numbers]).toEqual([0.1, NaN]);
    expect(lr.dict).toEqual(['0.1', 'fast']);
    expect([...t.params.find((p) => p.key === 'opt')!.codes]).toEqual([0, -1]);
    const loss = t.metrics[0]!;
    expect([...loss.present]).toEqual([1, 0]);
    expect(Number.isNaN(loss.latest[0])).toBe(true);
    expect([...t.endTime]).toEqual([NaN, 1]);
    expect(t.parentRunId.dict[t.parentRunId.codes[0]!]).toBe('p0');
    expect([...t.datasets.offsets]).toEqual([0, 1, 1]);
    expect(t.datasets.dict[t.datasets.context[0]!]).toBe('train');
    // Structured clone keeps it whole (what a worker boundary does).
    expect(structuredClone(t)).toEqual(t);
  });

  it('[SEARCH-24] tableFromRows (the experiment index\'s flat rows) builds the same table as tableFromRuns', () => {
    const runs = [...MLFLOW_RUNS, ...SORT_RUNS, run({ id: 'kid', tags: { 'mlflow.parentRunId': 'hi' }, metrics: { m: NaN }, end: null })];
    const rows = runs.map((r) => ({
      ...r.info,
      parentRunId: r.tags['mlflow.parentRunId'] ?? null,
      params: r.params,
      tags: r.tags,
      metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, { latest: v, min: v, max: v, count: 1 }])),
      datasets: r.datasets,
    }));
    expect(tableFromRows(rows)).toEqual(tableFromRuns(runs));
  });
});

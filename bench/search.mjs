// Search: filter + sort of synthetic runs on lib/search's columnar table (target: 10k runs ≤ 50 ms).
//   node --expose-gc bench/search.mjs
// Builds 10k and 100k runs × (20 params, 20 metrics, 3 tags) with tableFromRuns (lib/search bundled from source with
// esbuild), then times searchTable (median of 7, after 2 warm-up calls): a filter of 4 clauses with OR and a numeric
// param, sorted by a metric; the first page of 100 and the whole result (max_results 50,000). Also the default order
// with no filter, and the table build itself.
import { importBundle } from './lib/bundle.mjs';
import { fmt, median, report, watchdog } from './lib/util.mjs';

watchdog(240_000, 'search');
const search = await importBundle('search', `export * from './lib/search/index.ts';\n`);
const TARGET_MS = 50;
const ROUNDS = 7;

/** The tests' seeded PRNG (tests/shared/random.ts), so every run of the bench measures the same table. */
const { mulberry32: rng } = await importBundle('random', `export * from './tests/shared/random.ts';\n`);

function syntheticRuns(n) {
  const rand = rng(42);
  const runs = new Array(n);
  for (let i = 0; i < n; i++) {
    const params = {};
    const metrics = {};
    for (let k = 0; k < 20; k++) params[`p${k}`] = k === 0 ? String(10 ** -(1 + Math.floor(rand() * 5))) : `v${Math.floor(rand() * 50)}`;
    for (let k = 0; k < 20; k++) metrics[`m${k}`] = rand();
    runs[i] = {
      info: {
        runId: i.toString(16).padStart(32, '0').replace(/^0/, 'a'), runName: `run-${i}`, experimentId: '1', userId: `user${i % 7}`,
        status: ['FINISHED', 'FAILED', 'RUNNING'][i % 3], startTime: 1_700_000_000_000 + Math.floor(rand() * 1e9), endTime: null,
        lifecycleStage: i % 50 === 0 ? 'deleted' : 'active', artifactUri: `mlflow-artifacts:/1/${i}/artifacts`,
      },
      params, metrics, tags: { team: `t${i % 5}`, 'mlflow.user': `user${i % 7}`, stage: i % 2 ? 'prod' : 'dev' }, datasets: [],
    };
  }
  return runs;
}

function time(f) {
  f();
  f();
  const xs = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    f();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

const FILTER = "metrics.m0 > 0.5 AND (params.p1 = 'v3' OR tags.stage = 'prod') AND params.p0 < 0.01 AND status != 'RUNNING'";
const rows = [];
for (const n of [10_000, 100_000]) {
  const runs = syntheticRuns(n);
  const t0 = performance.now();
  const table = search.tableFromRuns(runs);
  const buildMs = performance.now() - t0;
  const check = search.searchTable(table, { filter: FILTER, orderBy: ['metrics.m1 DESC'], maxResults: 50_000 });
  if (!check.ok) throw new Error(check.error.message);
  const top = time(() => search.searchTable(table, { filter: FILTER, orderBy: ['metrics.m1 DESC'], maxResults: 100 }));
  const full = time(() => search.searchTable(table, { filter: FILTER, orderBy: ['metrics.m1 DESC'], maxResults: 50_000 }));
  const all = time(() => search.searchTable(table, { maxResults: 100 }));
  const allSorted = time(() => search.searchTable(table, { orderBy: ['params.p3', 'metrics.m2'], maxResults: 100 }));
  console.log(`${n} runs × 43 columns: table build ${fmt(buildMs, 0)} ms; filter matches ${check.total}`);
  console.log(`  filter + sort by a metric, first 100:   ${fmt(top)} ms${n === 10_000 ? ` (target ≤ ${TARGET_MS} ms)` : ''}`);
  console.log(`  filter + sort by a metric, all rows:    ${fmt(full)} ms`);
  console.log(`  no filter, default order, first 100:    ${fmt(all)} ms`);
  console.log(`  no filter, by a param then a metric:    ${fmt(allSorted)} ms`);
  rows.push(
    [`${n / 1000}k: filter + sort, top 100`, `${fmt(top)} ms`, n === 10_000 ? `target ≤ ${TARGET_MS} ms` : ''],
    [`${n / 1000}k: filter + sort, all`, `${fmt(full)} ms`, `${check.total} matches`],
    [`${n / 1000}k: default order, no filter`, `${fmt(all)} ms`, ''],
    [`${n / 1000}k: table build`, `${fmt(buildMs, 0)} ms`, 'tableFromRuns'],
  );
}
report('search', rows);

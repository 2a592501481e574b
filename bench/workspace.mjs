// Workspace (format 2): what 10k runs of one experiment cost the parties that read them.
//   node --expose-gc bench/workspace.mjs   (or: node bench/run.mjs workspace)
// Builds 10,000 runs (20 params, 3 tags, 20 metric keys × 5 points: the issue-6 sweep) with lib/doc's commands on a
// memory context: the workspace doc holds the experiment only, each run its own run doc and metrics doc. Then times
// (median of 5): the workspace doc's Y.applyUpdate (what every client pays to connect), Y.applyUpdate of all 10k run
// docs (what rebuilding an index from run docs pays for Yjs alone), reading them with listRuns, re-reading one run
// after a tag (the worker's path for one changed run doc), the experiment index (build, bytes per run, a one-run
// delta) and a filtered, sorted search over lib/search's table of its rows (the runs table's filter box).
// Format 1 baseline (everything in one workspace doc, DESIGN.md): 38.5 MB, 2.2 s to apply.
import * as Y from 'yjs';
import { DOC_AND_SEARCH, importBundle } from './lib/bundle.mjs';
import { fmt, median, report, watchdog } from './lib/util.mjs';

const RUNS = Number(process.env.BENCH_WORKSPACE_RUNS ?? 10_000);
const ROUNDS = 5;

watchdog(240_000, 'workspace');
const doc = await importBundle('doc-search', DOC_AND_SEARCH);
const idx = await importBundle('run-index-search', `export * from './lib/run-index/index.ts';\nexport * from './lib/search/index.ts';\n`);

let clock = 1_700_000_000_000;
const ctx = doc.memoryCtx(new Y.Doc(), 'bench', () => ++clock);
doc.ensureWorkspace(ctx);
const exp = doc.createExperiment(ctx, { name: 'sweep' });
const runUpdates = [];
let runBytes = 0;
let metricsBytes = 0;
const t0 = performance.now();
for (let i = 0; i < RUNS; i++) {
  const { runId } = doc.startRun(ctx, { experimentId: exp, runName: `run-${i}`, startTime: 1_700_000_000_000 + i });
  const params = Array.from({ length: 20 }, (_, p) => ({ key: `param_${p}`, value: p < 10 ? String(10 ** -(1 + ((i + p) % 4))) : String((i * 7 + p) % 97) }));
  doc.logBatch(ctx, { runId, params, tags: [{ key: 'team', value: 'vision' }, { key: 'sweep', value: `s${i % 5}` }] });
  const cols = new Map();
  for (let m = 0; m < 20; m++) {
    const v = ((i * 31 + m * 17) % 1000) / 1000;
    cols.set(`metric_${m}`, { steps: [0, 1, 2, 3, 4], timestamps: [0, 1, 2, 3, 4].map((s) => 1_700_000_000_000 + s), values: [0, 1, 2, 3, 4].map((s) => v * (1 + s / 10)) });
  }
  const metricsDoc = ctx.metricsDoc(runId);
  doc.appendMetricColumns(ctx, metricsDoc, runId, cols);
  const u = Y.encodeStateAsUpdate(ctx.runDoc(runId));
  runBytes += u.length;
  runUpdates.push([runId, u]);
  metricsBytes += Y.encodeStateAsUpdate(metricsDoc).length;
  // Metrics docs are not read below: keep memory to what the readers hold.
  metricsDoc.destroy();
  ctx.metricsDocs.delete(runId);
}
const built = performance.now() - t0;
const wsUpdate = Y.encodeStateAsUpdate(ctx.ws);

const wsApply = [];
const runsApply = [];
const listTimes = [];
let listed = 0;
let docs = null;
for (let r = 0; r < ROUNDS; r++) {
  docs = null;
  globalThis.gc?.();
  let t = performance.now();
  const ws = new Y.Doc();
  Y.applyUpdate(ws, wsUpdate);
  wsApply.push(performance.now() - t);
  t = performance.now();
  const fresh = new Map();
  for (const [id, u] of runUpdates) {
    const d = new Y.Doc();
    Y.applyUpdate(d, u);
    fresh.set(id, d);
  }
  runsApply.push(performance.now() - t);
  t = performance.now();
  listed = doc.listRuns(fresh, { experimentIds: [exp] }).length;
  listTimes.push(performance.now() - t);
  docs = fresh;
}

// One run doc changed (a tag): the worker / relay re-read that run only, then update the index.
const runs = doc.listRuns(docs, { experimentIds: [exp], view: 'ALL' });
const buildTimes = [];
let indexes;
for (let r = 0; r < ROUNDS; r++) {
  const t = performance.now();
  indexes = idx.buildIndexes(runs);
  buildTimes.push(performance.now() - t);
}
const index = indexes.get(exp);
const tEnc = performance.now();
const snapshot = idx.encodeIndex(index.snapshot());
const encodeMs = performance.now() - tEnc;
const tDec = performance.now();
idx.decodeIndex(snapshot);
const decodeMs = performance.now() - tDec;
const ids = [...docs.keys()];
const rereads = [];
let deltaBytes = 0;
for (let r = 0; r < ROUNDS; r++) {
  const id = ids[r * 97];
  const seqBefore = index.seq;
  const d = docs.get(id);
  const rctx = { ...ctx, runDoc: (x) => (x === id ? d : ctx.runDoc(x)) };
  doc.setTag(rctx, { runId: id, key: 'note', value: String(r) });
  const t = performance.now();
  index.upsertRun(doc.readRun(id, d));
  rereads.push(performance.now() - t);
  deltaBytes = idx.encodeIndex(index.deltaSince(seqBefore, index.epoch)).length;
}
const tableTimes = [];
const searchTimes = [];
let matched = 0;
for (let r = 0; r < ROUNDS; r++) {
  let t = performance.now();
  const table = idx.tableFromRows(index.allRows());
  tableTimes.push(performance.now() - t);
  t = performance.now();
  const found = idx.searchTable(table, { filter: "params.param_1 = '0.01' and metrics.metric_3 > 0.5 or params.param_12 < 40", orderBy: ['metrics.metric_0 ASC'], maxResults: 100 });
  searchTimes.push(performance.now() - t);
  matched = found.ok ? found.total : -1;
}

const n = RUNS.toLocaleString('en-US');
const rows = [
  ['runs in one experiment', n, `20 params, 3 tags, 20 metric keys × 5 points each; built in ${fmt(built / 1000, 1)} s`],
  ['workspace doc (encoded)', `${fmt(wsUpdate.length / 1e3, 1)} KB`, 'experiments only (format 1: 38.5 MB for these runs)'],
  ['workspace doc: Y.applyUpdate (median of 5)', `${fmt(median(wsApply), 2)} ms`, 'what every client pays to connect (format 1: 2.2 s)'],
  ['run docs (encoded)', `${fmt(runBytes / RUNS, 0)} B/run`, `${fmt(runBytes / 1e6, 1)} MB in all; metrics docs ${fmt(metricsBytes / RUNS, 0)} B/run`],
  [`Y.applyUpdate of ${n} run docs (median of 5)`, `${fmt(median(runsApply), 0)} ms`, `${fmt((median(runsApply) * 1000) / RUNS, 0)} µs/run: Yjs' share of rebuilding an index`],
  [`listRuns of ${n} run docs (median of 5)`, `${fmt(median(listTimes), 0)} ms`, `${listed.toLocaleString('en-US')} runs read`],
  ['one run doc changed: readRun + index upsert', `${fmt(median(rereads), 2)} ms`, 'median of 5 tag changes'],
  ['experiment index: build from the runs (median of 5)', `${fmt(median(buildTimes), 1)} ms`, 'lib/run-index buildIndexes'],
  ['experiment index: snapshot bytes', `${fmt(snapshot.length / RUNS, 0)} B/run`, `${fmt(snapshot.length / 1e6, 2)} MB; encode ${fmt(encodeMs, 0)} ms, decode ${fmt(decodeMs, 0)} ms; target ≤ 1 KB/run`],
  ['experiment index: delta after one tag', `${deltaBytes} B`, 'what a reader at the previous seq fetches'],
  ['search table from the index rows (median of 5)', `${fmt(median(tableTimes), 1)} ms`, 'lib/search tableFromRows'],
  ['search: 3-clause filter + sort, top 100 (median of 5)', `${fmt(median(searchTimes), 1)} ms`, `${matched.toLocaleString('en-US')} matches; target filter+sort of 10k ≤ 50 ms`],
];
for (const [a, b, c] of rows) console.log(`  ${a.padEnd(52)} ${b.padStart(12)}  ${c}`);
report('workspace', rows);

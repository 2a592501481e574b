// Workspace: what a 10k-run workspace costs a reader (the experiment page's runs table).
//   node --expose-gc bench/workspace.mjs   (or: node bench/run.mjs workspace)
// Builds a workspace doc of 10,000 runs in one experiment (5 params, 3 tags, 4 metric keys each) with lib/doc's
// commands, encodes it, then times (median of 5): Y.applyUpdate into a fresh doc (what a tab loading from IndexedDB or
// the relay pays) and listRuns for the experiment (what the data worker computes per runs-table query). Then the
// experiment index of those runs (lib/run-index: build, bytes per run, a one-run delta) and a filtered, sorted search
// over lib/search's table of them (what the runs table's filter box costs in the worker).
import * as Y from 'yjs';
import { DOC_AND_SEARCH, importBundle } from './lib/bundle.mjs';
import { fmt, median, report, watchdog } from './lib/util.mjs';

const RUNS = 10_000;
const ROUNDS = 5;

watchdog(180_000, 'workspace');
const doc = await importBundle('doc-search', DOC_AND_SEARCH);
const idx = await importBundle('run-index-search', `export * from './lib/run-index/index.ts';\nexport * from './lib/search/index.ts';\n`);

const ws = new Y.Doc();
const ctx = { ws, actor: 'bench', now: () => 1_700_000_000_000 };
doc.ensureWorkspace(ctx);
const exp = doc.createExperiment(ctx, { name: 'sweep' });
const t0 = performance.now();
for (let i = 0; i < RUNS; i++) {
  const { runId } = doc.startRun(ctx, { experimentId: exp, startTime: 1_700_000_000_000 + i });
  doc.logBatch(ctx, {
    runId,
    params: [
      { key: 'lr', value: String(10 ** -(1 + (i % 4))) },
      { key: 'batch_size', value: String(32 << i % 3) },
      { key: 'optimizer', value: i % 2 ? 'adam' : 'sgd' },
      { key: 'seed', value: String(i) },
      { key: 'layers', value: String(2 + (i % 5)) },
    ],
    tags: [{ key: 'team', value: 'vision' }, { key: 'sweep', value: 's1' }],
  });
  const runDoc = new Y.Doc();
  doc.appendMetrics(ctx, runDoc, runId, ['loss', 'acc', 'val_loss', 'val_acc'].map((key, k) => ({ key, value: Math.random(), step: 100, timestamp: 1_700_000_000_000 + k })));
  runDoc.destroy();
}
const built = performance.now() - t0;
const update = Y.encodeStateAsUpdate(ws);

const applyTimes = [];
const listTimes = [];
let listed = 0;
for (let r = 0; r < ROUNDS; r++) {
  globalThis.gc?.();
  const fresh = new Y.Doc();
  let t = performance.now();
  Y.applyUpdate(fresh, update);
  applyTimes.push(performance.now() - t);
  t = performance.now();
  listed = doc.listRuns(fresh, { experimentIds: [exp] }).length;
  listTimes.push(performance.now() - t);
  fresh.destroy();
}

// The data worker's path: runs cached as read views, one run invalidated by a change, then the table re-queried.
const cache = new Map();
const cached = (id, r) => cache.get(id) ?? (cache.set(id, doc.readRun(id, r)), cache.get(id));
doc.listRuns(ws, { experimentIds: [exp] }, cached);
const requery = [];
const ids = [...doc.wsRuns(ws).keys()];
for (let r = 0; r < ROUNDS; r++) {
  const id = ids[r * 97];
  doc.setTag(ctx, { runId: id, key: 'note', value: String(r) });
  cache.delete(id);
  const t = performance.now();
  doc.listRuns(ws, { experimentIds: [exp] }, cached);
  requery.push(performance.now() - t);
}

// The experiment index of the same runs, and a search over it.
const runs = doc.listRuns(ws, { experimentIds: [exp], view: 'ALL' });
const buildTimes = [];
let indexes;
for (let r = 0; r < ROUNDS; r++) {
  const t = performance.now();
  indexes = idx.buildIndexes(runs);
  buildTimes.push(performance.now() - t);
}
const index = indexes.get(exp);
const snapshotBytes = idx.encodeIndex(index.snapshot()).length;
const seqBefore = index.seq;
doc.setTag(ctx, { runId: ids[5], key: 'note', value: 'delta' });
idx.buildIndexes(doc.listRuns(ws, { experimentIds: [exp], view: 'ALL' }), indexes);
const deltaBytes = idx.encodeIndex(index.deltaSince(seqBefore, index.epoch)).length;
const tableTimes = [];
const searchTimes = [];
let matched = 0;
for (let r = 0; r < ROUNDS; r++) {
  let t = performance.now();
  const table = idx.tableFromRows(index.allRows());
  tableTimes.push(performance.now() - t);
  t = performance.now();
  const found = idx.searchTable(table, { filter: "params.optimizer = 'adam' and metrics.acc > 0.5 or params.lr < 0.005", orderBy: ['metrics.loss ASC'], maxResults: 100 });
  searchTimes.push(performance.now() - t);
  matched = found.ok ? found.total : -1;
}

const rows = [
  ['runs in one experiment', RUNS.toLocaleString('en-US'), `5 params, 3 tags, 4 metric keys each; built in ${fmt(built / 1000, 1)} s`],
  ['workspace doc (encoded)', `${fmt(update.length / 1e6, 2)} MB`, `${fmt(update.length / RUNS, 0)} B/run`],
  ['Y.applyUpdate into a fresh doc (median of 5)', `${fmt(median(applyTimes), 1)} ms`, 'a tab opening the workspace'],
  ['listRuns of the experiment, cold (median of 5)', `${fmt(median(listTimes), 1)} ms`, `${listed.toLocaleString('en-US')} runs read from the doc`],
  ['listRuns after one run changed (median of 5)', `${fmt(median(requery), 1)} ms`, "the worker's cache: unchanged runs not re-read"],
  ['experiment index: build from the runs (median of 5)', `${fmt(median(buildTimes), 1)} ms`, 'lib/run-index buildIndexes'],
  ['experiment index: snapshot bytes', `${fmt(snapshotBytes / RUNS, 0)} B/run`, `${fmt(snapshotBytes / 1e6, 2)} MB for ${RUNS.toLocaleString('en-US')} runs`],
  ['experiment index: delta after one tag', `${deltaBytes} B`, 'what a reader at the previous seq fetches'],
  ['search table from the index rows (median of 5)', `${fmt(median(tableTimes), 1)} ms`, 'lib/search tableFromRows'],
  ['search: 3-clause filter + sort, top 100 (median of 5)', `${fmt(median(searchTimes), 1)} ms`, `${matched.toLocaleString('en-US')} matches; target filter+sort of 10k ≤ 50 ms`],
];
for (const [a, b, c] of rows) console.log(`  ${a.padEnd(48)} ${b.padStart(12)}  ${c}`);
report('workspace', rows);

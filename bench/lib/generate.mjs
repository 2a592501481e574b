// The workspace generator shared by the benches: a relay data folder built through lib/doc's real commands and
// written through the relay's own storage code (server/relay's openRelayDatabase + SqliteDocStore, bundled from
// source), so a relay started on the folder serves it as if clients had written it.
//
//   const gen = await generateWorkspace({ runs: 100_000, experiments: 10 });
//   gen.dir        // the cached folder (bench/.data/workspaces/<key>/): treat it as read-only
//   gen.manifest   // { ws, runs, experiments: [{ id, name, runs, firstRunId }], bytes, generatedMs, ... }
//   const scratch = copyWorkspace(gen, tempDir('x').path)   // a writable copy for a relay that may write
//
// Shape of every run (the issue-6 sweep): startRun (RUNNING → FINISHED by updateRun), logBatch with PARAMS params and
// 2 tags (+ mlflow.runName = 3 tags), then appendMetricColumns with METRICS keys × POINTS points (one chunk per key in
// the run's metrics room, one summary share per key in its run doc). Rooms: `<ws>` (experiments only),
// `<ws>/run/<runId>` (run doc) and `<ws>/run/<runId>/metrics` (chunks): each stored as one row, the encoded state of
// the doc as the commands left it (what a compacted room holds).
//
// Memory stays bounded: one run's two docs exist at a time; rows go to SQLite in transactions of BATCH runs.
// The folder is cached under bench/.data/workspaces/, keyed by the parameters and a hash of the code that shapes the
// bytes (the lib/doc bundle, named by content hash; the relay's storage sources; this file), so a bench run after an
// unrelated change reuses it. `--fresh` (CLI) or `fresh: true` rebuilds it.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as Y from 'yjs';
import { DATA, ROOT, bundle } from './bundle.mjs';

export const DOC_BUNDLE = `export * from './lib/doc/index.ts';\n`;
export const RELAY_BUNDLE = `export * from './server/relay/index.ts';\n`;
/** What the generator writes with: the relay's storage (and its database module, for the index marker). */
const STORAGE_BUNDLE = `export { openRelayDatabase, SqliteDocStore } from './server/relay/index.ts';\nexport * as database from './server/relay/database.ts';\n`;
const SELF = fileURLToPath(import.meta.url);
const STORAGE_SOURCES = ['server/relay/database.ts', 'server/relay/sqlite-doc-store.ts', 'server/relay/doc-store.ts'];
/** Bump when the shape of generated data changes in a way the bundles' hashes do not show. */
const GENERATOR_VERSION = 1;
const BATCH = 2_000;
const T0 = 1_700_000_000_000;

export const DEFAULTS = Object.freeze({ runs: 100_000, experiments: 10, params: 20, metrics: 20, points: 5, ws: 'default' });

/** The run ids are deterministic (md5 of the index), so every generation of one key holds the same runs. */
export const runIdOf = (i) => createHash('md5').update(`cairn-bench-run-${i}`).digest('hex');
export const experimentNameOf = (e) => `sweep-${e}`;
/** Experiment ids like MLflow's (18 digits), deterministic too. */
export const experimentIdOf = (e) => String(100_000_000_000_000_000n + BigInt(e) * 1_000_003n);

/**
 * Param values: half look like hyperparameters (numbers), half like categories; some shared widely, some rare.
 * tests/e2e/large-experiment.spec.ts counts on param_0 cycling through 4 learning rates and param_2 alternating
 * adam/sgd (1 run in 4 is adam with 0.01).
 */
function paramsOf(i, n) {
  const out = new Array(n);
  for (let p = 0; p < n; p++) {
    let value;
    if (p === 0) value = String(10 ** -(1 + (i % 4)));
    else if (p === 1) value = String(32 << i % 4);
    else if (p === 2) value = i % 2 ? 'adam' : 'sgd';
    else if (p === 3) value = String(i);
    else if (p < 10) value = String(((i * 7 + p * 13) % 97) / 10);
    else value = `v${(i * 31 + p) % (p * 5)}`;
    out[p] = { key: `param_${p}`, value };
  }
  return out;
}

/** One chunk per key: steps 0..points-1, values a deterministic function of (run, key, step). */
function metricColumnsOf(i, keys, points, t) {
  const cols = new Map();
  for (let m = 0; m < keys; m++) {
    const steps = new Float64Array(points);
    const timestamps = new Float64Array(points);
    const values = new Float64Array(points);
    for (let s = 0; s < points; s++) {
      steps[s] = s;
      timestamps[s] = t + s * 1000;
      values[s] = (((i * 31 + m * 17) % 1000) / 1000) * (1 + s / 10);
    }
    cols.set(`metric_${m}`, { steps, timestamps, values });
  }
  return cols;
}

/** A name for the folder of these parameters and this code. */
async function cacheKey(opts) {
  const [docFile, relayFile] = await Promise.all([bundle('doc', DOC_BUNDLE), bundle('relay-storage', STORAGE_BUNDLE)]);
  const h = createHash('sha256');
  h.update(JSON.stringify({ ...opts, v: GENERATOR_VERSION }));
  // lib/doc shapes the bytes (its bundle is named by content hash); of the relay, only its storage code does: other
  // relay changes (rooms, indexes, routes) keep the folder.
  h.update(basename(docFile));
  for (const f of STORAGE_SOURCES) h.update(readFileSync(join(ROOT, f)));
  h.update(readFileSync(SELF));
  const p = opts;
  return { key: `${p.ws}-${p.runs}r-${p.experiments}e-${p.params}p-${p.metrics}m-${p.points}pt-${h.digest('hex').slice(0, 10)}`, docFile, relayFile };
}

/**
 * Builds (or reuses) the folder. `log(line)` gets progress lines. Returns { dir, manifest, cached }.
 */
export async function generateWorkspace(options = {}, log = () => {}) {
  const opts = { ...DEFAULTS, ...options };
  delete opts.fresh;
  const { key, docFile, relayFile } = await cacheKey(opts);
  const root = join(DATA, 'workspaces');
  const dir = join(root, key);
  const manifestFile = join(dir, 'manifest.json');
  if (!options.fresh && existsSync(manifestFile)) {
    return { dir, manifest: JSON.parse(readFileSync(manifestFile, 'utf8')), cached: true };
  }
  mkdirSync(root, { recursive: true });
  // Older folders of the same parameters are of older code: drop them (they are big).
  // (Prepared copies, `<key>-relay-<hash>`, of older folders go with them.)
  for (const name of readdirSync(root)) if (!name.startsWith(key) && name.startsWith(key.slice(0, key.lastIndexOf('-') + 1))) rmSync(join(root, name), { recursive: true, force: true });
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });

  const doc = await import(pathToFileURL(docFile).href);
  const relay = await import(pathToFileURL(relayFile).href);
  const t0 = performance.now();
  const db = relay.openRelayDatabase(tmp);
  const store = new relay.SqliteDocStore(db);

  let clock = T0;
  const ws = new Y.Doc();
  let current = new Map();
  const ctx = {
    ws,
    actor: 'bench-generator',
    now: () => ++clock,
    runDoc: (id) => {
      let d = current.get(id);
      if (!d) current.set(id, (d = new Y.Doc()));
      return d;
    },
  };
  doc.ensureWorkspace(ctx);
  const experiments = [];
  for (let e = 0; e < opts.experiments; e++) {
    const id = doc.createExperiment(ctx, { name: experimentNameOf(e), experimentId: experimentIdOf(e) });
    experiments.push({ id, name: experimentNameOf(e), runs: 0, firstRunId: null });
  }
  const wsUpdate = Y.encodeStateAsUpdate(ws);
  store.append(opts.ws, wsUpdate);

  let runBytes = 0;
  let metricsBytes = 0;
  let lastLog = performance.now();
  const rows = [];
  const writeRows = db.transaction(() => {
    for (const [room, update] of rows) store.append(room, update);
  });
  for (let i = 0; i < opts.runs; i++) {
    const exp = experiments[i % opts.experiments];
    const runId = runIdOf(i);
    const startTime = T0 + i * 1000;
    doc.startRun(ctx, { experimentId: exp.id, runId, runName: `run-${i}`, startTime });
    doc.logBatch(ctx, { runId, params: paramsOf(i, opts.params), tags: [{ key: 'team', value: `team-${i % 3}` }, { key: 'sweep', value: `s${i % 5}` }] });
    const metricsDoc = new Y.Doc();
    if (opts.metrics > 0) doc.appendMetricColumns(ctx, metricsDoc, runId, metricColumnsOf(i, opts.metrics, opts.points, startTime));
    doc.updateRun(ctx, { runId, status: 'FINISHED', endTime: startTime + 60_000 });
    const runDoc = current.get(runId);
    const ru = Y.encodeStateAsUpdate(runDoc);
    const mu = Y.encodeStateAsUpdate(metricsDoc);
    runBytes += ru.length;
    metricsBytes += mu.length;
    rows.push([`${opts.ws}/run/${runId}`, ru]);
    if (opts.metrics > 0) rows.push([`${opts.ws}/run/${runId}/metrics`, mu]);
    runDoc.destroy();
    metricsDoc.destroy();
    current = new Map();
    exp.runs++;
    exp.firstRunId ??= runId;
    if (rows.length >= 2 * BATCH || i === opts.runs - 1) {
      writeRows();
      rows.length = 0;
      if (performance.now() - lastLog > 5_000) {
        lastLog = performance.now();
        log(`  generate: ${(i + 1).toLocaleString('en-US')} / ${opts.runs.toLocaleString('en-US')} runs, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }
    }
  }
  // The rooms are written, the experiment indexes are not: a fresh database says its (empty) index is built, which
  // is no longer true. Clearing that marker leaves the folder as a relay finds one whose indexes were never built
  // (it rebuilds them from the run docs at start, RELAY-35); preparedWorkspace below caches that first start.
  const meta = relay.database;
  if (meta?.META_INDEX_BUILT && meta.setMeta) meta.setMeta(db, meta.META_INDEX_BUILT, null);
  store.close?.();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  ws.destroy();
  const generatedMs = performance.now() - t0;
  const sqliteBytes = statSync(join(tmp, 'relay.sqlite')).size;
  const manifest = {
    key,
    ws: opts.ws,
    runs: opts.runs,
    params: opts.params,
    metrics: opts.metrics,
    points: opts.points,
    tags: 3,
    experiments,
    bytes: { workspaceDoc: wsUpdate.length, runDocs: runBytes, metricsDocs: metricsBytes, sqlite: sqliteBytes },
    generatedMs: Math.round(generatedMs),
    generatedAt: new Date().toISOString(),
  };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, manifest, cached: false };
}

/**
 * The generated folder after one start and clean stop of the relay (server/relay's startRelay, bundled from source):
 * whatever a relay does on its first start over a folder it did not write (building every experiment index from the
 * run docs, setting its markers) is done once and cached, so a bench's relay serves at once. Cached beside the
 * generated folder, keyed by it and by the relay bundle's hash (rebuilt when any relay code changes). Returns
 * { dir, manifest, cached, firstStartMs, log } with the relay's log lines of that start.
 */
export async function preparedWorkspace(options = {}, log = () => {}) {
  const gen = await generateWorkspace(options, log);
  const relayFile = await bundle('relay', RELAY_BUNDLE);
  const key = `${gen.manifest.key}-relay-${basename(relayFile).replace(/^relay-|\.mjs$/g, '')}`;
  const root = join(DATA, 'workspaces');
  const dir = join(root, key);
  const infoFile = join(dir, 'prepared.json');
  if (!options.fresh && existsSync(infoFile)) {
    const info = JSON.parse(readFileSync(infoFile, 'utf8'));
    return { dir, manifest: gen.manifest, cached: true, generated: gen, ...info };
  }
  for (const name of readdirSync(root)) if (name !== key && name.startsWith(`${gen.manifest.key}-relay-`)) rmSync(join(root, name), { recursive: true, force: true });
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  copyWorkspace(gen, tmp);
  const relay = await import(pathToFileURL(relayFile).href);
  const lines = [];
  const t0 = performance.now();
  const handle = await relay.startRelay({ dataDir: tmp, port: 0, auth: 'open', log: (l) => lines.push(String(l)) });
  const firstStartMs = performance.now() - t0;
  await handle.close();
  const info = { firstStartMs: Math.round(firstStartMs), log: lines, preparedAt: new Date().toISOString() };
  log(`  prepare: the relay's first start on the folder took ${(firstStartMs / 1000).toFixed(1)} s${lines.length ? `: ${lines.slice(-3).join(' | ')}` : ''}`);
  writeFileSync(join(tmp, 'prepared.json'), JSON.stringify(info, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, manifest: gen.manifest, cached: false, generated: gen, ...info };
}

/** A writable copy of a generated folder (the relay may write: new runs, compactions, its index). */
export function copyWorkspace(gen, dest) {
  mkdirSync(dest, { recursive: true });
  cpSync(gen.dir, dest, { recursive: true, filter: (src) => !(dirname(src) === gen.dir && src.endsWith('.json')) });
  return dest;
}

/** One line for a bench's output about where the workspace came from. */
export function describe(gen) {
  const m = gen.manifest;
  const g = gen.generated ?? gen;
  const how = `${g.cached ? 'cached, ' : ''}generated in ${(m.generatedMs / 1000).toFixed(1)} s` + (gen.firstStartMs !== undefined ? `, relay's first start ${(gen.firstStartMs / 1000).toFixed(1)} s${gen.cached ? ' (cached)' : ''}` : '');
  return `${m.runs.toLocaleString('en-US')} runs in ${m.experiments.length} experiments (${m.params} params, ${m.metrics} metric keys × ${m.points} points, ${m.tags} tags), SQLite ${(m.bytes.sqlite / 1e6).toFixed(0)} MB, ${how}`;
}

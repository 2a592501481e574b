// Relay memory: a relay holding 100 metrics docs of 100k points each (10 keys × 10k steps, ~1 MB encoded each).
//   node bench/relay-rss.mjs
// Seeds the relay's SQLite through its own DocStore (server/relay's openRelayDatabase + SqliteDocStore, bundled from
// source) with format-2 metrics rooms (`<ws>/run/<id>/metrics`: meta + binary chunks), starts the relay in a process
// of its own with rooms kept loaded, reads its RSS (/proc/<pid>/status), then loads every doc with
// `GET /docs/<ws>/run/<id>/metrics` and reads the RSS again. Prints RSS before/after, the growth per doc
// and the peak (VmHWM).
import { join } from 'node:path';
import * as Y from 'yjs';
import { DOC_AND_SEARCH, RELAY, bundle, importBundle } from './lib/bundle.mjs';
import { fmt, report, rssMb, spawnNode, syntheticColumns, tempDir, watchdog, ROOT } from './lib/util.mjs';

const DOCS = 100;
const KEYS = 10;
const STEPS = 10_000;
const POINTS = KEYS * STEPS;
const WS = 'bench';

watchdog(240_000, 'relay-rss');
const [doc, relayBundle] = await Promise.all([importBundle('doc-search', DOC_AND_SEARCH), bundle('relay', RELAY)]);
const relayMod = await import(new URL(`file://${relayBundle}`).href);
const dir = tempDir('relay-rss');
let server = null;
try {
  // Seed: one snapshot row per run room, written exactly as the relay stores updates.
  const ts = performance.now();
  const db = relayMod.openRelayDatabase(dir.path);
  const store = new relayMod.SqliteDocStore(db);
  const ids = [];
  let seededBytes = 0;
  for (let d = 0; d < DOCS; d++) {
    const runId = d.toString(16).padStart(32, '0');
    const metricsDoc = new Y.Doc();
    doc.initMetricsDoc(metricsDoc, runId);
    const chunks = [];
    for (let k = 0; k < KEYS; k++) {
      const { steps, timestamps, values } = syntheticColumns(STEPS, { dt: 41, value: (i) => Math.sin(i / 300 + d + k) + d / DOCS });
      for (let i = 0; i < STEPS; i += doc.CHUNK_MAX_POINTS) chunks.push(doc.encodeChunk(`metric_${k}`, steps, timestamps, values, i, Math.min(STEPS, i + doc.CHUNK_MAX_POINTS)));
    }
    metricsDoc.transact(() => doc.metricChunks(metricsDoc).push(chunks));
    const update = Y.encodeStateAsUpdate(metricsDoc);
    seededBytes += update.length;
    store.append(`${WS}/run/${runId}/metrics`, update);
    metricsDoc.destroy();
    ids.push(runId);
  }
  store.close?.();
  db.close?.();
  const seedMs = performance.now() - ts;

  server = spawnNode([join(ROOT, 'bench', 'lib', 'relay-server.mjs'), relayBundle, dir.path]);
  const url = (await server.line(/listening (http:\/\/\S+)/, 'relay start', 30_000))[1];
  const pid = server.proc.pid;
  await fetch(`${url}/healthz`);
  const before = rssMb(pid);

  const tl = performance.now();
  let fetched = 0;
  for (const id of ids) {
    const res = await fetch(`${url}/docs/${WS}/run/${id}/metrics`);
    if (!res.ok) throw new Error(`GET /docs/${WS}/run/${id}/metrics: ${res.status} ${await res.text()}`);
    fetched += (await res.arrayBuffer()).byteLength;
  }
  const loadMs = performance.now() - tl;
  const after = rssMb(pid);
  const peak = rssMb(pid, 'VmHWM');

  const results = [
    ['metrics docs × points', `${DOCS} × ${POINTS.toLocaleString('en-US')}`, `${fmt(seededBytes / 1e6, 1)} MB encoded in SQLite, seeded in ${fmt(seedMs / 1000, 1)} s`],
    ['relay RSS before (idle, nothing loaded)', `${fmt(before, 1)} MB`, ''],
    [`relay RSS after loading ${DOCS} docs`, `${fmt(after, 1)} MB`, `+${fmt(after - before, 1)} MB, ${fmt((after - before) / DOCS, 2)} MB/doc`],
    ['relay peak RSS (VmHWM)', `${fmt(peak, 1)} MB`, ''],
    ['load time (100 sequential GET /docs)', `${fmt(loadMs, 0)} ms`, `${fmt(loadMs / DOCS, 1)} ms/doc, ${fmt(fetched / 1e6, 1)} MB served`],
  ];
  console.log(`relay-rss: ${DOCS} metrics docs of ${POINTS.toLocaleString('en-US')} points held by one relay (rooms kept loaded)`);
  for (const [k, v, note] of results) console.log(`  ${k.padEnd(42)} ${v.padStart(14)}  ${note}`);
  report('relay-rss', results);
} finally {
  await server?.kill('SIGTERM');
  dir.remove();
}
process.exit(0);

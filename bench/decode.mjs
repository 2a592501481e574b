// Decode: how fast a reader turns a 1M-point run's metrics doc into arrays for a chart.
//   node --expose-gc bench/decode.mjs
// Builds a metrics doc (format 2: the room `<ws>/run/<id>/metrics`) of 1,000,000 points (10 keys × 100k steps) with lib/doc's appendMetricColumns (bundled from source
// with esbuild), encodes it as one Yjs update, then times (median of 5): Y.applyUpdate into a fresh doc, readSeries
// decoding every chunk into typed arrays, and both together. Also times lib/search's bucketSeries: one 1M-point
// series to 1000 buckets, and the 10 × 100k series of the doc. The first decode in the process is reported on its own
// ("cold": JIT not warm, every typed array on pages fresh from the OS); the median of the five after it is "warm".
import * as Y from 'yjs';
import { DOC_AND_SEARCH, importBundle } from './lib/bundle.mjs';
import { fmt, median, report, syntheticColumns, watchdog } from './lib/util.mjs';

/** bench/run.mjs sets glibc's trim/mmap thresholds high for this bench (see README). */
const TUNED = /malloc\.trim_threshold/.test(process.env.GLIBC_TUNABLES ?? '');
const KEYS = 10;
const STEPS = 100_000;
const POINTS = KEYS * STEPS;
const ROUNDS = 5;
const TARGET_MS = 50;

watchdog(120_000, 'decode');
const doc = await importBundle('doc-search', DOC_AND_SEARCH);

/** The run's metrics doc (format 2: `<ws>/run/<id>/metrics`, binary chunks only), as the SDK would fill it. */
function buildMetricsDoc() {
  const ctx = doc.memoryCtx(new Y.Doc(), 'bench');
  doc.ensureWorkspace(ctx);
  const { runId } = doc.startRun(ctx, { experimentId: '0' });
  const metricsDoc = ctx.metricsDoc(runId);
  const cols = new Map();
  for (let k = 0; k < KEYS; k++) {
    const value = (i) => Math.sin(i / 1000 + k) * Math.exp(-i / 50_000) + k;
    cols.set(`metric_${k}`, syntheticColumns(STEPS, { dt: 37, jitter: (i) => i % 3, value }));
  }
  // Appended as the SDK does: chunks flushed in batches (here 10 batches of 10k steps per key).
  const BATCH = 10_000;
  for (let s = 0; s < STEPS; s += BATCH) {
    const part = new Map();
    for (const [key, c] of cols) part.set(key, { steps: c.steps.subarray(s, s + BATCH), timestamps: c.timestamps.subarray(s, s + BATCH), values: c.values.subarray(s, s + BATCH) });
    doc.appendMetricColumns(ctx, metricsDoc, runId, part);
  }
  return metricsDoc;
}

/** Collects garbage first (with --expose-gc, which bench/run.mjs passes) so one round does not pay for the last. */
function time(fn) {
  globalThis.gc?.();
  const t = performance.now();
  const r = fn();
  return [performance.now() - t, r];
}

const tb = performance.now();
const metricsDoc = buildMetricsDoc();
const buildMs = performance.now() - tb;
const update = Y.encodeStateAsUpdate(metricsDoc);

const apply = [];
const read = [];
const both = [];
let cold = NaN;
let series;
// Round 0 warms the JIT up and is not counted.
for (let r = -1; r < ROUNDS; r++) {
  series = null; // the last round's arrays are garbage before this round starts
  const fresh = new Y.Doc();
  globalThis.gc?.();
  const ta = performance.now();
  Y.applyUpdate(fresh, update);
  const tb = performance.now();
  const s = doc.readSeries(fresh);
  const tc = performance.now();
  const [a, b] = [tb - ta, tc - tb];
  series = s;
  fresh.destroy();
  if (r < 0) {
    cold = a + b;
    continue;
  }
  apply.push(a);
  read.push(b);
  both.push(a + b);
}
let total = 0;
for (const s of series.values()) total += s.values.length;
if (total !== POINTS) throw new Error(`decoded ${total} points, expected ${POINTS}`);

// One long series of 1M points, and the doc's 10 series of 100k.
const bigSteps = new Float64Array(POINTS);
const bigValues = new Float64Array(POINTS);
for (let i = 0; i < POINTS; i++) {
  bigSteps[i] = i;
  bigValues[i] = Math.sin(i / 5000) + (i % 97) / 97;
}
const bucketBig = [];
const bucketDoc = [];
for (let r = -1; r < ROUNDS; r++) {
  const [a, out] = time(() => doc.bucketSeries(bigSteps, bigValues, 1000));
  if (out.steps.length !== 1000) throw new Error(`bucketSeries gave ${out.steps.length} buckets`);
  const [b] = time(() => {
    for (const s of series.values()) doc.bucketSeries(s.steps, s.values, 1000);
  });
  if (r < 0) continue;
  bucketBig.push(a);
  bucketDoc.push(b);
}

const results = [
  ['points in the metrics doc', POINTS.toLocaleString('en-US'), `${doc.metricChunks(metricsDoc).length} chunks, built in ${fmt(buildMs, 0)} ms`],
  ['encoded update', `${fmt(update.length / 1e6, 2)} MB`, `${fmt(update.length / POINTS, 2)} B/point`],
  ['Y.applyUpdate into a fresh doc (median of 5)', `${fmt(median(apply), 1)} ms`, ''],
  ['readSeries → typed arrays (median of 5)', `${fmt(median(read), 1)} ms`, ''],
  ['decode, cold: first one in this process', `${fmt(cold, 1)} ms`, 'fresh memory from the OS, not JIT-warm'],
  ['decode rounds after it (ms)', both.map((x) => fmt(x, 0)).join(' '), TUNED ? 'glibc keeps freed memory (GLIBC_TUNABLES)' : 'glibc may return memory between rounds'],
  ['decode, warm: applyUpdate + readSeries', `${fmt(median(both), 1)} ms`, `target ≤ ${TARGET_MS} ms ${median(both) <= TARGET_MS ? '(met)' : '(MISSED)'}; min ${fmt(Math.min(...both), 1)} ms`],
  ['bucketSeries 1M points → 1000 buckets', `${fmt(median(bucketBig), 1)} ms`, 'one series'],
  ['bucketSeries 10 × 100k → 10 × 1000 buckets', `${fmt(median(bucketDoc), 1)} ms`, 'the metrics doc\'s series'],
];
console.log(`decode: ${KEYS} keys × ${STEPS.toLocaleString('en-US')} steps, lib/doc + lib/search bundled from source`);
for (const [k, v, note] of results) console.log(`  ${k.padEnd(48)} ${v.padStart(12)}  ${note}`);
report('decode', results);

// The MLflow REST door (issue 8): what an unchanged MLflow client gets from the relay.
//   node bench/rest.mjs          (BENCH_REST_SEARCH_RUNS=10000, BENCH_REST_REPEATS=3)
//   1. log-batch throughput: 1,000 metrics per request (10 keys × 100 steps), keep-alive, from this process as the
//      load generator, against a relay (server/relay bundled from source) in its own process: 1 client × 50 requests,
//      and 8 concurrent clients × 25 requests (one run each, like MLflow's "8 raw writers"). Metrics/s, median of
//      repeats. MLflow 3.6 (SQLite, one uvicorn worker): 8,107 (client) / 8,324 (8 writers) metrics/s; target ≥ 50,000.
//   2. get-history of a 100k-point metric (logged through the door): one GET with max_results=100000 cold (first read),
//      right after a 1,000-point flush of the same key, and repeated; and the client's way (pages of 25,000). MLflow:
//      ~4.2 s and 12.6 MB; target ≤ 100 ms.
//   3. runs/search over a 10k-run experiment (bench/lib/generate.mjs: 20 params, 20 metric keys, 3 tags) with a filter
//      and an order_by, max_results 100 and 1000; median of 20 after one warm-up. Target ≤ 50 ms at the relay.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { bundle } from './lib/bundle.mjs';
import { copyWorkspace, describe, experimentIdOf, preparedWorkspace, RELAY_BUNDLE } from './lib/generate.mjs';
import { fmt, median, report, spawnNode, tempDir, watchdog, ROOT } from './lib/util.mjs';

const SEARCH_RUNS = Number(process.env.BENCH_REST_SEARCH_RUNS ?? 10_000);
const REPEATS = Number(process.env.BENCH_REST_REPEATS ?? 3);
const TARGETS = { metricsPerS: 50_000, historyMs: 100, searchMs: 50 };
const MLFLOW = { client: 8_107, writers: 8_324, historyMs: 4_200 };

watchdog(900_000, 'rest');

/** CPU time (user + system, ms) the relay process has used: wall times on a shared 2-core box swing with its load. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

/** Runs `f` `n` times; wall ms of each, and the relay's CPU ms per call over all of them. */
async function measured(pid, n, f) {
  const wall = [];
  const c0 = cpuMs(pid);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f(i);
    wall.push(performance.now() - t0);
  }
  return { wall, cpuPerCall: (cpuMs(pid) - c0) / n };
}

async function startRelay(dataDir) {
  const file = await bundle('relay', RELAY_BUNDLE);
  const relay = spawnNode([join(ROOT, 'bench', 'lib', 'relay-server.mjs'), file, dataDir]);
  const m = await relay.line(/listening (http:\/\/\S+)/, 'relay start', 120_000);
  return { ...relay, url: m[1] };
}

function client(base, agent) {
  const call = (method, path, body) =>
    new Promise((resolve, reject) => {
      const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers = bytes ? { 'content-type': 'application/json', 'content-length': bytes.byteLength } : {};
      const t0 = performance.now();
      const req = request(`${base}/api/2.0/mlflow/${path}`, { method, headers, agent }, (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => {
          const raw = Buffer.concat(parts);
          if (res.statusCode !== 200) return reject(new Error(`${method} ${path}: ${res.statusCode} ${raw.toString().slice(0, 300)}`));
          resolve({ raw, ms: performance.now() - t0, json: () => JSON.parse(raw.toString()) });
        });
      });
      req.on('error', reject);
      req.end(bytes);
    });
  return {
    post: (p, b) => call('POST', p, b),
    get: (p, q) => call('GET', `${p}?${new URLSearchParams(q)}`),
  };
}

function batch(r, keys = 10, steps = 100) {
  const metrics = [];
  const t = 1_700_000_000_000 + r * 1000;
  for (let k = 0; k < keys; k++) for (let s = 0; s < steps; s++) metrics.push({ key: `m${k}`, value: Math.sin(r * steps + s) + k, timestamp: t + s, step: r * steps + s });
  return metrics;
}

const rows = [];
const lines = [];

// ---- 1 + 2: a fresh relay -----------------------------------------------------------------------------------------
{
  const dir = tempDir('cairn-bench-rest-');
  const relay = await startRelay(dir.path);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const c = client(relay.url, agent);
  try {
    const exp = (await c.post('experiments/create', { name: 'bench-rest' })).json().experiment_id;
    const newRun = async () => (await c.post('runs/create', { experiment_id: exp, start_time: Date.now() })).json().run.info.run_id;
    const bodies = Array.from({ length: 50 }, (_, r) => batch(r));

    const one = [];
    let batchCpu = 0;
    for (let rep = 0; rep < REPEATS; rep++) {
      const run = await newRun();
      const t0 = performance.now();
      const c0 = cpuMs(relay.proc.pid);
      for (let r = 0; r < 50; r++) await c.post('runs/log-batch', { run_id: run, metrics: bodies[r] });
      one.push((50 * 1000) / ((performance.now() - t0) / 1000));
      batchCpu += (cpuMs(relay.proc.pid) - c0) / 50 / REPEATS;
    }
    const eight = [];
    for (let rep = 0; rep < REPEATS; rep++) {
      const runs = await Promise.all(Array.from({ length: 8 }, newRun));
      const t0 = performance.now();
      await Promise.all(
        runs.map(async (run) => {
          const own = client(relay.url, new Agent({ keepAlive: true, maxSockets: 1 }));
          for (let r = 0; r < 25; r++) await own.post('runs/log-batch', { run_id: run, metrics: bodies[r] });
        }),
      );
      eight.push((8 * 25 * 1000) / ((performance.now() - t0) / 1000));
    }
    lines.push(`log-batch, 1 client × 50 × 1,000 metrics: ${one.map((x) => fmt(x, 0)).join(' / ')} metrics/s (MLflow ${MLFLOW.client}); relay CPU ${fmt(batchCpu, 1)} ms a request (${fmt(1000 / Math.max(batchCpu, 0.01) * 1000, 0)} metrics per CPU-second)`);
    lines.push(`log-batch, 8 clients × 25 × 1,000 metrics: ${eight.map((x) => fmt(x, 0)).join(' / ')} metrics/s (MLflow ${MLFLOW.writers})`);
    rows.push({ measure: 'log-batch, 1 client (metrics/s, median)', value: Math.round(median(one)), target: `≥ ${TARGETS.metricsPerS}`, ok: median(one) >= TARGETS.metricsPerS });
    rows.push({ measure: 'log-batch, 8 clients (metrics/s, median)', value: Math.round(median(eight)), target: `≥ ${TARGETS.metricsPerS}`, ok: median(eight) >= TARGETS.metricsPerS });

    // 100k points of one key through the door (3 runs), then read back. Cold: the first GET of a run (every point
    // decoded and formatted); after a flush: one more 1,000-point batch of the same key, then the GET (only the new
    // chunk is formatted); warm: the same GET again.
    const loss = (r, s) => ({ key: 'loss', value: 1 / (r * 1000 + s + 1), timestamp: 1_700_000_000_000 + r * 1000 + s, step: r * 1000 + s });
    const runs100k = [];
    for (let k = 0; k < 3; k++) {
      const id = await newRun();
      for (let r = 0; r < 100; r++) await c.post('runs/log-batch', { run_id: id, metrics: Array.from({ length: 1000 }, (_, s) => loss(r, s)) });
      runs100k.push(id);
    }
    let bytes = 0;
    const coldM = await measured(relay.proc.pid, runs100k.length, async (k) => {
      const r = await c.get('metrics/get-history', { run_id: runs100k[k], metric_key: 'loss', max_results: 100_000 });
      bytes = r.raw.byteLength;
    });
    const cold = coldM.wall;
    const run = runs100k[0];
    const afterFlush = [];
    const whole = [];
    let flushCpu = 0;
    let warmCpu = 0;
    for (let i = 0; i < 5; i++) {
      await c.post('runs/log-batch', { run_id: run, metrics: Array.from({ length: 1000 }, (_, s) => loss(100 + i, s)) });
      const a = await measured(relay.proc.pid, 1, () => c.get('metrics/get-history', { run_id: run, metric_key: 'loss', max_results: 100_000 }));
      const w = await measured(relay.proc.pid, 1, () => c.get('metrics/get-history', { run_id: run, metric_key: 'loss', max_results: 100_000 }));
      afterFlush.push(a.wall[0]);
      whole.push(w.wall[0]);
      flushCpu += a.cpuPerCall / 5;
      warmCpu += w.cpuPerCall / 5;
    }
    const check = await c.get('metrics/get-history', { run_id: runs100k[1], metric_key: 'loss', max_results: 100_000 });
    if (check.json().metrics.length !== 100_000) throw new Error('get-history did not answer 100k points');
    const paged = [];
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      let token;
      let n = 0;
      const want = 105_000;
      do {
        const r = await c.get('metrics/get-history', { run_id: run, metric_key: 'loss', max_results: 25_000, ...(token ? { page_token: token } : {}) });
        const j = r.json();
        n += j.metrics.length;
        token = j.next_page_token;
      } while (token);
      if (n !== want) throw new Error(`paged get-history answered ${n} points`);
      if (i > 0) paged.push(performance.now() - t0);
    }
    lines.push(`get-history 100k points, one GET, cold (first read of each of 3 runs): ${cold.map((x) => fmt(x, 0)).join(' / ')} ms wall, relay CPU ${fmt(coldM.cpuPerCall, 0)} ms a GET, ${(bytes / 1e6).toFixed(1)} MB (MLflow ~${MLFLOW.historyMs} ms, 12.6 MB)`);
    lines.push(`get-history 101k-105k points, one GET right after a 1,000-point flush of the same key: ${afterFlush.map((x) => fmt(x, 0)).join(' / ')} ms wall, relay CPU ~${fmt(flushCpu, 0)} ms a GET`);
    lines.push(`get-history the same GET repeated (warm): ${whole.map((x) => fmt(x, 0)).join(' / ')} ms wall, relay CPU ~${fmt(warmCpu, 0)} ms a GET`);
    lines.push(`get-history 105k points, 5 pages of 25,000 (the client's way): ${paged.map((x) => fmt(x, 0)).join(' / ')} ms`);
    rows.push({ measure: 'get-history 100k points, one GET, cold (ms, median)', value: Math.round(median(cold)), target: `≤ ${TARGETS.historyMs}`, ok: median(cold) <= TARGETS.historyMs });
    rows.push({ measure: 'get-history 100k points, one GET after a flush (ms, median)', value: Math.round(median(afterFlush)), target: `≤ ${TARGETS.historyMs}`, ok: median(afterFlush) <= TARGETS.historyMs });
    rows.push({ measure: 'get-history 100k points, one GET, warm (ms, median)', value: Math.round(median(whole)), target: `≤ ${TARGETS.historyMs}`, ok: median(whole) <= TARGETS.historyMs });
    rows.push({ measure: 'get-history 105k points, 5 pages of 25k (ms, median)', value: Math.round(median(paged)), target: '—', ok: true });
  } finally {
    agent.destroy();
    await relay.kill();
    dir.remove();
  }
}

// ---- 3: search-runs over a big experiment --------------------------------------------------------------------------
{
  const gen = await preparedWorkspace({ runs: SEARCH_RUNS, experiments: 1 }, (l) => console.log(l));
  console.log(`rest: search workspace: ${describe(gen)}`);
  const dir = tempDir('cairn-bench-rest-search-');
  copyWorkspace(gen, dir.path);
  const relay = await startRelay(dir.path);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const c = client(relay.url, agent);
  try {
    const exp = experimentIdOf(0);
    const query = { experiment_ids: [exp], filter: "metrics.metric_0 > 0.5 and params.param_2 = 'adam'", order_by: ['metrics.metric_1 DESC'] };
    for (const max of [100, 1000]) {
      const first = await c.post('runs/search', { ...query, max_results: max });
      const got = first.json().runs?.length ?? 0;
      const m = await measured(relay.proc.pid, 20, () => c.post('runs/search', { ...query, max_results: max }));
      const times = m.wall;
      lines.push(`runs/search ${SEARCH_RUNS.toLocaleString('en-US')} runs, filter + order_by, max_results ${max} (${got} runs answered): first ${fmt(first.ms, 0)} ms, then median ${fmt(median(times), 1)} ms wall, relay CPU ${fmt(m.cpuPerCall, 1)} ms a search`);
      rows.push({ measure: `runs/search ${SEARCH_RUNS} runs, max_results ${max} (ms, median)`, value: Number(fmt(median(times), 1)), target: max === 100 ? `≤ ${TARGETS.searchMs}` : '—', ok: max !== 100 || median(times) <= TARGETS.searchMs });
    }
  } finally {
    agent.destroy();
    await relay.kill();
    dir.remove();
  }
}

console.log(`\nrest: (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${(await import('node:os')).cpus().length} cores)`);
for (const l of lines) console.log(`  ${l}`);
// bench/run.mjs's summary rows are [measure, figure, note].
report('rest', rows.map((r) => [r.measure, String(r.value), r.target === '—' ? '' : `target ${r.target} (${r.ok ? 'met' : 'MISSED'})`]));

// The relay's experiment indexes on a 100k-run workspace (issue 6: ≤ 1 KB per run encoded; RSS ≤ 300 MB after serving
// all ten, back near idle after eviction; rebuilding every index from the run docs ≤ 30 s).
//   node bench/relay-index.mjs      (needs dist/: `node scripts/build-node.mjs`; BENCH_INDEX_RUNS=10000 for less)
// The workspace is bench/lib/generate.mjs's (10 experiments × 10k runs, 20 params, 20 metric keys, 3 tags).
//   1. Rebuild: a copy of the folder as generated (no index yet) under `node dist/cli.cjs relay reindex` when the CLI
//      has it (wall time, and the time the relay logs), and a relay started on such a copy (time until it listens,
//      and the rebuild time it logs, if it rebuilds at start).
//   2. Serving: a relay (`node dist/cli.cjs relay --open`, default options) on a copy whose indexes are built (the
//      relay's first start done once and cached). RSS idle, then each experiment's `GET /index/<ws>/<exp>` snapshot
//      (bytes on the wire, rows decoded with lib/run-index, time; then the same again, warm), a delta read at the
//      snapshot's seq, RSS and peak after all ten, then RSS sampled every second while the relay sits idle.
import { request } from 'node:http';
import { join } from 'node:path';
import { importBundle } from './lib/bundle.mjs';
import { copyWorkspace, describe, preparedWorkspace } from './lib/generate.mjs';
import { fmt, median, report, rssMb, spawnNode, startCliRelay, tempDir, watchdog, ROOT } from './lib/util.mjs';

const RUNS = Number(process.env.BENCH_INDEX_RUNS ?? 100_000);
const EXPERIMENTS = 10;
/** How long the relay is watched sitting idle after serving (its snapshot cache and rooms are dropped when idle). */
const IDLE_WATCH_MS = Number(process.env.BENCH_INDEX_IDLE_MS ?? 60_000);
const TARGETS = { bytesPerRun: 1024, rssMb: 300, rebuildS: 30 };

watchdog(900_000, 'relay-index');
const log = (l) => console.log(l);
const gen = await preparedWorkspace({ runs: RUNS, experiments: EXPERIMENTS }, log);
const idx = await importBundle('run-index', `export * from './lib/run-index/index.ts';\n`);
const WS = gen.manifest.ws;
console.log(`relay-index: workspace "${WS}" of ${describe(gen)}`);

/** GET on the relay, counting the bytes of the body as they arrive on the socket (no decompression). */
function get(url) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { headers: { 'accept-encoding': 'identity' } }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** One full GC in a process started with --inspect, through the inspector's WebSocket (its URL is on stderr). */
async function forceGc(proc) {
  const m = /Debugger listening on (ws:\/\/\S+)/.exec(proc.stderr());
  if (!m) throw new Error('no inspector URL');
  const { default: WebSocket } = await import('ws');
  const sock = new WebSocket(m[1]);
  await new Promise((resolve, reject) => sock.once('open', resolve).once('error', reject));
  await new Promise((resolve, reject) => {
    sock.on('message', (d) => {
      const msg = JSON.parse(String(d));
      if (msg.id !== 1) return;
      if (msg.error) reject(new Error(msg.error.message));
      else resolve();
    });
    sock.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
  });
  sock.close();
  return true;
}

const dir = tempDir('relay-index');
const rows = [];
const missing = [];
try {
  // ── 1. Rebuild from the run docs.
  const rebuiltMs = (out) => {
    const all = [...out.matchAll(/rebuilt .*?in (\d+) ms/g)];
    return all.length ? Number(all[all.length - 1][1]) : NaN;
  };
  const help = spawnNode([join(ROOT, 'dist', 'cli.cjs'), 'relay', 'reindex', '--help']);
  const hasReindex = (await help.exited).code === 0 && /reindex/i.test(help.stdout());
  if (hasReindex) {
    const data = copyWorkspace(gen.generated, join(dir.path, 'reindex'));
    const t = performance.now();
    const p = spawnNode([join(ROOT, 'dist', 'cli.cjs'), 'relay', 'reindex', '--data', data]);
    const { code } = await p.exited;
    const wall = performance.now() - t;
    if (code !== 0) throw new Error(`cairn relay reindex exited ${code}\n${p.stdout()}\n${p.stderr()}`);
    const logged = rebuiltMs(p.stdout() + p.stderr());
    console.log(`  reindex: ${(p.stdout() + p.stderr()).trim().split('\n').slice(-2).join(' | ')}`);
    rows.push(['rebuild every index: cairn relay reindex', `${fmt(wall / 1000, 1)} s`, `process wall time; the rebuild itself ${fmt(logged / 1000, 1)} s (logged); target ≤ ${TARGETS.rebuildS} s ${wall / 1000 <= TARGETS.rebuildS ? '(met)' : '(MISSED)'}`]);
  } else missing.push('`cairn relay reindex` (not in dist/cli.cjs yet)');
  {
    const data = copyWorkspace(gen.generated, join(dir.path, 'first-start'));
    const t = performance.now();
    const relay = await startCliRelay(data, 600_000);
    const listenMs = performance.now() - t;
    // The relay may build in the background after it listens: the first index read waits for it.
    const tr = performance.now();
    const first = await get(`${relay.url}/index/${WS}/${gen.manifest.experiments[0].id}`);
    const firstReadMs = performance.now() - tr;
    await relay.kill('SIGTERM');
    const logged = rebuiltMs(relay.stdout() + relay.stderr());
    rows.push([
      'relay first start on an unindexed folder',
      `${fmt(listenMs / 1000, 1)} s`,
      `until it listens; then the first GET /index ${fmt(firstReadMs / 1000, 1)} s (${first.status}); rebuild logged: ${Number.isFinite(logged) ? `${fmt(logged / 1000, 1)} s` : 'none'}`,
    ]);
  }

  // ── 2. Serving the ten indexes.
  const data = copyWorkspace(gen, join(dir.path, 'serve'));
  // With the inspector on (loopback, random port): after the idle watch, a forced GC tells garbage not collected yet
  // (an idle process runs no GC) from memory still held.
  const relay = spawnNode(['--inspect=127.0.0.1:0', join(ROOT, 'dist', 'cli.cjs'), 'relay', '--open', '--port', '0', '--data', data]);
  relay.url = (await relay.line(/listening on (http:\/\/\S+)/, 'relay start', 600_000))[1];
  try {
    const pid = relay.proc.pid;
    await get(`${relay.url}/healthz`);
    await new Promise((r) => setTimeout(r, 1_000));
    const idle = rssMb(pid);
    const served = [];
    for (const e of gen.manifest.experiments) {
      const res = await get(`${relay.url}/index/${WS}/${e.id}`);
      if (res.status !== 200) throw new Error(`GET /index/${WS}/${e.id}: ${res.status} ${res.body.toString().slice(0, 300)}`);
      const t = performance.now();
      const msg = idx.decodeIndex(new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength));
      const decodeMs = performance.now() - t;
      served.push({ e, bytes: res.body.length, rows: msg.rows.length, ms: res.ms, decodeMs, seq: msg.toSeq, epoch: msg.epoch, encoding: res.headers['content-encoding'] ?? 'identity' });
    }
    const afterServe = rssMb(pid);
    const warm = [];
    for (const e of gen.manifest.experiments) warm.push((await get(`${relay.url}/index/${WS}/${e.id}`)).ms);
    const s0 = served[0];
    const delta = await get(`${relay.url}/index/${WS}/${s0.e.id}?since=${s0.seq}&epoch=${s0.epoch}`);
    const afterAll = rssMb(pid);
    const peak = rssMb(pid, 'VmHWM');
    for (const s of served)
      console.log(`  /index ${s.e.name}: ${s.rows.toLocaleString('en-US')} rows, ${fmt(s.bytes / 1e6, 2)} MB (${fmt(s.bytes / Math.max(1, s.rows), 0)} B/run, ${s.encoding}), ${fmt(s.ms, 0)} ms; decoded in ${fmt(s.decodeMs, 0)} ms`);

    // Idle: RSS every second.
    const samples = [];
    const t0 = performance.now();
    while (performance.now() - t0 < IDLE_WATCH_MS) {
      await new Promise((r) => setTimeout(r, 1_000));
      samples.push([Math.round((performance.now() - t0) / 1000), rssMb(pid)]);
    }
    const at = (s) => samples.find(([t]) => t >= s)?.[1] ?? NaN;
    const idleEnd = samples.at(-1)?.[1] ?? NaN;
    console.log(`  RSS while idle (s → MB): ${samples.filter(([t]) => t % 5 === 0 || t === 1).map(([t, m]) => `${t}→${fmt(m, 0)}`).join(' ')}`);

    const gcd = await forceGc(relay).catch((e) => (console.log(`  forced GC failed: ${e.message}`), false));
    await new Promise((r) => setTimeout(r, 1_000));
    const afterGc = gcd ? rssMb(pid) : NaN;
    const totalBytes = served.reduce((n, s) => n + s.bytes, 0);
    const totalRows = served.reduce((n, s) => n + s.rows, 0);
    const perRun = totalRows ? totalBytes / totalRows : NaN;
    const complete = totalRows === gen.manifest.runs;
    if (!complete) console.log(`  WARNING: the indexes hold ${totalRows.toLocaleString('en-US')} runs, the workspace ${gen.manifest.runs.toLocaleString('en-US')}`);
    const verdict = (ok) => (!complete ? '(index incomplete: no verdict)' : ok ? '(met)' : '(MISSED)');
    rows.push(
      ['index snapshots served', `${EXPERIMENTS} × ${fmt(median(served.map((s) => s.rows)), 0)} rows`, `${totalRows.toLocaleString('en-US')} runs in all of ${gen.manifest.runs.toLocaleString('en-US')} (${served[0].encoding} on the wire)`],
      ['index bytes per run', `${fmt(perRun, 0)} B/run`, `${served.map((s) => fmt(s.bytes / Math.max(1, s.rows), 0)).join(' / ')}; total ${fmt(totalBytes / 1e6, 1)} MB; target ≤ 1 KB/run ${verdict(perRun <= TARGETS.bytesPerRun)}`],
      ['GET /index snapshot, first read', `${fmt(median(served.map((s) => s.ms)), 0)} ms`, `median per index (${served.map((s) => fmt(s.ms, 0)).join(' / ')} ms); decode ${fmt(median(served.map((s) => s.decodeMs)), 0)} ms`],
      ['GET /index snapshot, again', `${fmt(median(warm), 0)} ms`, `median per index (${warm.map((x) => fmt(x, 0)).join(' / ')} ms)`],
      ['GET /index delta at the snapshot\'s seq', `${delta.body.length} B`, `${fmt(delta.ms, 1)} ms, status ${delta.status}`],
      ['relay RSS idle (before)', `${fmt(idle, 0)} MB`, 'after /healthz'],
      ['relay RSS after serving all ten', `${fmt(afterServe, 0)} MB`, `after the warm reads ${fmt(afterAll, 0)} MB, peak (VmHWM) ${fmt(peak, 0)} MB; target ≤ ${TARGETS.rssMb} MB ${verdict(Math.max(afterServe, afterAll) <= TARGETS.rssMb)}`],
      ['relay RSS idle after', `${fmt(idleEnd, 0)} MB`, `${IDLE_WATCH_MS / 1000} s later (10 s: ${fmt(at(10), 0)}, 30 s: ${fmt(at(30), 0)} MB); idle before ${fmt(idle, 0)} MB`],
      ['relay RSS after a forced GC', `${fmt(afterGc, 0)} MB`, 'HeapProfiler.collectGarbage over the inspector: what the relay still holds'],
    );
  } finally {
    await relay.kill('SIGTERM');
  }
  if (missing.length) rows.push(['not measured', missing.join('; '), '']);
  console.log('relay-index:');
  for (const [k, v, note] of rows) console.log(`  ${k.padEnd(44)} ${String(v).padStart(16)}  ${note}`);
  report('relay-index', rows);
} finally {
  dir.remove();
}
process.exit(0);

// SDK connect cost on a big workspace vs an empty one (issue 6: ≤ 300 ms and ≤ 200 KB downloaded, on both).
//   node bench/sdk-connect.mjs      (needs dist/: `node scripts/build-node.mjs`; BENCH_SDK_RUNS=10000 for less)
// Two relays (`node dist/cli.cjs relay --open`): one on a copy of the generated workspace (bench/lib/generate.mjs:
// 100,000 runs in 10 experiments, 20 params, 20 metric keys, 3 tags each), one on the same 10 experiments without
// runs. In front of each, a TCP proxy counting the bytes the client receives (HTTP and WebSocket, headers included).
// Each round is a fresh Node process with a fresh data dir (lib/sdk-connect-client.mjs): connect → startRun in an
// existing experiment (sweep-0: 10k runs) → 100 points (logMetric) → flush() acknowledged. Prints per workspace the
// median of 5 rounds (after one warm-up round that loads the relay's rooms), each round's figures, and the targets.
import { join } from 'node:path';
import { fmt, median, report, spawnNode, startCliRelay, tempDir, watchdog, ROOT } from './lib/util.mjs';
import { copyWorkspace, describe, preparedWorkspace } from './lib/generate.mjs';
import { startByteProxy } from './lib/byte-proxy.mjs';

const RUNS = Number(process.env.BENCH_SDK_RUNS ?? 100_000);
const EXPERIMENTS = 10;
const ROUNDS = 5;
const TARGET_MS = 300;
const TARGET_KB = 200;

watchdog(600_000, 'sdk-connect');
const log = (l) => console.log(l);
// Prepared: the relay's first start (its index build) already done on the folder, so the relays below serve at once.
const big = await preparedWorkspace({ runs: RUNS, experiments: EXPERIMENTS }, log);
const empty = await preparedWorkspace({ runs: 0, experiments: EXPERIMENTS }, log);
console.log(`sdk-connect: workspace "${big.manifest.ws}" of ${describe(big)}; empty: the same ${EXPERIMENTS} experiments, no runs`);

const dir = tempDir('sdk-connect');
const results = [];
try {
  for (const [label, gen] of [
    ['empty', empty],
    [`${(RUNS / 1000).toFixed(0)}k runs`, big],
  ]) {
    const data = copyWorkspace(gen, join(dir.path, `relay-${gen.manifest.runs}`));
    const tr = performance.now();
    const relay = await startCliRelay(data);
    const relayStartMs = performance.now() - tr;
    const proxy = await startByteProxy(relay.url);
    const rounds = [];
    try {
      for (let r = -1; r < ROUNDS; r++) {
        proxy.reset();
        const tp = performance.now();
        const client = spawnNode([join(ROOT, 'bench', 'lib', 'sdk-connect-client.mjs'), proxy.url, gen.manifest.ws, join(dir.path, `sdk-${label}-${r + 1}`), 'sweep-0', ROOT]);
        const m = await client.line(/result (\{.*\})\n/, `sdk round ${r + 1} on ${label}`, 60_000);
        const atFlush = { down: proxy.down, up: proxy.up, connections: proxy.connections };
        const exit = await client.exited;
        const processMs = performance.now() - tp;
        if (exit.code !== 0) throw new Error(`sdk client exited ${exit.code ?? exit.signal}\n${client.stderr()}`);
        const res = { ...JSON.parse(m[1]), ...atFlush, downSession: proxy.down, processMs };
        if (r >= 0) rounds.push(res);
        const f = (x) => fmt(x, 0);
        console.log(
          `  ${label.padEnd(10)} ${r < 0 ? 'warm-up' : `round ${r + 1}`}: connect ${f(res.connectMs)} + startRun ${f(res.startRunMs)} + 100 points & flush ${f(res.logFlushMs)} = ${f(res.totalMs)} ms; ` +
            `received ${fmt(res.down / 1024, 1)} KB (${res.connections} connections), sent ${fmt(res.up / 1024, 1)} KB; process ${f(processMs)} ms (import ${f(res.importMs)} ms)`,
        );
      }
    } finally {
      await proxy.close();
      await relay.kill('SIGTERM');
    }
    results.push({ label, gen, rounds, relayStartMs });
  }

  const rows = [];
  for (const { label, rounds, relayStartMs } of results) {
    const total = median(rounds.map((r) => r.totalMs));
    const kb = median(rounds.map((r) => r.down)) / 1024;
    rows.push(
      [`${label}: connect + startRun + 100 points + flush`, `${fmt(total, 0)} ms`, `median of ${ROUNDS}: connect ${fmt(median(rounds.map((r) => r.connectMs)), 0)}, startRun ${fmt(median(rounds.map((r) => r.startRunMs)), 0)}, points + flush ${fmt(median(rounds.map((r) => r.logFlushMs)), 0)} ms; target ≤ ${TARGET_MS} ms ${total <= TARGET_MS ? '(met)' : '(MISSED)'}`],
      [`${label}: bytes received`, `${fmt(kb, 1)} KB`, `median of ${ROUNDS}, HTTP + WebSocket up to flush; sent ${fmt(median(rounds.map((r) => r.up)) / 1024, 1)} KB; target ≤ ${TARGET_KB} KB ${kb <= TARGET_KB ? '(met)' : '(MISSED)'}`],
      [`${label}: whole client process`, `${fmt(median(rounds.map((r) => r.processMs)), 0)} ms`, `spawn → exit (SDK import ${fmt(median(rounds.map((r) => r.importMs)), 0)} ms, close); relay started in ${fmt(relayStartMs, 0)} ms`],
    );
  }
  console.log('sdk-connect: fresh process and data dir per round; figures are medians');
  for (const [k, v, note] of rows) console.log(`  ${k.padEnd(52)} ${v.padStart(10)}  ${note}`);
  report('sdk-connect', rows);
} finally {
  dir.remove();
}
process.exit(0);

// Predict latency of the ONNX fixtures (tests/fixtures/models), through lib/models' Model.predict (enforceSchema,
// feeds, run, outputs), batch 1 and batch 256, in Node and in the browser worker:
//   node bench/predict.mjs      (the browser half needs out/ and dist/: `npm run build`)
// - Node: loadPyfunc on onnxruntime-node (lib/sdk/onnx-node.ts), the predict call timed alone;
// - browser: the built app's /model-worker.js (onnxruntime-web wasm, single-threaded) in Debian's Chromium through
//   lib/react's model client; timed on the page (the round trip: the body cloned in, predict in the worker, outputs
//   transferred back) and inside the worker (the same span as Node's).
// Bodies: mlp-tensor and the sklearn fixtures `{"inputs": rows}`, classifier-columns `{"dataframe_split"}` (4 double columns → one float input),
// regressor-columns `{"dataframe_records"}` (a double and a long column → two inputs). Warm-up first; p50 / p99 of
// ITER calls. Figures are printed, not asserted.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { importBundle } from './lib/bundle.mjs';
import { fmt, report, spawnNode, tempDir, watchdog, ROOT } from './lib/util.mjs';

watchdog(300_000, 'predict');
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'models');
const NAMES = ['mlp-tensor', 'classifier-columns', 'regressor-columns', 'sklearn-logreg', 'sklearn-tree'];
const BATCHES = [1, 256];
const WARMUP = 30;
const ITER = { 1: 500, 256: 200 };

const readDir = (name) => new Map(readdirSync(join(FIXTURES, name)).map((f) => [f, new Uint8Array(readFileSync(join(FIXTURES, name, f)))]));
/** A deterministic body of `n` rows in the fixture's own shape. */
function body(name, n) {
  const v = (i, j) => Math.round(((i * 7 + j * 13) % 80) + 1) / 10;
  const rows = Array.from({ length: n }, (_, i) => [0, 1, 2, 3].map((j) => v(i, j)));
  if (name === 'mlp-tensor' || name.startsWith('sklearn-')) return { inputs: rows };
  if (name === 'classifier-columns') return { dataframe_split: { columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], data: rows } };
  return { dataframe_records: rows.map((r, i) => ({ x: r[0] - 4, n: i % 100 })) };
}
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const rows = [];
const m = await importBundle('predict', `export * from './lib/models/index.ts';\nexport { nodeOnnxBackend } from './lib/sdk/onnx-node.ts';\n`);
const backend = await m.nodeOnnxBackend();
console.log('predict: Node, onnxruntime-node, Model.predict (enforceSchema + feeds + run + outputs)');
for (const name of NAMES) {
  const model = await m.loadPyfunc(readDir(name), backend);
  for (const n of BATCHES) {
    const b = body(name, n);
    for (let i = 0; i < WARMUP; i++) await model.predict(b);
    const t = [];
    for (let i = 0; i < ITER[n]; i++) {
      const s = performance.now();
      await model.predict(b);
      t.push(performance.now() - s);
    }
    console.log(`  ${name.padEnd(20)} batch ${String(n).padStart(3)}: p50 ${fmt(pct(t, 50), 3)} ms, p99 ${fmt(pct(t, 99), 3)} ms (${ITER[n]} calls)`);
    rows.push([`node ${name} batch ${n} p50 / p99`, `${fmt(pct(t, 50), 3)} / ${fmt(pct(t, 99), 3)} ms`]);
  }
  await model.close();
}

if (!existsSync(join(ROOT, 'out', 'model-worker.js')) || !existsSync(join(ROOT, 'out', 'ort'))) {
  console.error('predict: out/model-worker.js or out/ort/ is not built; run `npm run build` for the browser half');
  report('predict', rows);
  process.exit(1);
}

const harness = (
  await build({
    stdin: { contents: "export { createModelClient } from './lib/react/model-client.ts';\n", resolveDir: ROOT, loader: 'ts', sourcefile: 'predict-harness.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias: { '@': ROOT },
    absWorkingDir: ROOT,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  })
).outputFiles[0].text;

const dir = tempDir('predict');
let server = null;
let browser = null;
try {
  server = spawnNode([join(ROOT, 'dist', 'cli.cjs'), 'start', '--port', '0', '--data', dir.path]);
  const url = (await server.line(/App:\s+(http:\/\/\S+?)\/?\s/, 'cairn start', 60_000))[1];
  const { chromium } = await import('@playwright/test');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = await browser.newPage();
  await page.route(`${url}/__predict.html`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8">' }));
  await page.route(`${url}/__predict.js`, (r) => r.fulfill({ contentType: 'text/javascript', body: harness }));
  await page.goto(`${url}/__predict.html`);
  console.log('predict: Chromium, /model-worker.js (onnxruntime-web wasm, 1 thread): page round trip | inside the worker');
  for (const name of NAMES) {
    const files = Object.fromEntries([...readDir(name)].map(([k, v]) => [k, [...v]]));
    for (const n of BATCHES) {
      const r = await page.evaluate(
        async ([files, b, warmup, iter]) => {
          const { createModelClient } = await import('/__predict.js');
          const client = createModelClient();
          try {
            const t0 = performance.now();
            const info = await client.load(new Map(Object.entries(files).map(([k, v]) => [k, Uint8Array.from(v)])));
            const loadMs = performance.now() - t0;
            for (let i = 0; i < warmup; i++) await client.predict(info.id, b);
            const page = [];
            const worker = [];
            for (let i = 0; i < iter; i++) {
              const s = performance.now();
              const res = await client.predict(info.id, b);
              page.push(performance.now() - s);
              worker.push(res.ms);
            }
            return { page, worker, loadMs };
          } finally {
            client.terminate();
          }
        },
        [files, body(name, n), WARMUP, ITER[n]],
      );
      console.log(
        `  ${name.padEnd(20)} batch ${String(n).padStart(3)}: p50 ${fmt(pct(r.page, 50), 3)} / p99 ${fmt(pct(r.page, 99), 3)} ms | p50 ${fmt(pct(r.worker, 50), 3)} / p99 ${fmt(pct(r.worker, 99), 3)} ms (load + first session ${fmt(r.loadMs, 0)} ms)`,
      );
      rows.push([`browser ${name} batch ${n} p50 / p99 (page)`, `${fmt(pct(r.page, 50), 3)} / ${fmt(pct(r.page, 99), 3)} ms`]);
      rows.push([`browser ${name} batch ${n} p50 / p99 (worker)`, `${fmt(pct(r.worker, 50), 3)} / ${fmt(pct(r.worker, 99), 3)} ms`]);
    }
  }
} finally {
  await browser?.close();
  server?.kill();
  dir.remove();
}
report('predict', rows);
process.exit(0);

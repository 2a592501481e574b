import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { loadPyfunc, predictionToJson } from '../../lib/models';
import { nodeOnnxBackend } from '../../lib/sdk/onnx-node';
import { expectClose } from './fixtures/numbers-close';
import { collectPageErrors } from './fixtures/page-errors';

/**
 * The model worker in real Chromium: the built app's /model-worker.js (onnxruntime-web, wasm from /ort/<version>/) runs the
 * fixtures of tests/fixtures/models through the real PredictPlayground and model client, and answers what
 * onnxruntime-node answers in Node for the same model and body. The component is not mounted on an app page yet (the
 * model page belongs to the registry UI), so a harness page on the app's origin renders it: the harness is bundled
 * here with esbuild from tests/e2e/fixtures/model-harness.tsx; everything it talks to is the build's.
 */
const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'models');
const NAMES = ['mlp-tensor', 'classifier-columns', 'regressor-columns', 'sklearn-logreg', 'sklearn-tree'];
const readDir = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, [...readFileSync(join(dir, f))]]));
const cases = (name: string): { name: string; body: unknown; predictions: unknown }[] => JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')).cases;

let harness: string;
test.beforeAll(async () => {
  const r = await build({
    entryPoints: [join(ROOT, 'tests/e2e/fixtures/model-harness.tsx')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    alias: { '@': ROOT },
    absWorkingDir: ROOT,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  harness = r.outputFiles[0]!.text;
});

async function openHarness(page: Page, baseURL: string) {
  await page.route(`${baseURL}/__model-harness.html`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><div id="root"></div>' }),
  );
  await page.route(`${baseURL}/__model-harness.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: harness }));
  await page.goto(`${baseURL}/__model-harness.html`);
  await page.evaluate(async () => {
    (window as unknown as { harness: unknown }).harness = await import('/__model-harness.js' as string);
  });
}

/** Same numbers within float32 rounding (wasm and native kernels may differ in the last bits). */
test('[PLAY-2] the model worker predicts every fixture as onnxruntime-node does, outputs back as typed arrays', async ({ page, context, baseURL }) => {
  const errors = collectPageErrors(context);
  await openHarness(page, baseURL!);
  const wasm: string[] = [];
  page.on('request', (r) => r.url().includes('/ort/') && wasm.push(new URL(r.url()).pathname));
  const backend = await nodeOnnxBackend();
  for (const name of NAMES) {
    const files = readDir(join(FIXTURES, name));
    const bodies = cases(name).map((c) => c.body);
    const inBrowser = await page.evaluate(
      ([f, b]) => (window as unknown as { harness: { predictAll(f: unknown, b: unknown): Promise<{ json: unknown; typed: boolean }[]> } }).harness.predictAll(f, b),
      [files, bodies] as const,
    );
    const node = await loadPyfunc(new Map(Object.entries(files).map(([k, v]) => [k, Uint8Array.from(v)])), backend);
    for (const [i, c] of cases(name).entries()) {
      const want = predictionToJson(await node.predict(c.body));
      expect(inBrowser[i]!.typed).toBe(true);
      expectClose(inBrowser[i]!.json, want, `${name} ${c.name} (vs onnxruntime-node)`);
      expectClose(inBrowser[i]!.json, c.predictions, `${name} ${c.name} (vs the training framework)`);
    }
    await node.close();
  }
  // The worker's wasm came from the app's /ort/ (the build's copy), single-threaded build.
  expect(wasm).toContain('/ort/1.30.0/ort-wasm-simd-threaded.wasm');
  expect(errors()).toEqual([]);
});

test('[PLAY-1, PLAY-2, PLAY-3] PredictPlayground: inputs listed, example prefilled, predictions shown, refusals named', async ({ page, context, baseURL }) => {
  const errors = collectPageErrors(context);
  await openHarness(page, baseURL!);
  const files = readDir(join(FIXTURES, 'regressor-columns'));
  await page.evaluate((f) => (window as unknown as { harness: { mount(f: unknown): void } }).harness.mount(f), files);
  const playground = page.getByTestId('predict-playground');
  await expect(playground).toBeVisible();
  await expect(playground).toContainText('onnxruntime-web (wasm)');
  await expect(page.getByTestId('playground-input')).toHaveText(['inputxfloat32[batch]', 'inputnint64[batch]']);
  await expect(page.getByTestId('playground-output')).toHaveText(['outputyfloat32[batch]', 'outputy_squaredfloat32[batch]']);
  const example = JSON.parse(readFileSync(join(FIXTURES, 'regressor-columns', 'serving_input_example.json'), 'utf8'));
  expect(JSON.parse(await page.getByTestId('playground-body').inputValue())).toEqual(example);

  const [one] = cases('regressor-columns').filter((c) => c.name === 'one row');
  await page.getByTestId('playground-body').fill(JSON.stringify(one!.body));
  await page.getByTestId('playground-predict').click();
  expectClose(JSON.parse((await page.getByTestId('playground-result').textContent())!), one!.predictions);
  await expect(page.getByTestId('playground-ms')).toContainText('ms in the worker');

  await page.getByTestId('playground-body').fill(JSON.stringify({ dataframe_records: [{ x: 0.5, n: 1.5 }] }));
  await page.getByTestId('playground-predict').click();
  await expect(page.getByTestId('playground-error')).toHaveText('Incompatible input types for column n. Can not safely convert float64 to int64.');
  await expect(page.getByTestId('playground-result')).toHaveCount(0);
  await page.getByTestId('playground-body').fill('{"inputs": ');
  await page.getByTestId('playground-predict').click();
  await expect(page.getByTestId('playground-error')).toContainText('The body is not JSON');

  // A model that needs Python shows why, instead of the form.
  const sklearn = readDir(join(ROOT, 'tests/unit/fixtures/mlmodel-samples/sklearn-logreg'));
  await page.evaluate((f) => (window as unknown as { harness: { mount(f: unknown): void } }).harness.mount(f), sklearn);
  await expect(page.getByTestId('playground-load-error')).toHaveText(
    'This model is not runnable here: sklearn needs Python; ONNX is the runnable flavor (log the model as ONNX to predict in Cairn)',
  );
  expect(errors()).toEqual([]);
});

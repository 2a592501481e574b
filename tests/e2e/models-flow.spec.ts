import { expect, test } from '@playwright/test';
import { loadPyfunc, predictionToJson } from '../../lib/models';
import { nodeOnnxBackend } from '../../lib/sdk/onnx-node';
import { expectClose } from './fixtures/numbers-close';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentsPage } from './pages/experiments-page';
import { RegistryPages } from './pages/registry-pages';

/**
 * Issue 9's path end to end in real Chromium, no Python anywhere: train the built-in Iris example in a worker, see its
 * run, find it registered (numbered by the relay), promote it to Production, and predict in the version page's
 * playground — the same outputs onnxruntime-node gives for the same model files and body.
 */
test('[IRIS-11] [PLAY-4] [REGUI-W7] train the Iris example, its registered version numbered by the relay, promoted, predicted in the browser as onnxruntime-node predicts', async ({ page, baseURL }) => {
  const errors = collectPageErrors(page.context());
  const home = new ExperimentsPage(page);
  await home.goto();
  const panel = page.getByRole('region', { name: 'Built-in example' });
  await panel.getByLabel('Model').selectOption('logistic_regression');
  await panel.getByLabel('Epochs').fill('20');
  await panel.getByRole('button', { name: 'Train' }).click();
  await expect(panel.getByTestId('iris-status')).toContainText('Finished', { timeout: 30_000 });
  const runHref = await panel.getByRole('link', { name: 'Open the run' }).getAttribute('href');
  const runId = new URL(runHref!, baseURL).searchParams.get('id')!;
  expect(runId).toMatch(/^[0-9a-f]{32}$/);

  // The registered version: the relay numbers it (it may show "pending" for a moment, never a made-up number).
  await panel.getByTestId('iris-version-link').click();
  const reg = new RegistryPages(page);
  // (Other specs may have registered Iris versions in this relay already: the number is whatever comes next.)
  await expect(reg.versionNumber).toHaveText(/^v\d+$/, { timeout: FIRST_LOAD_TIMEOUT });
  const n = Number((await reg.versionNumber.textContent())!.slice(1));
  await reg.transition('Production', true);
  await expect(reg.stage).toHaveText('Production');
  await expect(reg.historyRows.filter({ hasText: 'None → Production' })).toHaveAttribute('data-outcome', 'current');

  // The playground: the model's folder loaded in the model worker, its serving example prefilled; predict it.
  const playground = page.getByTestId('predict-playground');
  await expect(playground).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('playground-input')).toHaveText(['inputfeaturesfloat32[batch, 4]']);
  const body = JSON.parse(await page.getByTestId('playground-body').inputValue()) as unknown;
  expect((body as { inputs: number[][] }).inputs.every((row) => row.length === 4)).toBe(true);
  await page.getByTestId('playground-predict').click();
  const inBrowser = JSON.parse((await page.getByTestId('playground-result').textContent())!) as unknown;

  // The same files from the relay, predicted by onnxruntime-node through the same pyfunc path.
  const files = new Map<string, Uint8Array>();
  for (const f of ['MLmodel', 'model.onnx', 'input_example.json', 'serving_input_example.json']) {
    const r = await fetch(`${baseURL}/get-artifact?run_id=${runId}&path=${encodeURIComponent(`model/${f}`)}`);
    expect(r.status, f).toBe(200);
    files.set(f, new Uint8Array(await r.arrayBuffer()));
  }
  const node = await loadPyfunc(files, await nodeOnnxBackend());
  const want = predictionToJson(await node.predict(body));
  await node.close();
  expectClose(inBrowser, want);
  const { predictions } = want as { predictions: { probabilities: number[][]; label: number[] } };
  expect(predictions.label.length).toBe((body as { inputs: unknown[] }).inputs.length);
  for (const l of predictions.label) expect([0, 1, 2]).toContain(l);

  // "Use this model" names the version's URI.
  await expect(page.getByTestId('usage-snippet')).toContainText(`mlflow.pyfunc.load_model("models:/iris-example/${n}")`);
  expect(errors()).toEqual([]);
});

import { expect, test } from '@playwright/test';
import * as ort from 'onnxruntime-node';
import { parseMLmodel } from '../../lib/models';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentsPage } from './pages/experiments-page';
import { RunPage } from './pages/run-page';

const EPOCHS = 60;

test('[IRIS-10] the built-in Iris example trains in the browser and logs a run with params, per-epoch metrics and its ONNX model', async ({ page, baseURL }) => {
  const pageErrors = collectPageErrors(page.context());
  const home = new ExperimentsPage(page);
  await home.goto();

  // Train the MLP from the experiments page.
  const panel = page.getByRole('region', { name: 'Built-in example' });
  await expect(panel.getByRole('heading', { name: 'Train the built-in Iris example' })).toBeVisible();
  await panel.getByLabel('Model').selectOption('mlp');
  await panel.getByLabel('Epochs').fill(String(EPOCHS));
  await panel.getByRole('button', { name: 'Train' }).click();

  // While it trains (paced, ~3 s) the person follows the link to the run: the training goes on after the panel is
  // gone, and the run page shows it RUNNING with part of its epochs, its charts growing to one point per epoch.
  await panel.getByRole('link', { name: 'Watch the run' }).click();
  const run = new RunPage(page);
  await expect(run.name).toHaveText('iris-mlp', { timeout: FIRST_LOAD_TIMEOUT });
  await run.expectChartDrawn('val_accuracy');
  const seenRunning = await run.status.textContent();
  const early = await run.pointCount('val_accuracy');
  await expect.poll(() => run.pointCount('val_accuracy'), { timeout: 15_000 }).toBe(EPOCHS);
  await expect(run.status).toHaveText('FINISHED', { timeout: FIRST_LOAD_TIMEOUT });
  expect(seenRunning).toBe('RUNNING');
  expect(early).toBeLessThan(EPOCHS);

  // The run page: the params, a chart per metric with one point per epoch, the model's files.
  const runId = new URL(page.url()).searchParams.get('id')!;
  expect(runId).toMatch(/^[0-9a-f]{32}$/);
  const param = (key: string) => run.params.getByRole('row').filter({ has: page.getByRole('cell', { name: key, exact: true }) });
  for (const [key, value] of Object.entries({ model: 'mlp', epochs: String(EPOCHS), hidden: '16', learning_rate: '0.01', optimizer: 'adam', seed: '42' }))
    await expect(param(key)).toContainText(value);
  for (const key of ['train_loss', 'train_accuracy', 'val_loss', 'val_accuracy']) {
    await run.expectChartDrawn(key);
    await expect.poll(() => run.pointCount(key)).toBe(EPOCHS);
  }
  // A small tree shows its folders open.
  await expect(run.folderToggle('model')).toHaveAttribute('aria-expanded', 'true');
  for (const file of ['MLmodel', 'model.onnx', 'input_example.json', 'serving_input_example.json', 'conda.yaml', 'python_env.yaml', 'requirements.txt'])
    await expect(run.artifactButton(file)).toBeVisible();
  await run.openArtifact('MLmodel');
  await expect(run.viewer).toContainText('loader_module: mlflow.onnx');

  // What an MLflow client downloads from the relay is the same model: the MLmodel names this run, and model.onnx runs
  // in onnxruntime-node on the input example, predicting one of the three classes with probabilities summing to 1.
  const artifact = async (path: string) => {
    const r = await fetch(`${baseURL}/get-artifact?run_id=${runId}&path=${encodeURIComponent(path)}`);
    expect(r.status, path).toBe(200);
    return new Uint8Array(await r.arrayBuffer());
  };
  const mlmodel = parseMLmodel(new TextDecoder().decode(await artifact('model/MLmodel')));
  expect(mlmodel.run_id).toBe(runId);
  expect(mlmodel.flavors.python_function?.loader_module).toBe('mlflow.onnx');
  expect(mlmodel.metadata?.test_accuracy).toBeGreaterThanOrEqual(0.9);
  const example = JSON.parse(new TextDecoder().decode(await artifact('model/input_example.json'))) as number[][];
  expect(example.every((row) => row.length === 4)).toBe(true);
  const session = await ort.InferenceSession.create(await artifact('model/model.onnx'));
  const x = Float32Array.from(example.flat());
  const out = await session.run({ features: new ort.Tensor('float32', x, [example.length, 4]) });
  const labels = Array.from(out.label!.data as BigInt64Array, Number);
  expect(labels).toHaveLength(example.length);
  for (const l of labels) expect([0, 1, 2]).toContain(l);
  const p = out.probabilities!.data as Float32Array;
  for (let i = 0; i < labels.length; i++) expect(p[i * 3]! + p[i * 3 + 1]! + p[i * 3 + 2]!).toBeCloseTo(1, 5);
  await session.release();

  // Staying on the panel: logistic regression, its figures when it is done, and a link to its run.
  await home.goto();
  await panel.getByLabel('Model').selectOption('logistic_regression');
  await panel.getByLabel('Epochs').fill('30');
  await panel.getByRole('button', { name: 'Train' }).click();
  await expect(panel.getByRole('button', { name: 'Training…' })).toBeDisabled();
  const status = panel.getByTestId('iris-status');
  await expect(status).toContainText('Finished: test accuracy', { timeout: FIRST_LOAD_TIMEOUT });
  expect(Number(/test accuracy ([\d.]+)%/.exec((await status.textContent()) ?? '')![1])).toBeGreaterThanOrEqual(90);
  await expect(status).toContainText(/model\.onnx \d+ bytes/);
  await panel.getByRole('link', { name: 'Open the run' }).click();
  await expect(run.name).toHaveText('iris-logreg', { timeout: FIRST_LOAD_TIMEOUT });
  await expect(run.status).toHaveText('FINISHED');
  await expect(param('epochs')).toContainText('30');
  await expect(param('hidden')).toHaveCount(0);
  expect(pageErrors()).toEqual([]);
});

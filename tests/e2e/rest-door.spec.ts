import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentPage } from './pages/experiment-page';
import { ExperimentsPage } from './pages/experiments-page';
import { RunPage } from './pages/run-page';

/**
 * Issue 8's end-to-end path: a client that speaks only HTTP (what the `mlflow` Python client sends; no Cairn code)
 * logs into the relay's MLflow door while a browser shows the run, live.
 */
test('[REST-6] an HTTP-only client creates an experiment, logs a run with log-batch, uploads an artifact, searches and reads histories; a browser shows it live', async ({ page, baseURL }) => {
  const pageErrors = collectPageErrors(page.context());
  const api = (path: string) => `${baseURL}/api/2.0/mlflow/${path}`;
  const post = async (path: string, body: unknown) => {
    const r = await fetch(api(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status, `${path}: ${await r.clone().text()}`).toBe(200);
    return (await r.json()) as Record<string, unknown>;
  };
  const name = `rest-door-${Date.now()}`;
  const { experiment_id: experimentId } = (await post('experiments/create', { name })) as { experiment_id: string };

  // The browser sees the experiment the door created, and opens it before the run exists.
  const home = new ExperimentsPage(page);
  await home.goto();
  await home.expectListed(name);
  await home.open(name);
  const experiment = new ExperimentPage(page);

  const created = (await post('runs/create', { experiment_id: experimentId, run_name: 'http-run', start_time: Date.now() })) as { run: { info: { run_id: string } } };
  const runId = created.run.info.run_id;
  await expect(experiment.runRow('http-run')).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });

  const t0 = Date.now();
  const metrics = Array.from({ length: 500 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), timestamp: t0 + i, step: i }));
  await post('runs/log-batch', { run_id: runId, metrics, params: [{ key: 'lr', value: '0.01' }], tags: [{ key: 'team', value: 'rest' }] });
  const put = await fetch(`${baseURL}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/notes/readme.txt`, { method: 'PUT', body: 'hello from http' });
  expect(put.status).toBe(200);

  // Reads through the door: search (filter + order_by), the history, the artifact back.
  const found = (await post('runs/search', { experiment_ids: [experimentId], filter: "params.lr = '0.01'", order_by: ['metrics.loss ASC'] })) as { runs: { info: { run_id: string } }[] };
  expect(found.runs.map((r) => r.info.run_id)).toEqual([runId]);
  const history = (await (await fetch(`${api('metrics/get-history')}?run_id=${runId}&metric_key=loss&max_results=1000`)).json()) as { metrics: { step: number }[] };
  expect(history.metrics).toHaveLength(500);
  expect(history.metrics[499]!.step).toBe(499);
  expect(await (await fetch(`${baseURL}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/notes/readme.txt`)).text()).toBe('hello from http');

  // The browser's run page has all of it, and keeps up with what the door writes next.
  await experiment.openRun('http-run');
  const run = new RunPage(page);
  await expect(run.params.getByRole('row').filter({ hasText: 'lr' })).toContainText('0.01');
  await expect(run.tags.getByRole('row').filter({ hasText: 'team' })).toContainText('rest');
  await expect(run.artifacts).toContainText('notes');
  await expect.poll(() => run.pointCount('loss'), { timeout: FIRST_LOAD_TIMEOUT }).toBe(500);
  await post('runs/log-metric', { run_id: runId, key: 'loss', value: 0.001, timestamp: Date.now(), step: 500 });
  await expect.poll(() => run.pointCount('loss'), { timeout: 15_000 }).toBe(501);
  await post('runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  await expect(run.status).toHaveText('FINISHED', { timeout: 15_000 });
  expect(pageErrors()).toEqual([]);
});

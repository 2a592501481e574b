import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { startStaticServer, tempDir, type ServerProcess } from './fixtures/processes';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentPage } from './pages/experiment-page';
import { ExperimentsPage } from './pages/experiments-page';
import { RunPage } from './pages/run-page';

/**
 * A browser notebook on another origin loads the SDK bundle the app serves (`<relay>/sdk/cairn.mjs`, built by
 * scripts/build-node.mjs) with a plain `import()`, logs a run into the config's `cairn start` relay, and the app shows
 * it. The notebook page is a blank HTML file on its own static server: no app, no service worker.
 */

const STEPS = 25;
const RUN_NAME = 'notebook-run';

let notebookSite: ServerProcess;
let notebookDir: ReturnType<typeof tempDir>;

test.beforeAll(async () => {
  notebookDir = tempDir('cairn-e2e-notebook-');
  writeFileSync(join(notebookDir.path, 'index.html'), '<!doctype html><meta charset="utf-8"><title>notebook</title><h1>notebook</h1>\n');
  notebookSite = await startStaticServer(notebookDir.path);
});

test.afterAll(async () => {
  await notebookSite?.stop();
  notebookDir?.remove();
});

test('a notebook on another origin imports /sdk/cairn.mjs and logs a run the app then shows', async ({ browser, baseURL }) => {
  const relay = new URL(baseURL!).origin;
  expect(new URL(notebookSite.origin).port).not.toBe(new URL(relay).port);
  const experimentName = `notebook-${Date.now()}`;
  const notebookCtx = await browser.newContext();
  const appCtx = await browser.newContext({ baseURL });
  const pageErrors = collectPageErrors(notebookCtx, appCtx);
  try {
    const notebook = await notebookCtx.newPage();
    await notebook.goto(`${notebookSite.origin}/`);
    await expect(notebook.getByRole('heading', { name: 'notebook' })).toBeVisible();

    // One notebook cell. The import goes through `new Function` so it is the browser's own `import()`, not one the
    // test runner's TypeScript transform might have rewritten into a require().
    const logged = await notebook.evaluate(
      async ({ relay, experimentName, runName, steps }) => {
        const load = new Function('url', 'return import(url)') as (url: string) => Promise<typeof import('cairn/sdk')>;
        const m = await load(`${relay}/sdk/cairn.mjs`);
        const c = await m.connect({ relay, workspace: 'default' });
        const experimentId = await c.createExperiment(experimentName);
        const run = await c.startRun({ experimentId, runName });
        run.logParam('learning_rate', 0.01);
        for (let step = 0; step < steps; step++) run.logMetrics({ loss: 1 / (1 + step), accuracy: step / steps }, { step });
        await run.end();
        const info = await c.getRun(run.id);
        await c.close();
        return { runId: run.id, experimentId, status: info?.info.status, sourceType: info?.tags['mlflow.source.type'] };
      },
      { relay, experimentName, runName: RUN_NAME, steps: STEPS },
    );
    expect(logged.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(logged.status).toBe('FINISHED');
    // The bundle took its browser path (IndexedDB journal, global WebSocket), not the Node one.
    expect(logged.sourceType).toBe('NOTEBOOK');

    // The app (on the relay's origin) shows the experiment, the run, its param, and every point in the charts.
    const app = await appCtx.newPage();
    const home = new ExperimentsPage(app);
    await home.goto();
    await home.open(experimentName);
    const experiment = new ExperimentPage(app);
    await expect(experiment.runRow(RUN_NAME)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    await expect(experiment.runRow(RUN_NAME).getByTestId('run-status')).toHaveText('FINISHED');
    await experiment.openRun(RUN_NAME);
    const run = new RunPage(app);
    await expect(run.status).toHaveText('FINISHED');
    await expect(run.params.getByRole('row').filter({ hasText: 'learning_rate' })).toContainText('0.01');
    for (const key of ['loss', 'accuracy']) {
      await run.expectChartDrawn(key);
      await expect.poll(() => run.pointCount(key), { timeout: 10_000 }).toBe(STEPS);
    }
    expect(pageErrors()).toEqual([]);
  } finally {
    await notebookCtx.close();
    await appCtx.close();
  }
});

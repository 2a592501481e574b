import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { startLogRun } from './fixtures/sdk-process';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentPage } from './pages/experiment-page';
import { ExperimentsPage } from './pages/experiments-page';
import { RunPage } from './pages/run-page';

/** The logger keeps logging one step per DELAY_MS until the test says stop (MAX_STEPS is only a safety cap). */
const MAX_STEPS = 2_000;
const DELAY_MS = 50;
const RUN_NAME = 'e2e-live-run';

test('two browsers watch a run logged by the Node SDK: run row, params, growing charts', async ({ browser, baseURL }) => {
  const relay = new URL(baseURL!).origin;
  const experimentName = `live-${Date.now()}`;
  const users = await Promise.all([browser.newContext({ baseURL }), browser.newContext({ baseURL })]);
  const pageErrors = collectPageErrors(...users);
  const pages = await Promise.all(users.map((c) => c.newPage()));
  const logger = startLogRun({ relay, experimentName, maxSteps: MAX_STEPS, delayMs: DELAY_MS, runName: RUN_NAME });
  try {
    await Promise.all(pages.map((page) => new ExperimentsPage(page).goto()));
    const runId = await logger.runId;
    expect(runId).toMatch(/^[0-9a-f]{32}$/);

    // Both users see the experiment appear, open it, and see the run with a column per metric key.
    await Promise.all(
      pages.map(async (page) => {
        const home = new ExperimentsPage(page);
        await home.expectListed(experimentName);
        await home.open(experimentName);
        const experiment = new ExperimentPage(page);
        await expect(experiment.runRow(RUN_NAME)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
        await expect(experiment.metricColumn('loss')).toBeVisible();
        await expect(experiment.metricColumn('accuracy')).toBeVisible();
        await expect(experiment.runRow(RUN_NAME).getByTestId('run-status')).toHaveText('RUNNING');
      }),
    );

    // One user clicks through, the other opens the run page directly; both charts keep growing while it logs.
    await new ExperimentPage(pages[0]!).openRun(RUN_NAME);
    const watcher = new RunPage(pages[1]!);
    await watcher.goto(runId);
    const runPages = [new RunPage(pages[0]!), watcher];
    await Promise.all(
      runPages.map(async (run) => {
        await expect(run.name).toHaveText(RUN_NAME, { timeout: FIRST_LOAD_TIMEOUT });
        await expect(run.params.getByRole('row').filter({ hasText: 'learning_rate' })).toContainText('0.01');
        await expect(run.tags.getByRole('row').filter({ hasText: 'team' })).toContainText('e2e');
        for (const key of ['loss', 'accuracy']) await run.expectChartDrawn(key);
        const first = await run.pointCount('loss');
        await expect.poll(() => run.pointCount('loss'), { timeout: 15_000 }).toBeGreaterThan(first);
      }),
    );

    // When the process ends the run, both pages show every point and the terminal status without a reload.
    logger.stop();
    const points = await logger.done;
    await Promise.all(
      runPages.map(async (run) => {
        await expect.poll(() => run.pointCount('loss'), { timeout: 10_000 }).toBe(points);
        await expect.poll(() => run.pointCount('accuracy'), { timeout: 10_000 }).toBe(points);
        await expect(run.status).toHaveText('FINISHED');
      }),
    );
    expect(pageErrors()).toEqual([]);
  } finally {
    logger.kill();
    await Promise.all(users.map((c) => c.close()));
  }
});

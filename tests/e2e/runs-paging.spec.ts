import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { ExperimentPage } from './pages/experiment-page';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';

const RUNS = 400;

// A big experiment's table draws the rows in view, not all of them; scrolling brings the others, window by window,
// from the worker, with the total known from the start (components/runs-table SPEC TABLE-1).
test('[TABLE-1] the runs table draws the visible runs of a big experiment and scrolling loads the rest', async ({ page, baseURL }) => {
  const data = tempDir('cairn-paging-');
  const client = await connect({ relay: baseURL!, workspace: 'default', dataDir: data.path });
  const pageErrors = collectPageErrors(page.context());
  try {
    const name = `paging-${Date.now()}`;
    const experimentId = await client.createExperiment(name);
    for (let i = 0; i < RUNS; i++) {
      const run = await client.startRun({ experimentId, runName: `run-${String(i).padStart(3, '0')}`, startTime: 1_700_000_000_000 + i });
      run.logMetric(i % 2 ? 'loss' : 'acc', i, { step: 1 });
    }
    await client.flush();

    const exp = new ExperimentPage(page);
    await exp.goto(experimentId);
    await expect(exp.heading(RUNS)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    await expect(exp.runLink('run-399')).toBeVisible();
    await expect(exp.metricColumn('acc')).toBeVisible();
    await expect(exp.metricColumn('loss')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);
    const drawn = await exp.runRows.count();
    expect(drawn).toBeGreaterThan(10);
    expect(drawn).toBeLessThan(100);
    await expect(exp.runLink('run-000')).toHaveCount(0);

    // Halfway down: the rows there, and still only a screenful drawn.
    await exp.scrollTo(200 * 33);
    await expect(exp.runLink('run-200')).toBeVisible();
    expect(await exp.runRows.count()).toBeLessThan(100);
    await expect(exp.runLink('run-399')).toHaveCount(0);

    await exp.scrollTo('end');
    await expect(exp.runLink('run-000')).toBeVisible();
    await expect(await exp.bottomRow()).toContainText('run-000');
    expect(pageErrors()).toEqual([]);
  } finally {
    await client.close();
    data.remove();
  }
});

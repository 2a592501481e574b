import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { ExperimentPage } from './pages/experiment-page';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';

const RUNS = 130;

// A big experiment sends the page 100 rows, not all of them; "Load more" asks the worker for the next ones.
test('the runs table shows the first 100 runs of a big experiment and loads more on demand', async ({ page, baseURL }) => {
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

    await page.goto(`/experiment/?id=${experimentId}`);
    const exp = new ExperimentPage(page);
    await expect(page.getByRole('heading', { name: `Runs (${RUNS})` })).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    await expect(exp.runsTable.getByTestId('run-row')).toHaveCount(100);
    await expect(exp.runLink('run-129')).toBeVisible();
    await expect(exp.runLink('run-000')).toHaveCount(0);
    await expect(exp.metricColumn('acc')).toBeVisible();
    await expect(exp.metricColumn('loss')).toBeVisible();
    await expect(page.getByText(`Showing 100 of ${RUNS} runs`)).toBeVisible();

    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(exp.runsTable.getByTestId('run-row')).toHaveCount(RUNS);
    await expect(exp.runLink('run-000')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);
    expect(pageErrors()).toEqual([]);
  } finally {
    await client.close();
    data.remove();
  }
});

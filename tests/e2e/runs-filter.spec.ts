import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { ExperimentPage } from './pages/experiment-page';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';

// The runs table's filter box speaks MLflow's search language (plus OR and numeric params); the worker filters.
test('the runs table filters with MLflow search syntax and shows where a bad filter went wrong', async ({ page, baseURL }) => {
  const data = tempDir('cairn-filter-');
  const client = await connect({ relay: baseURL!, workspace: 'default', dataDir: data.path });
  const pageErrors = collectPageErrors(page.context());
  try {
    const experimentId = await client.createExperiment(`filter-${Date.now()}`);
    for (let i = 0; i < 12; i++) {
      const run = await client.startRun({ experimentId, runName: `run-${String(i).padStart(2, '0')}`, startTime: 1_700_000_000_000 + i });
      run.logParams({ lr: [0.1, 0.01, 0.001][i % 3], model: i % 2 ? 'tree' : 'mlp' });
      run.logMetric('acc', i / 12, { step: 1 });
      await run.end();
    }
    await client.flush();

    await page.goto(`/experiment/?id=${experimentId}`);
    const exp = new ExperimentPage(page);
    await expect(page.getByRole('heading', { name: 'Runs (12)' })).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });

    await exp.filter(`params.model = 'tree' and metrics.acc > 0.5`);
    await expect(page.getByRole('heading', { name: 'Runs (3)' })).toBeVisible();
    await expect(exp.runsTable.getByTestId('run-row')).toHaveCount(3);
    for (const name of ['run-07', 'run-09', 'run-11']) await expect(exp.runLink(name)).toBeVisible();

    await exp.filter('params.lr < 0.005 OR attributes.run_name = "run-00"');
    await expect(exp.runsTable.getByTestId('run-row')).toHaveCount(5);

    await exp.filter('metrics.acc >> 1');
    await expect(exp.filterError).toBeVisible();
    await expect(exp.filterError).toContainText('at character');
    await expect(page.getByTestId('runs-no-match')).toBeVisible();

    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(page.getByRole('heading', { name: 'Runs (12)' })).toBeVisible();
    await expect(exp.filterError).toHaveCount(0);
    expect(pageErrors()).toEqual([]);
  } finally {
    await client.close();
    data.remove();
  }
});

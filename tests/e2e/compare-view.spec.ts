import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ChartView } from './pages/charts';
import { ComparePage } from './pages/compare-page';

// Three runs logged by the Node SDK: one param differs (lr), one is the same (optimizer), metrics differ.
test('[CMP-3, CMP-1] compare draws a line chart per metric, parallel coordinates and a scatter, and the diff table hides what is the same', async ({ page, baseURL }) => {
  const data = tempDir('cairn-compare-');
  const client = await connect({ relay: baseURL!, workspace: 'default', dataDir: data.path });
  const pageErrors = collectPageErrors(page.context());
  try {
    const experimentId = await client.createExperiment(`compare-${Date.now()}`);
    const ids: string[] = [];
    for (const [i, lr] of ['0.1', '0.01', '0.001'].entries()) {
      const run = await client.startRun({ experimentId, runName: `cmp-${i}`, startTime: 1_700_000_000_000 + i });
      run.logParams({ lr, optimizer: 'adam' });
      for (let step = 0; step < 5; step++) run.logMetrics({ loss: 1 / (1 + step * (i + 1)), acc: step / 10 }, { step });
      await run.end();
      ids.push(run.id);
    }
    await client.flush();

    const cmp = new ComparePage(page);
    await cmp.goto(experimentId, ids);
    await expect(cmp.heading).toHaveText('Compare 3 runs', { timeout: FIRST_LOAD_TIMEOUT });
    // One overlaid line chart per metric, a line per run.
    for (const key of ['loss', 'acc']) {
      const chart = new ChartView(page, key);
      await chart.expectDrawn();
      await expect.poll(async () => (await chart.drawn()).filter((s) => s.id.startsWith('line:')).map((s) => s.id.slice(5)).sort()).toEqual([...ids].sort());
    }
    await cmp.expectDrawn(cmp.parallel, 3);
    await cmp.expectDrawn(cmp.scatter, 3);
    // The scatter's axes can be any param or metric.
    await page.getByLabel('y', { exact: true }).selectOption('metrics.acc');
    await cmp.expectDrawn(cmp.scatter, 3);

    await expect(cmp.diffRow('param', 'lr')).toContainText('0.001');
    await expect(cmp.diffRow('param', 'optimizer')).toBeVisible();
    await expect(cmp.diffRow('metric', 'loss')).toHaveAttribute('data-differs', 'true');
    await expect(cmp.diffRow('metric', 'acc')).toHaveAttribute('data-differs', 'false');
    await cmp.onlyDifferences.check();
    await expect(cmp.diffRow('param', 'optimizer')).toHaveCount(0);
    await expect(cmp.diffRow('metric', 'acc')).toHaveCount(0);
    await expect(cmp.diffRow('param', 'lr')).toBeVisible();
    await expect(cmp.diffRow('metric', 'loss')).toBeVisible();
    await cmp.onlyDifferences.uncheck();
    await expect(cmp.diffRow('param', 'optimizer')).toBeVisible();

    // An unknown id is named; one run alone is refused with a message.
    const unknown = 'f'.repeat(32);
    await cmp.goto(experimentId, [ids[0]!, ids[1]!, unknown]);
    await expect(cmp.missing).toContainText(unknown, { timeout: FIRST_LOAD_TIMEOUT });
    await expect(cmp.heading).toHaveText('Compare 2 runs');
    await cmp.goto(experimentId, [ids[0]!]);
    await expect(cmp.problem).toContainText('at least 2', { timeout: FIRST_LOAD_TIMEOUT });
    expect(pageErrors()).toEqual([]);
  } finally {
    await client.close();
    data.remove();
  }
});

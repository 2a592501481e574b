import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ChartView } from './pages/charts';
import { DashboardsPage } from './pages/dashboards-page';

// A card's "Copy embed link" gives a URL that draws that chart alone: no header, no navigation, for an iframe.
test('[BOARD-E2, BOARD-E1] the embed page renders the chart of a copied embed link without the app header', async ({ browser, baseURL }) => {
  const data = tempDir('cairn-embed-');
  const client = await connect({ relay: baseURL!, workspace: 'default', dataDir: data.path });
  const context = await browser.newContext({ baseURL });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const pageErrors = collectPageErrors(context);
  try {
    const experimentId = await client.createExperiment(`embed-${Date.now()}`);
    const ids: string[] = [];
    for (const [i, acc] of [0.5, 0.8].entries()) {
      const run = await client.startRun({ experimentId, runName: `embed-run-${i}` });
      run.logMetric('acc', acc, { step: 0 });
      await run.end();
      ids.push(run.id);
    }
    await client.flush();
    const page = await context.newPage();
    const boards = new DashboardsPage(page);
    await boards.goto(experimentId);
    await boards.createBoard('Embeds');
    await boards.addCard({ chart: 'Bar of latest values', title: 'Acc', metric: 'acc' });
    const card = boards.card('Acc');
    await expect(card.getByTestId('bar-chart')).toHaveAttribute('data-drawn', '2', { timeout: FIRST_LOAD_TIMEOUT });
    await card.getByRole('button', { name: 'Copy embed link' }).click();
    const link = await card.getByTestId('embed-link').inputValue();
    expect(link).toContain('/embed/?');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    const url = new URL(link);
    expect(url.searchParams.get('experiment')).toBe(experimentId);
    expect(url.searchParams.get('runs')!.split(',').sort()).toEqual([...ids].sort());
    expect(url.searchParams.get('metric')).toBe('acc');

    await page.goto(link);
    const chart = page.getByTestId('embed-chart');
    await expect(chart.locator('canvas').first()).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    await expect(chart.getByTestId('bar-chart')).toHaveAttribute('data-drawn', '2');
    await expect(page.getByRole('banner')).toHaveCount(0);
    await expect(page.getByTestId('sync-status')).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Settings' })).toHaveCount(0);
    // The chart fills the frame.
    const box = (await chart.boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(box.width).toBeGreaterThan(viewport.width * 0.9);
    expect(box.height).toBeGreaterThan(viewport.height * 0.8);

    // The default chart of a link is the line of a metric over the runs (components/charts' RunsLineChart).
    await page.goto(`/embed/?experiment=${experimentId}&runs=${ids.join(',')}&metric=acc&s.logY=true`);
    const line = new ChartView(page, 'acc');
    await line.expectDrawn();
    await expect.poll(async () => (await line.drawn()).filter((s) => s.id.startsWith('line:')).length).toBe(2);
    await expect(page.getByRole('banner')).toHaveCount(0);

    // A link that cannot draw a chart says why.
    await page.goto(`/embed/?experiment=${experimentId}&runs=${ids[0]}`);
    await expect(page.getByTestId('embed-message')).toContainText('no metric', { timeout: FIRST_LOAD_TIMEOUT });
    expect(pageErrors()).toEqual([]);
  } finally {
    await client.close();
    await context.close();
    data.remove();
  }
});

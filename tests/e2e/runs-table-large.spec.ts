import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { useGeneratedExperiment } from './fixtures/generated-experiment';
import { ExperimentPage } from './pages/experiment-page';

/**
 * The runs table's select-all and sticky name column on 10,000 runs of 20 params and 20 metrics (the bench generator,
 * as large-experiment.spec.ts): far more rows and columns than are drawn, so both work past the drawn window.
 */
const RUNS = 10_000;

const big = useGeneratedExperiment(RUNS, 'cairn-e2e-10k-table-');

test('[TABLE-14] [TABLE-15] on 10k runs: select all takes every matching run, not the drawn ones; the name stays in view across every metric column', async ({ browser }) => {
  const ctx = await browser.newContext({ baseURL: big.app.origin });
  const pageErrors = collectPageErrors(ctx);
  try {
    const page = await ctx.newPage();
    const exp = new ExperimentPage(page);
    await exp.goto(big.experimentId);
    await expect(page.getByRole('heading', { name: `Runs (${RUNS})` })).toBeVisible({ timeout: 30_000 });
    await exp.filter("params.param_2 = 'adam' and params.param_0 = '0.01'");
    await expect(page.getByRole('heading', { name: `Runs (${RUNS / 4})` })).toBeVisible();
    expect(await exp.runRows.count()).toBeLessThan(100);
    const t0 = Date.now();
    await exp.selectAll.click();
    await expect(exp.selectedCount).toHaveText('2,500 selected', { timeout: 20_000 });
    await expect(exp.selectAll).toBeChecked();
    test.info().annotations.push({ type: 'select-all 2,500 runs → count shown (ms)', description: String(Date.now() - t0) });
    await exp.scrollTo('end');
    await expect(exp.runsTable.locator(`[data-testid="run-row"][aria-rowindex="${RUNS / 4 + 1}"]`)).toHaveAttribute('aria-selected', 'true');
    await exp.selectAll.click();
    await expect(exp.selectedCount).toHaveCount(0);
    // All 10k (the selection lives in the URL: ~330 KB of `sel=` then).
    await exp.filter('');
    await expect(page.getByRole('heading', { name: `Runs (${RUNS})` })).toBeVisible();
    const t1 = Date.now();
    await exp.selectAll.click();
    await expect(exp.selectedCount).toHaveText('10,000 selected', { timeout: 30_000 });
    test.info().annotations.push({ type: 'select-all 10,000 runs → count shown (ms)', description: String(Date.now() - t1) });
    await exp.selectAll.click();
    await expect(exp.selectedCount).toHaveCount(0);

    // Sideways to the last metric column: the body rows draw only the columns near the view, and the name cell.
    await exp.scrollTo(0);
    const first = exp.runRows.first();
    const nameCell = first.getByTestId('run-name-cell');
    const x0 = (await nameCell.boundingBox())!.x;
    await exp.scrollLeftTo('end');
    await expect.poll(() => exp.runsScroll.evaluate((el) => el.scrollLeft)).toBeGreaterThan(1500);
    await expect(first.getByRole('cell').last()).toBeInViewport();
    await expect(nameCell).toBeInViewport();
    await expect.poll(async () => (await nameCell.boundingBox())!.x).toBeCloseTo(x0, 0);
    // Fewer cells than columns: the ones far left were left out, the name cell was not.
    const headers = await exp.runsTable.getByRole('columnheader').count();
    expect(await first.getByRole('cell').count()).toBeLessThan(headers - 3);
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctx.close();
  }
});

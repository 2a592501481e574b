import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { useGeneratedExperiment } from './fixtures/generated-experiment';
import { ExperimentPage } from './pages/experiment-page';

/**
 * An experiment of 10,000 runs (20 params, 20 metric keys, 3 tags each: the issue-6 sweep), written through lib/doc's
 * commands into a relay data folder by the bench generator, served by its own `cairn start`: the experiment page shows
 * its first rows and the total from the relay's experiment index, without loading 10k run docs.
 */
const RUNS = 10_000;

const big = useGeneratedExperiment(RUNS, 'cairn-e2e-10k-');

test('[TABLE-1] [TABLE-17] an experiment of 10k runs opens and shows its first rows; a filter narrows them in the worker; scrolling reaches the last run', async ({ browser }) => {
  const ctx = await browser.newContext({ baseURL: big.app.origin });
  const pageErrors = collectPageErrors(ctx);
  try {
    const page = await ctx.newPage();
    await page.goto(`/experiment/?id=${big.experimentId}`);
    const exp = new ExperimentPage(page);
    await expect(page.getByRole('heading', { name: `Runs (${RUNS})` })).toBeVisible({ timeout: 30_000 });
    await expect(exp.runsTable.getByTestId('run-row').first()).toBeVisible();
    expect(await exp.runsTable.getByTestId('run-row').count()).toBeGreaterThanOrEqual(25);
    // param_2 alternates adam/sgd and param_0 cycles through four learning rates (bench/lib/generate.mjs): 1 run in 4.
    await exp.filter("params.param_2 = 'adam' and params.param_0 = '0.01'");
    await expect(page.getByRole('heading', { name: `Runs (${RUNS / 4})` })).toBeVisible();
    const rows = exp.runsTable.getByTestId('run-row');
    await expect(rows.first()).toBeVisible();

    // Every run is reachable by scrolling, while only a screenful is drawn.
    await exp.filter('');
    await expect(page.getByRole('heading', { name: `Runs (${RUNS})` })).toBeVisible();
    expect(await rows.count()).toBeLessThan(100);
    await exp.scrollTo('end');
    await expect(exp.runsTable.locator(`[data-testid="run-row"][aria-rowindex="${RUNS + 1}"]`)).toBeVisible();
    expect(await rows.count()).toBeLessThan(100);
    // [TABLE-17] The rowgroup's aria-owns lists the drawn rows in shown order (the DOM holds them in slot order).
    const owned = await exp.runsTable.locator('[role="rowgroup"][aria-owns]').evaluate((g) =>
      (g.getAttribute('aria-owns') ?? '').split(' ').map((id) => Number(document.getElementById(id)?.getAttribute('aria-rowindex'))),
    );
    expect(owned.length).toBe(await rows.count());
    expect(owned).toEqual([...owned].sort((a, b) => a - b));
    expect(owned.at(-1)).toBe(RUNS + 1);
    // [TABLE-17] Scrolling hands the rows that leave to the rows that come: no row element is made anew.
    await exp.scrollTo(5_000 * 33);
    await expect(exp.runsTable.locator('[data-testid="run-row"][aria-rowindex="5010"]')).toBeVisible();
    await page.evaluate(() => {
      (window as unknown as { drawnRows: Set<Element> }).drawnRows = new Set(document.querySelectorAll('[data-testid="run-row"]'));
    });
    await exp.scrollTo(5_020 * 33);
    await expect(exp.runsTable.locator('[data-testid="run-row"][aria-rowindex="5040"]')).toBeVisible();
    const fresh = await page.evaluate(() => [...document.querySelectorAll('[data-testid="run-row"]')].filter((r) => !(window as unknown as { drawnRows: Set<Element> }).drawnRows.has(r)).length);
    expect(fresh).toBe(0);
    // [TABLE-10] A keyboard walks past the drawn rows: 60 × ArrowDown from the first run's link.
    await exp.scrollTo(0);
    await expect(rows.first()).toHaveAttribute('aria-rowindex', '2');
    await rows.first().getByRole('link').focus();
    for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowDown');
    await expect(page.locator('[data-testid="run-row"]:focus-within')).toHaveAttribute('aria-rowindex', '62');
    // Sorted by name, descending: the same 10k, the order from the worker.
    await exp.scrollTo(0);
    await exp.sortBy('Run Name');
    await exp.sortBy('Run Name');
    await expect(exp.runsTable.getByRole('columnheader', { name: 'Run Name' })).toHaveAttribute('aria-sort', 'descending');
    await expect
      .poll(async () => {
        const names = await exp.runNames();
        return names.length > 10 && names.every((n, i) => i === 0 || names[i - 1]! >= n);
      })
      .toBe(true);
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctx.close();
  }
});

import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ChartView, startSeriesRun } from './pages/charts';
import { RunPage } from './pages/run-page';

test('[CHART-12, CHART-5, CHART-6, CHART-7] one set of chart controls drives every chart of the run page', async ({ browser, baseURL }) => {
  const relay = new URL(baseURL!).origin;
  const logger = startSeriesRun({
    relay,
    experimentName: `controls-${Date.now()}`,
    runName: 'controls',
    keys: { signed: 'Math.sin(s / 10)', loss: '1 / (1 + s)' },
    prefill: 200,
  });
  const ctx = await browser.newContext({ baseURL });
  const pageErrors = collectPageErrors(ctx);
  try {
    const runId = await logger.runId;
    await logger.done;
    const page = await ctx.newPage();
    await new RunPage(page).goto(runId);
    const signed = new ChartView(page, 'signed');
    const loss = new ChartView(page, 'loss');
    await expect.poll(async () => (await loss.series('line:'))?.x.length ?? 0, { timeout: FIRST_LOAD_TIMEOUT }).toBe(200);
    await expect.poll(async () => (await signed.series('line:'))?.x.length ?? 0).toBe(200);
    const controls = page.getByRole('group', { name: 'Chart settings' });
    await expect(controls).toHaveCount(1);

    // Smoothing: every chart gets a smoothed line over its faint raw one.
    await controls.getByLabel('Smoothing').fill('80');
    for (const chart of [signed, loss]) await expect.poll(async () => (await chart.series('raw:'))?.x.length ?? 0).toBe(200);
    const smooth = (await loss.series('line:'))!;
    const raw = (await loss.series('raw:'))!;
    expect(smooth.y[0]).toBeCloseTo(raw.y[0]!, 9); // debiased: starts on the first value
    expect(smooth.y[50]!).toBeGreaterThan(raw.y[50]!); // lags behind a falling loss
    await controls.getByLabel('Smoothing').fill('0');
    await expect.poll(async () => (await loss.series('raw:')) === undefined).toBe(true);

    // Log y: the signed series' values ≤ 0 become gaps, and the chart says how many.
    await controls.getByLabel('Log y').check();
    await expect(signed.figure.getByTestId('chart-hidden')).toContainText(/\d+ points ≤ 0 hidden/);
    await expect(loss.figure.getByTestId('chart-hidden')).toHaveCount(0);
    const logged = (await signed.series('line:'))!;
    expect(logged.y.filter((v) => v === null).length).toBeGreaterThan(50);
    await controls.getByLabel('Log y').uncheck();

    // X axis: another metric of the run (loss), then wall time.
    await controls.getByLabel('X axis').selectOption({ label: 'loss' });
    await expect.poll(async () => Math.max(...((await signed.series('line:'))?.x ?? [99]))).toBeLessThanOrEqual(1);
    await controls.getByLabel('X axis').selectOption({ label: 'Wall time' });
    await expect.poll(async () => Math.min(...((await signed.series('line:'))?.x ?? [0]))).toBeGreaterThan(1_600_000_000_000);
    expect(pageErrors()).toEqual([]);
  } finally {
    logger.kill();
    await ctx.close();
  }
});

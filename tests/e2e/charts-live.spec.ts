import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ChartView, startSeriesRun } from './pages/charts';
import { RunPage } from './pages/run-page';

const PREFILL = 5_000;

test('[CHART-8] a running run\'s bucketed chart grows as points arrive, keeping the buckets it has drawn', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const relay = new URL(baseURL!).origin;
  const logger = startSeriesRun({
    relay,
    experimentName: `live-chart-${Date.now()}`,
    runName: 'growing',
    keys: { loss: '1 / (1 + s / 100) + 0.05 * Math.sin(s)' },
    prefill: PREFILL,
    liveDelayMs: 40,
    liveMax: 5_000,
  });
  const ctx = await browser.newContext({ baseURL });
  const pageErrors = collectPageErrors(ctx);
  try {
    const runId = await logger.runId;
    const page = await ctx.newPage();
    const run = new RunPage(page);
    await run.goto(runId);
    const chart = new ChartView(page, 'loss');
    await chart.expectDrawn();
    await expect.poll(async () => (await chart.band())?.buckets.x.length ?? 0, { timeout: FIRST_LOAD_TIMEOUT }).toBeGreaterThan(1_000);
    const first = (await chart.band())!.buckets;
    const firstCount = await run.pointCount('loss');
    const lastStep = first.x.at(-1)!;

    // New points arrive: the count caption and the drawn x extent grow.
    await expect.poll(() => run.pointCount('loss'), { timeout: 20_000 }).toBeGreaterThan(firstCount + 20);
    await expect.poll(async () => (await chart.series('line:'))!.x.at(-1)!, { timeout: 10_000 }).toBeGreaterThan(lastStep + 20);
    const later = (await chart.band())!.buckets;
    // Every bucket drawn before (but the open last one) is still there, unchanged.
    const closed = first.x.length - 1;
    expect(later.x.length).toBeGreaterThan(closed);
    expect(later.x.slice(0, closed)).toEqual(first.x.slice(0, closed));
    expect(later.lo.slice(0, closed)).toEqual(first.lo.slice(0, closed));
    expect(later.hi.slice(0, closed)).toEqual(first.hi.slice(0, closed));
    await expect(run.status).toHaveText('RUNNING');

    logger.stop();
    const points = await logger.done;
    await expect.poll(() => run.pointCount('loss'), { timeout: 15_000 }).toBe(points);
    await expect(run.status).toHaveText('FINISHED');
    expect(pageErrors()).toEqual([]);
  } finally {
    logger.kill();
    await ctx.close();
  }
});

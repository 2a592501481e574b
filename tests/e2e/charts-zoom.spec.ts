import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ChartView, startSeriesRun } from './pages/charts';
import { RunPage } from './pages/run-page';

const STEPS = 200_000;

test('[CHART-4, CHART-12] zooming re-buckets the visible steps in the worker: real points after zoom; other charts keep theirs', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const relay = new URL(baseURL!).origin;
  const logger = startSeriesRun({
    relay,
    experimentName: `zoom-${Date.now()}`,
    runName: 'zoom',
    keys: { wave: 'Math.sin(s / 1000) + 0.01 * (s % 13)', other: 's % 1000' },
    prefill: STEPS,
  });
  const ctx = await browser.newContext({ baseURL });
  const pageErrors = collectPageErrors(ctx);
  try {
    const runId = await logger.runId;
    await logger.done;
    const page = await ctx.newPage();
    const run = new RunPage(page);
    await run.goto(runId);
    const wave = new ChartView(page, 'wave');
    const other = new ChartView(page, 'other');
    await wave.expectDrawn();
    await other.expectDrawn();
    await expect.poll(() => run.pointCount('wave'), { timeout: FIRST_LOAD_TIMEOUT }).toBe(STEPS);
    await expect.poll(async () => (await wave.series('line:'))?.x.length ?? 0).toBeGreaterThan(1_000);
    const coarse = (await wave.series('line:'))!;
    // ~133 steps per bucket before zooming
    expect(coarse.x[2]! - coarse.x[1]!).toBeGreaterThan(100);

    // Zoom to 2.5 % of the axis: ~5,000 steps, which the worker sends as real points.
    await wave.zoom(50, 52.5);
    const inWindow = async (lo = 100_500, hi = 104_500) => {
      const s = await wave.series('line:');
      if (!s) return { points: 0, minGap: Infinity };
      const xs = s.x.filter((x) => x >= lo && x <= hi);
      let minGap = Infinity;
      for (let i = 1; i < xs.length; i++) minGap = Math.min(minGap, xs[i]! - xs[i - 1]!);
      return { points: xs.length, minGap };
    };
    await expect.poll(async () => (await inWindow()).points, { timeout: 10_000 }).toBeGreaterThan(3_900);
    expect((await inWindow()).minGap).toBe(1);
    // Outside the window the coarse buckets stay (panning never shows an empty edge).
    const fine = (await wave.series('line:'))!;
    expect(fine.x[0]).toBeLessThan(1_000);
    expect(fine.x.at(-1)).toBe(STEPS - 1);
    // The other chart kept its own (unzoomed) buckets.
    const otherLine = (await other.series('line:'))!;
    expect(otherLine.x[2]! - otherLine.x[1]!).toBeGreaterThan(100);

    // Reset zoom: back to the coarse buckets.
    await wave.figure.getByRole('button', { name: 'reset zoom' }).click();
    await expect.poll(async () => (await inWindow()).points).toBeLessThan(100);

    // The keyboard zooms too: five "+" around the middle leave ~6k steps, drawn as real points.
    await wave.canvas.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('+');
    await expect.poll(async () => (await inWindow(98_000, 102_000)).points, { timeout: 10_000 }).toBeGreaterThan(3_900);
    expect((await inWindow(98_000, 102_000)).minGap).toBe(1);
    await page.keyboard.press('0');
    await expect.poll(async () => (await inWindow()).points).toBeLessThan(100);
    expect(pageErrors()).toEqual([]);
  } finally {
    logger.kill();
    await ctx.close();
  }
});

import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ChartView, startSeriesRun } from './pages/charts';
import { RunPage } from './pages/run-page';

/** A noisy sine crossing zero with spikes both ways: the series the misplaced band was seen on. */
const SPIKY = 'Math.sin(s / 400) + 0.3 * Math.sin(s * 7.3) + (s % 97 === 0 ? 3 : 0) - (s % 89 === 0 ? 3 : 0)';
const STEPS = 30_000;
const spiky = new Function('s', `return (${SPIKY});`) as (s: number) => number;

test('[CHART-1, CHART-3] the run page band envelopes a spiky series crossing zero, read from the live ECharts instance', async ({ browser, baseURL }) => {
  const relay = new URL(baseURL!).origin;
  const logger = startSeriesRun({ relay, experimentName: `band-${Date.now()}`, runName: 'spiky', keys: { spiky: SPIKY }, prefill: STEPS });
  const ctx = await browser.newContext({ baseURL });
  const pageErrors = collectPageErrors(ctx);
  try {
    const runId = await logger.runId;
    await logger.done;
    const page = await ctx.newPage();
    const run = new RunPage(page);
    await run.goto(runId);
    const chart = new ChartView(page, 'spiky');
    await chart.expectDrawn();
    await expect.poll(() => run.pointCount('spiky'), { timeout: FIRST_LOAD_TIMEOUT }).toBe(STEPS);
    await expect.poll(async () => (await chart.band())?.drawn.x.length ?? 0).toBeGreaterThan(1_000);

    const line = (await chart.series('line:'))!;
    const { drawn, buckets } = (await chart.band())!;
    const n = drawn.x.length;
    expect(n).toBeGreaterThanOrEqual(1_499);
    expect(n).toBeLessThanOrEqual(1_500);
    expect(buckets.x).toHaveLength(n);
    // The line is the buckets' means, ending on the true last point.
    expect(line.x.length - n).toBeLessThanOrEqual(1);
    expect(line.x.at(-1)).toBe(STEPS - 1);
    expect(line.y.at(-1)).toBeCloseTo(spiky(STEPS - 1), 12);
    let negative = 0;
    const tol = 1e-6; // pixels and back
    for (let i = 0; i < n; i++) {
      const lo = drawn.lo[i]!;
      const hi = drawn.hi[i]!;
      const v = line.y[i]!;
      expect(Math.abs(line.x[i]! - drawn.x[i]!)).toBeLessThan(tol);
      expect(Math.abs(lo - buckets.lo[i]!) < tol && Math.abs(hi - buckets.hi[i]!) < tol, `bucket ${i}: drawn where the option says`).toBe(true);
      expect(lo <= v + tol && v <= hi + tol, `bucket ${i} at step ${drawn.x[i]}: ${lo} ≤ ${v} ≤ ${hi}`).toBe(true);
      if (hi < 0) negative++;
    }
    // The series does cross zero, and the spikes are inside the band.
    expect(negative).toBeGreaterThan(100);
    expect(Math.max(...drawn.hi)).toBeGreaterThan(3);
    expect(Math.min(...drawn.lo)).toBeLessThan(-3);
    expect(pageErrors()).toEqual([]);
  } finally {
    logger.kill();
    await ctx.close();
  }
});

import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { startSeriesRun } from './pages/charts';

/** The worker's fetches of metrics docs (`/docs/<ws>/run/<id>/metrics`) and when its first chart request started. */
async function workerTimeline(page: Page): Promise<{ metricsFetches: { url: string; start: number }[]; firstSeries: number | null; mainReady: number | null }> {
  const worker = page.workers()[0];
  if (!worker) return { metricsFetches: [], firstSeries: null, mainReady: null };
  return worker.evaluate(() => ({
    metricsFetches: performance
      .getEntriesByType('resource')
      .filter((r) => decodeURIComponent(r.name).includes('/docs/') && decodeURIComponent(r.name).includes('/metrics'))
      .map((r) => ({ url: decodeURIComponent(r.name), start: r.startTime })),
    firstSeries: performance.getEntriesByName('cairn:charts:series').map((m) => m.startTime).sort((a, b) => a - b)[0] ?? null,
    // When the worker's main module (the data service) had loaded and run: CHART-18's early fetches go out before.
    mainReady: performance.getEntriesByName('cairn:worker:ready')[0]?.startTime ?? null,
  }));
}

/** How many line series of ≥ `min` points the chart of `key` holds. */
const linesDrawn = (page: Page, key: string, min: number) =>
  page
    .getByTestId(`metric-chart-${key}`)
    .getByRole('img')
    .evaluate((el, m) => {
      const model = (el as unknown as { cairnChart?: { getModel(): { getSeriesCount(): number; getSeriesByIndex(i: number): { id: string; getData(): { count(): number } } } } }).cairnChart?.getModel();
      let n = 0;
      for (let i = 0; model && i < model.getSeriesCount(); i++) {
        const s = model.getSeriesByIndex(i);
        if (s.id.startsWith('line:') && s.getData().count() >= m) n++;
      }
      return n;
    }, min)
    .catch(() => 0);

/*
 * components/charts/SPEC.md CHART-14: a run or compare page opened cold (fresh profile) has its finished runs' metrics
 * docs fetched by the data worker as soon as it started (the page's URL is the worker's name), before any chart asks;
 * the chart's request then finds the doc there: one fetch per doc, not two. CHART-18: those fetches go out from the
 * worker's first module, before its main module has loaded.
 */
test('[CHART-14] [CHART-18] a cold run or compare page fetches its finished runs\u2019 metrics docs before the worker has loaded and the charts ask, once each', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const logger = startSeriesRun({
    relay: new URL(baseURL!).origin,
    experimentName: `prefetch-${Date.now()}`,
    runName: 'pre',
    keys: { loss: '1 / (1 + s)', acc: 's / (1 + s)' },
    prefill: 400,
    finishedBefore: 3,
  });
  try {
    // The worker is started by the first script of the page, ahead of the stylesheet and Next's chunks.
    const html = await (await fetch(new URL('/run/', baseURL))).text();
    const start = html.indexOf("name:'cairn-page:'");
    expect(start, 'the page starts the data worker').toBeGreaterThan(0);
    expect(start).toBeLessThan(html.indexOf('rel="stylesheet"'));
    expect(start).toBeLessThan(html.indexOf('<script src='));

    const ids = (await logger.runId).split(',');
    const experimentId = await logger.experimentId;
    await logger.done;
    for (const [path, runs] of [
      [`/run/?id=${ids[0]}`, [ids[0]!]],
      [`/compare/?experiment=${encodeURIComponent(experimentId)}&runs=${ids.join(',')}`, ids],
    ] as const) {
      const ctx = await browser.newContext({ baseURL });
      const pageErrors = collectPageErrors(ctx);
      try {
        const page = await ctx.newPage();
        await page.goto(path);
        await expect.poll(() => linesDrawn(page, 'loss', 400), { timeout: FIRST_LOAD_TIMEOUT }).toBe(runs.length);
        const t = await workerTimeline(page);
        expect(t.firstSeries, 'the chart asked the worker').not.toBeNull();
        expect(t.mainReady, 'the worker marks when its main module ran').not.toBeNull();
        for (const id of runs) {
          const fetches = t.metricsFetches.filter((f) => f.url.includes(`/run/${id}/metrics`));
          expect(fetches, `${path}: ${id}'s metrics doc is fetched once`).toHaveLength(1);
          expect(fetches[0]!.start, `${path}: fetched before the chart asked`).toBeLessThan(t.firstSeries!);
          expect(fetches[0]!.start, `${path}: fetched before the worker's main module ran (CHART-18)`).toBeLessThan(t.mainReady!);
        }
        expect(pageErrors()).toEqual([]);
      } finally {
        await ctx.close();
      }
    }
  } finally {
    logger.kill();
  }
});

/*
 * CHART-15: a chart's first draw is its data. Each EChart measures every setOption as `cairn:chart:draw`; a page of a
 * finished run's two charts, opened cold, draws each chart once, with its line — no empty chart before the data.
 */
test('[CHART-15] a cold run page draws each chart once, and that draw holds its line', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const logger = startSeriesRun({
    relay: new URL(baseURL!).origin,
    experimentName: `first-draw-${Date.now()}`,
    runName: 'once',
    keys: { loss: '1 / (1 + s)', acc: 's / (1 + s)' },
    prefill: 400,
    finishedBefore: 3,
  });
  try {
    const [id] = (await logger.runId).split(',');
    await logger.done;
    const ctx = await browser.newContext({ baseURL });
    const pageErrors = collectPageErrors(ctx);
    // The metrics doc arrives well after ECharts is up (as on a slow link, or a run of 1M points): the chart must wait.
    let delayed = 0;
    await ctx.route(/\/docs\/.*\/metrics/, async (route) => {
      delayed++;
      await new Promise((r) => setTimeout(r, 1_500));
      await route.continue();
    });
    try {
      const page = await ctx.newPage();
      await page.goto(`/run/?id=${id}`);
      await expect(page.getByText('Loading loss…')).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
      await expect.poll(() => linesDrawn(page, 'loss', 400), { timeout: FIRST_LOAD_TIMEOUT }).toBe(1);
      await expect.poll(() => linesDrawn(page, 'acc', 400), { timeout: FIRST_LOAD_TIMEOUT }).toBe(1);
      const charts = await page.locator('[data-testid^="metric-chart-"]').count();
      expect(charts).toBe(2);
      const draws = await page.evaluate(() => performance.getEntriesByName('cairn:chart:draw').length);
      expect(delayed, 'the metrics doc went through the delay').toBeGreaterThan(0);
      expect(draws, 'one setOption per chart: the data').toBe(charts);
      expect(pageErrors()).toEqual([]);
    } finally {
      await ctx.close();
    }
  } finally {
    logger.kill();
  }
});

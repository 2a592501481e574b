import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { startSeriesRun } from './pages/charts';

/** The worker's fetches of metrics docs (`/docs/<ws>/run/<id>/metrics`) and when its first chart request started. */
async function workerTimeline(page: Page): Promise<{ metricsFetches: { url: string; start: number }[]; firstSeries: number | null }> {
  const worker = page.workers()[0];
  if (!worker) return { metricsFetches: [], firstSeries: null };
  return worker.evaluate(() => ({
    metricsFetches: performance
      .getEntriesByType('resource')
      .filter((r) => decodeURIComponent(r.name).includes('/docs/') && decodeURIComponent(r.name).includes('/metrics'))
      .map((r) => ({ url: decodeURIComponent(r.name), start: r.startTime })),
    firstSeries: performance.getEntriesByName('cairn:charts:series').map((m) => m.startTime).sort((a, b) => a - b)[0] ?? null,
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
 * the chart's request then finds the doc there: one fetch per doc, not two.
 */
test('[CHART-14] a cold run or compare page fetches its finished runs\u2019 metrics docs before the charts ask, once each', async ({ browser, baseURL }) => {
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
        for (const id of runs) {
          const fetches = t.metricsFetches.filter((f) => f.url.includes(`/run/${id}/metrics`));
          expect(fetches, `${path}: ${id}'s metrics doc is fetched once`).toHaveLength(1);
          expect(fetches[0]!.start, `${path}: fetched before the chart asked`).toBeLessThan(t.firstSeries!);
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

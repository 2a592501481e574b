import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { startSeriesRun } from './pages/charts';

const FINISHED = 12;

test('[CHART-2] a chart of many finished runs and one running run opens no socket per run', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const relay = new URL(baseURL!).origin;
  const logger = startSeriesRun({
    relay,
    experimentName: `sockets-${Date.now()}`,
    runName: 'many',
    keys: { loss: '1 / (1 + s)' },
    prefill: 300,
    finishedBefore: FINISHED,
    liveDelayMs: 100,
    liveMax: 2_000,
  });
  const ctx = await browser.newContext({ baseURL });
  const pageErrors = collectPageErrors(ctx);
  try {
    const ids = (await logger.runId).split(',');
    const experimentId = await logger.experimentId;
    expect(ids).toHaveLength(FINISHED + 1);
    const page = await ctx.newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`/compare/?experiment=${encodeURIComponent(experimentId)}&runs=${ids.join(',')}`);
    const chart = page.getByTestId('metric-chart-loss').getByRole('img');
    // Every run's line is drawn (the live one keeps growing).
    await expect
      .poll(
        () =>
          chart.evaluate((el) => {
            const model = (el as unknown as { cairnChart?: { getModel(): { getSeriesCount(): number; getSeriesByIndex(i: number): { id: string; getData(): { count(): number } } } } }).cairnChart?.getModel();
            if (!model) return 0;
            let n = 0;
            for (let i = 0; i < model.getSeriesCount(); i++) {
              const s = model.getSeriesByIndex(i);
              if (s.id.startsWith('line:') && s.getData().count() >= 300) n++;
            }
            return n;
          }),
        { timeout: FIRST_LOAD_TIMEOUT },
      )
      .toBe(FINISHED + 1);
    await page.waitForTimeout(1_500);
    // The workspace's socket, the running run's docs: never one per finished run.
    const runSockets = sockets.filter((u) => ids.some((id) => u.includes(id)));
    expect(sockets.length, sockets.join('\n')).toBeGreaterThan(0); // the count works: the workspace socket is seen
    expect(runSockets.filter((u) => !u.includes(ids.at(-1)!)), runSockets.join('\n')).toEqual([]);
    // …and the running run's metrics doc is live (its line grows).
    expect(runSockets.some((u) => u.includes(`${ids.at(-1)}/metrics`)), sockets.join('\n')).toBe(true);
    expect(sockets.length, sockets.join('\n')).toBeLessThanOrEqual(3);
    expect(pageErrors()).toEqual([]);
  } finally {
    logger.stop();
    logger.kill();
    await ctx.close();
  }
});

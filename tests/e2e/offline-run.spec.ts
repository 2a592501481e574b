import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { NetworkLink } from './fixtures/network-link';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentPage } from './pages/experiment-page';
import { ExperimentsPage } from './pages/experiments-page';

test('a run started offline is in the runs table at once, stays after reconnecting, and reaches the other user', async ({ browser, baseURL }) => {
  const server = new URL(baseURL!);
  const link = await NetworkLink.open(Number(server.port));
  const ctxA = await browser.newContext({ baseURL: link.origin });
  const ctxB = await browser.newContext({ baseURL });
  const pageErrors = collectPageErrors(ctxA, ctxB);
  try {
    const homeA = new ExperimentsPage(await ctxA.newPage());
    await homeA.goto();
    await homeA.header.expectSynced();
    const experiment = `offline-runs-${Date.now()}`;
    await homeA.create(experiment);
    await homeA.open(experiment);
    const a = new ExperimentPage(homeA.page);
    await expect(a.noRuns).toBeVisible();

    await ctxA.setOffline(true);
    link.cut();
    await a.header.expectDisconnected();
    const runName = `made-on-a-plane-${Date.now()}`;
    await a.startRun(runName);
    // Written on this device: the table shows it while the relay is out of reach.
    await expect(a.runLink(runName)).toBeVisible();
    await expect(a.page.getByTestId('start-run-error')).toHaveCount(0);

    link.restore();
    await ctxA.setOffline(false);
    await a.header.expectSynced();
    await expect(a.runLink(runName)).toBeVisible();
    // After a reload, from the relay's index (and this device's copy): still there.
    await a.page.reload();
    await expect(a.runLink(runName)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });

    const homeB = new ExperimentsPage(await ctxB.newPage());
    await homeB.goto();
    await homeB.open(experiment);
    const b = new ExperimentPage(homeB.page);
    await expect(b.runLink(runName)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    await b.openRun(runName);
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctxA.close();
    await ctxB.close();
    await link.close();
  }
});

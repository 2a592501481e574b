import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { NetworkLink } from './fixtures/network-link';
import { ExperimentsPage } from './pages/experiments-page';

test('an experiment created offline reaches the other user after reconnecting', async ({ browser, baseURL }) => {
  const server = new URL(baseURL!);
  // User A reaches the server through a cable the test can cut; user B is connected directly.
  const link = await NetworkLink.open(Number(server.port));
  const ctxA = await browser.newContext({ baseURL: link.origin });
  const ctxB = await browser.newContext({ baseURL });
  const pageErrors = collectPageErrors(ctxA, ctxB);
  try {
    const a = new ExperimentsPage(await ctxA.newPage());
    const b = new ExperimentsPage(await ctxB.newPage());
    await Promise.all([a.goto(), b.goto()]);
    await Promise.all([a.header.expectSynced(), b.header.expectSynced()]);

    await ctxA.setOffline(true);
    link.cut();
    await a.header.expectDisconnected();

    const offlineName = `offline-${Date.now()}`;
    await a.create(offlineName);
    await a.expectListed(offlineName);
    await expect(a.createError).toHaveCount(0);
    // While A is cut off, B has not heard of it, and B's own work does not reach A either.
    await expect(b.experimentLink(offlineName)).toHaveCount(0);
    const onlineName = `online-${Date.now()}`;
    await b.create(onlineName);
    await b.expectListed(onlineName);
    await expect(a.header.syncStatus).not.toHaveText('synced');
    await expect(a.experimentLink(onlineName)).toHaveCount(0);

    link.restore();
    await ctxA.setOffline(false);
    await a.header.expectSynced();
    await b.expectListed(offlineName);
    await a.expectListed(onlineName);
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctxA.close();
    await ctxB.close();
    await link.close();
  }
});

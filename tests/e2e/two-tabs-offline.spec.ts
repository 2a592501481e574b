import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { NetworkLink } from './fixtures/network-link';
import { ExperimentsPage } from './pages/experiments-page';

// Two tabs of one browser profile share IndexedDB but each has its own data worker: without a channel between them,
// an edit made in one tab while the relay is unreachable would only show in the other after a reload.
test('two tabs of one browser stay live with each other while the relay is unreachable', async ({ browser, baseURL }) => {
  const server = new URL(baseURL!);
  const link = await NetworkLink.open(Number(server.port));
  const ctx = await browser.newContext({ baseURL: link.origin });
  const pageErrors = collectPageErrors(ctx);
  try {
    const a = new ExperimentsPage(await ctx.newPage());
    const b = new ExperimentsPage(await ctx.newPage());
    await a.goto();
    await b.goto();
    await Promise.all([a.header.expectSynced(), b.header.expectSynced()]);

    await ctx.setOffline(true);
    link.cut();
    await Promise.all([a.header.expectDisconnected(), b.header.expectDisconnected()]);

    const name = `tab-${Date.now()}`;
    await a.create(name);
    await a.expectListed(name);
    await b.expectListed(name);

    link.restore();
    await ctx.setOffline(false);
    await Promise.all([a.header.expectSynced(), b.header.expectSynced()]);
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctx.close();
    await link.close();
  }
});

import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { NetworkLink } from './fixtures/network-link';
import { ExperimentPage } from './pages/experiment-page';
import { ExperimentsPage } from './pages/experiments-page';

/** Install + activate precaches ~2 MB; generous on a loaded CI box. */
const SW_TIMEOUT_MS = 15_000;

test('an offline reload still shows the workspace: the service worker serves the app, IndexedDB the data', async ({ browser, baseURL }) => {
  // Through a cable the test can cut, so "offline" also means the origin is gone (not only emulated).
  const link = await NetworkLink.open(Number(new URL(baseURL!).port));
  const ctx = await browser.newContext({ baseURL: link.origin });
  const pageErrors = collectPageErrors(ctx);
  try {
    const page = await ctx.newPage();
    const home = new ExperimentsPage(page);
    await home.goto();
    await home.header.expectSynced();
    const name = `reload-${Date.now()}`;
    await home.create(name);
    await home.expectListed(name);

    // The page must be controlled by the SW before the network goes (clientsClaim makes that happen without a reload).
    const swReady = await page.evaluate(
      (ms) =>
        Promise.race([
          navigator.serviceWorker.ready.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
        ]),
      SW_TIMEOUT_MS,
    );
    expect(swReady, 'a service worker is registered and active (is out/sw.js built?)').toBe(true);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: SW_TIMEOUT_MS });

    await ctx.setOffline(true);
    link.cut();
    await page.reload();
    await home.expectListed(name);
    await home.header.expectDisconnected();

    // Client-side navigation offline: the experiment page comes from the precache too.
    await home.open(name);
    await expect(new ExperimentPage(page).noRuns).toBeVisible();
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctx.close();
    await link.close();
  }
});

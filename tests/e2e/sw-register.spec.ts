import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';

/** The latest time of sw/SPEC.md SW-1 (components/sw-settle.ts): the test's scroll must end well before it. */
const LATEST_MS = 10_000;
const SCROLL_MS = 4_500;

test('[SW-1] the service worker is not registered while a person scrolls, and is once the page is quiet', async ({ browser }) => {
  const ctx = await browser.newContext();
  const pageErrors = collectPageErrors(ctx);
  try {
    const page = await ctx.newPage();
    await page.goto('/');
    // A scrollable box scrolled a little every frame for SCROLL_MS, from about when the page loaded (a smooth scroll
    // runs no long task: the old rule registered at 2 s, mid-scroll). Each frame notes whether a registration exists.
    const seen = await page.evaluate(
      (ms) =>
        new Promise<{ registeredAt: number[]; endedAt: number }>((resolve) => {
          const box = document.createElement('div');
          box.style.cssText = 'position:fixed;left:0;bottom:0;width:200px;height:100px;overflow:auto';
          box.innerHTML = '<div style="height:1000000px"></div>';
          document.body.append(box);
          const registeredAt: number[] = [];
          const end = performance.now() + ms;
          const step = () => {
            box.scrollTop += 20;
            void navigator.serviceWorker.getRegistration().then((r) => r && registeredAt.push(performance.now()));
            if (performance.now() < end) requestAnimationFrame(step);
            else setTimeout(() => resolve({ registeredAt, endedAt: performance.now() }), 50);
          };
          requestAnimationFrame(step);
        }),
      SCROLL_MS,
    );
    expect(seen.endedAt, 'the scroll ended before the latest time, so only input held the registration back').toBeLessThan(LATEST_MS - 2_000);
    expect(seen.registeredAt, 'no registration while the box scrolled').toEqual([]);
    // Quiet now: registered within the quiet time and a check or two.
    await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration()) !== undefined), { timeout: 5_000 }).toBe(true);
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctx.close();
  }
});

import { expect, test } from '@playwright/test';
import { ExperimentsPage } from './pages/experiments-page';

/*
 * components/run/SPEC.md RUNPAGE-8: dark mode follows the system, the header's switch overrides it, the choice
 * survives a reload and is applied before the first paint (the inline script, not React: checked at
 * DOMContentLoaded, before any module ran).
 */
test('[RUNPAGE-8] dark mode follows the system, the header switch overrides it, and the choice applies before first paint', async ({ page }) => {
  const home = new ExperimentsPage(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await home.goto();
  expect(await home.header.isDark()).toBe(true);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(() => home.header.isDark()).toBe(false);

  await home.header.setTheme('dark');
  expect(await home.header.isDark()).toBe(true);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).not.toBe('rgb(255, 255, 255)');
  await page.screenshot({ path: 'test-results/e2e/theme-dark-home.png', fullPage: true });

  // A reload in light system mode: dark at DOMContentLoaded already (no flash of light).
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      (window as unknown as { __darkAtLoad: boolean }).__darkAtLoad = document.documentElement.classList.contains('dark');
    });
  });
  await page.reload();
  expect(await page.evaluate(() => (window as unknown as { __darkAtLoad: boolean }).__darkAtLoad)).toBe(true);
  await expect(home.header.theme).toHaveValue('dark');

  await home.header.setTheme('light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  expect(await page.evaluate(() => (window as unknown as { __darkAtLoad: boolean }).__darkAtLoad)).toBe(false);
  await home.header.setTheme('system');
  expect(await home.header.isDark()).toBe(true);
});

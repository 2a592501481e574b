import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { ExperimentsPage } from './pages/experiments-page';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { SettingsPage } from './pages/settings-page';

test('settings are saved, shown as in effect, kept across a reload, and the name shows in presence', async ({ browser, baseURL }) => {
  const ctxA = await browser.newContext({ baseURL });
  const ctxB = await browser.newContext({ baseURL });
  const pageErrors = collectPageErrors(ctxA, ctxB);
  try {
    const settings = new SettingsPage(await ctxA.newPage());
    await settings.goto();
    await expect(settings.workspace).toHaveValue('default', { timeout: FIRST_LOAD_TIMEOUT });
    await expect(settings.effective('workspace')).toHaveText('default');
    await expect(settings.effective('relay')).toContainText(new URL(baseURL!).host);
    await settings.header.expectSynced();

    const name = `Ada ${Date.now() % 10_000}`;
    await settings.displayName.fill(name);
    await settings.saveButton.click();
    await expect(settings.message).toHaveText('Settings saved.');
    await expect(settings.effective('name')).toHaveText(name);

    await settings.page.reload();
    await expect(settings.displayName).toHaveValue(name, { timeout: FIRST_LOAD_TIMEOUT });
    await expect(settings.effective('name')).toHaveText(name);

    // Another user in the workspace sees the new name among the people present.
    const other = new ExperimentsPage(await ctxB.newPage());
    await other.goto();
    await expect(other.header.presence).toContainText(name, { timeout: FIRST_LOAD_TIMEOUT });
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test('a duplicate experiment name is refused with the message', async ({ page }) => {
  const pageErrors = collectPageErrors(page.context());
  const home = new ExperimentsPage(page);
  await home.goto();
  const name = `dup-${Date.now()}`;
  await home.create(name);
  await home.expectListed(name);
  await expect(home.nameInput).toHaveValue('');
  await home.create(name);
  await expect(home.createError).toContainText(`Experiment '${name}' already exists.`);
  await expect(home.experimentLink(name)).toHaveCount(1);
  expect(pageErrors()).toEqual([]);
});

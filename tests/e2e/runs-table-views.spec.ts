import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { seedTableExperiment } from './fixtures/seed-table';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentPage } from './pages/experiment-page';

// Saved views live in the workspace doc: one person saves, a collaborator's open page lists it live and applies it.
test('[TABLE-9] a view saved in one browser context appears in another, live, and reproduces the view there', async ({ browser, baseURL }) => {
  const { experimentId } = await seedTableExperiment(baseURL!, `table-saved-${Date.now()}`);
  const ctxA = await browser.newContext({ baseURL: baseURL! });
  const ctxB = await browser.newContext({ baseURL: baseURL! });
  const pageErrors = collectPageErrors(ctxA, ctxB);
  try {
    const a = new ExperimentPage(await ctxA.newPage());
    const b = new ExperimentPage(await ctxB.newPage());
    await a.goto(experimentId);
    await b.goto(experimentId);
    await expect(a.heading(8)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    await expect(b.heading(8)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    await b.toolbar.getByText(/^Views/).click();
    const menuB = b.toolbar.getByRole('group', { name: 'Saved views' });
    await expect(menuB).toContainText('No saved views yet.');

    await a.filter("params.opt = 'sgd'");
    await a.sortBy('metric acc');
    await expect(a.heading(3)).toBeVisible();
    await a.toolbar.getByText(/^Views/).click();
    const menuA = a.toolbar.getByRole('group', { name: 'Saved views' });
    await menuA.getByLabel('View name').fill('sgd by acc');
    await menuA.getByRole('button', { name: 'Save' }).click();
    await expect(menuA.getByTestId('saved-view')).toHaveText(/sgd by acc/);

    // B did nothing: the view arrives through the relay.
    await expect(menuB.getByTestId('saved-view')).toHaveText(/sgd by acc/, { timeout: 15_000 });
    await menuB.getByRole('button', { name: 'sgd by acc', exact: true }).click();
    await expect(b.heading(3)).toBeVisible();
    await expect(b.filterBox).toHaveValue("params.opt = 'sgd'");
    await expect.poll(() => b.runNames()).toEqual(['r1', 'r3', 'r5']);
    await expect(b.page).toHaveURL(new RegExp(`id=${experimentId}.*q=`));

    // Deleting it in B removes it from A's menu.
    await menuB.getByRole('button', { name: 'Delete view sgd by acc' }).click();
    await expect(menuA.getByTestId('saved-view')).toHaveCount(0, { timeout: 15_000 });
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test('[TABLE-16] a saved view is renamed in place (no browser prompt): Enter saves, Escape leaves the name and the menu open', async ({ page, baseURL }) => {
  const pageErrors = collectPageErrors(page.context());
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.dismiss();
  });
  const { experimentId } = await seedTableExperiment(baseURL!, `table-rename-view-${Date.now()}`);
  const exp = new ExperimentPage(page);
  await exp.goto(experimentId);
  await expect(exp.heading(8)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
  await exp.filter("params.opt = 'sgd'");
  await expect(exp.heading(3)).toBeVisible();
  await exp.openViews();
  await exp.saveView('sgd runs');

  await exp.viewsMenu.getByRole('button', { name: 'Rename view sgd runs' }).click();
  const input = exp.viewsMenu.getByLabel('New name for view sgd runs');
  await expect(input).toBeFocused();
  await expect(input).toHaveValue('sgd runs');
  await page.keyboard.type('sgd only');
  await page.keyboard.press('Enter');
  await expect(exp.viewsMenu.getByRole('button', { name: 'sgd only', exact: true })).toBeVisible();
  await expect(exp.viewsMenu.getByTestId('saved-view')).toHaveCount(1);
  await expect(exp.viewsMenu.getByRole('button', { name: 'Rename view sgd only' })).toBeFocused();

  // Escape: the rename ends, the name stays, the menu stays open.
  await exp.viewsMenu.getByRole('button', { name: 'Rename view sgd only' }).click();
  await page.keyboard.type('something else');
  await page.keyboard.press('Escape');
  await expect(exp.viewsMenu).toBeVisible();
  await expect(exp.viewsMenu.getByRole('button', { name: 'sgd only', exact: true })).toBeVisible();
  await expect(exp.viewsMenu.getByLabel('New name for view sgd only')).toHaveCount(0);

  // The renamed view still applies; Delete removes it.
  await exp.filter('');
  await expect(exp.heading(8)).toBeVisible();
  await exp.openViewsIfClosed();
  await exp.viewsMenu.getByRole('button', { name: 'sgd only', exact: true }).click();
  await expect(exp.heading(3)).toBeVisible();
  await exp.openViewsIfClosed();
  await exp.viewsMenu.getByRole('button', { name: 'Delete view sgd only' }).click();
  await expect(exp.viewsMenu.getByTestId('saved-view')).toHaveCount(0);
  expect(dialogs).toEqual([]);
  expect(pageErrors()).toEqual([]);
});

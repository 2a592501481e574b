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

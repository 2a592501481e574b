import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentsPage } from './pages/experiments-page';

/*
 * components/run/SPEC.md RUNPAGE-6, RUNPAGE-7: an experiment renamed, described, tagged and deleted from its page,
 * found in the experiments list's deleted view and restored from there; a second person's list follows live.
 */
test('[RUNPAGE-6][RUNPAGE-7] experiment rename, description, tags, delete, and restore from the deleted view', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const users = await Promise.all([browser.newContext({ baseURL }), browser.newContext({ baseURL })]);
  const pageErrors = collectPageErrors(...users);
  try {
    const [a, b] = await Promise.all(users.map((c) => c.newPage()));
    const [ha, hb] = [new ExperimentsPage(a!), new ExperimentsPage(b!)];
    await Promise.all([ha.goto(), hb.goto()]);
    const name = `manage-${Date.now()}`;
    const renamed = `${name}-renamed`;
    await ha.create(name);
    await ha.expectListed(name);
    await hb.expectListed(name);
    await ha.open(name);

    // Rename from the header; the other person's list shows the new name.
    await a!.getByRole('button', { name: 'Rename', exact: true }).click();
    await a!.getByLabel('New experiment name').fill(renamed);
    await a!.getByLabel('New experiment name').press('Enter');
    await expect(a!.getByRole('heading', { name: renamed, level: 1 })).toBeVisible();
    await hb.expectListed(renamed);

    // Description (the mlflow.note.content tag) and a tag.
    await a!.getByRole('button', { name: 'Add description' }).click();
    await a!.getByRole('form', { name: 'Edit description' }).getByLabel('Description').fill('Baseline sweep for the ranking model.');
    await a!.getByRole('button', { name: 'Save description' }).click();
    await expect(a!.getByTestId('description')).toHaveText('Baseline sweep for the ranking model.');
    await expect(hb.row(renamed)).toContainText('Baseline sweep for the ranking model.', { timeout: FIRST_LOAD_TIMEOUT });
    await a!.getByText(/^Experiment tags/).click();
    const addTag = a!.getByRole('form', { name: 'Add experiment tag' });
    await addTag.getByLabel('New tag key').fill('owner');
    await addTag.getByLabel('New tag value').fill('search-team');
    await addTag.getByRole('button', { name: 'Add tag' }).click();
    await expect(a!.getByRole('table', { name: 'Experiment tags' })).toContainText('search-team');

    // Delete: gone from the active list, listed in the deleted view, restored from there.
    await a!.getByRole('button', { name: 'Delete experiment' }).click();
    await expect(a!.getByTestId('experiment-deleted')).toBeVisible();
    await expect(hb.experimentLink(renamed)).toHaveCount(0, { timeout: FIRST_LOAD_TIMEOUT });
    await hb.showDeleted();
    await expect(hb.experimentLink(renamed)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    await hb.restore(renamed);
    await expect(hb.experimentLink(renamed)).toHaveCount(0, { timeout: FIRST_LOAD_TIMEOUT });
    await expect(a!.getByTestId('experiment-deleted')).toHaveCount(0, { timeout: FIRST_LOAD_TIMEOUT });
    await hb.showActive();
    await hb.expectListed(renamed);
    await expect(hb.row(renamed)).toContainText('owner=search-team');

    // Delete from the list too: it moves to the deleted view.
    await hb.row(renamed).getByRole('button', { name: 'Delete experiment' }).click();
    await expect(hb.experimentLink(renamed)).toHaveCount(0, { timeout: FIRST_LOAD_TIMEOUT });
    await hb.showDeleted();
    await expect(hb.experimentLink(renamed)).toBeVisible();
    await hb.restore(renamed);
    await hb.showActive();

    // Keyboard: the Active/Deleted switch is reachable and works with the keyboard.
    await hb.page.getByRole('button', { name: 'Deleted', exact: true }).focus();
    await hb.page.keyboard.press('Enter');
    await expect(hb.page.getByRole('button', { name: 'Deleted', exact: true })).toHaveAttribute('aria-pressed', 'true');
    expect(pageErrors()).toEqual([]);
  } finally {
    await Promise.all(users.map((u) => u.close()));
  }
});

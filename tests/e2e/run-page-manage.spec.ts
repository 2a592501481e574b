import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { RunPage } from './pages/run-page';

/*
 * components/run/SPEC.md RUNPAGE-1..4 in the real app: the overview of a nested run logged by the Node SDK (source,
 * git commit, parent link, children), then tag editing, rename, delete and restore from the run page, each change
 * seen by a second person's page live.
 */
test('[RUNPAGE-1][RUNPAGE-2][RUNPAGE-3][RUNPAGE-4] run overview with parent and children; tags added, edited and deleted; rename, delete and restore', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const relay = new URL(baseURL!).origin;
  const data = tempDir('cairn-runmanage-');
  const users = await Promise.all([browser.newContext({ baseURL }), browser.newContext({ baseURL })]);
  const pageErrors = collectPageErrors(...users);
  try {
    const client = await connect({ relay, workspace: 'default', dataDir: data.path });
    const experimentId = await client.createExperiment(`run-manage-${Date.now()}`);
    const commit = '0123456789abcdef0123456789abcdef01234567';
    const parent = await client.startRun({
      experimentId,
      runName: 'sweep',
      tags: { 'mlflow.source.name': 'train.py', 'mlflow.source.type': 'LOCAL', 'mlflow.source.git.commit': commit, team: 'e2e' },
    });
    const kids = [];
    for (const name of ['trial-1', 'trial-2']) kids.push(await client.startRun({ experimentId, runName: name, parentRunId: parent.id }));
    for (const k of kids) await k.end();
    await parent.end();
    await client.flush();
    await client.close();

    const [a, b] = await Promise.all(users.map((c) => c.newPage()));
    const [ra, rb] = [new RunPage(a!), new RunPage(b!)];
    await ra.goto(parent.id);
    await expect(ra.name).toHaveText('sweep', { timeout: FIRST_LOAD_TIMEOUT });

    // RUNPAGE-1, RUNPAGE-2: source, commit, children linked; a child's page links back to its parent.
    await expect(ra.overview.getByTestId('run-source')).toContainText('train.py');
    await expect(ra.overview.getByTestId('run-source')).toContainText('(LOCAL)');
    await expect(ra.overview.getByTestId('run-commit')).toContainText(commit.slice(0, 10));
    const children = ra.overview.getByTestId('run-children');
    await expect(children).toContainText('Child runs (2)', { timeout: FIRST_LOAD_TIMEOUT });
    await children.getByRole('link', { name: 'trial-1' }).click();
    await expect(ra.name).toHaveText('trial-1', { timeout: FIRST_LOAD_TIMEOUT });
    await ra.overview.getByTestId('run-parent').getByRole('link', { name: 'sweep' }).click();
    await expect(ra.name).toHaveText('sweep', { timeout: FIRST_LOAD_TIMEOUT });

    await rb.goto(parent.id);
    await expect(rb.name).toHaveText('sweep', { timeout: FIRST_LOAD_TIMEOUT });

    // RUNPAGE-4: add, edit, delete a tag; mlflow.* tags muted; B sees each change live.
    await expect(ra.tagRow('mlflow.source.name')).toHaveClass(/text-stone-400/);
    await ra.addTag('stage', 'draft');
    await expect(rb.tagRow('stage')).toContainText('draft', { timeout: FIRST_LOAD_TIMEOUT });
    await ra.editTag('stage', 'final');
    await expect(rb.tagRow('stage')).toContainText('final', { timeout: FIRST_LOAD_TIMEOUT });
    await ra.deleteTag('team');
    await expect(rb.tagRow('team')).toHaveCount(0, { timeout: FIRST_LOAD_TIMEOUT });
    await expect(ra.tagRow('stage')).toContainText('final');

    // RUNPAGE-3: rename, delete, restore.
    await ra.rename('sweep-renamed');
    await expect(rb.name).toHaveText('sweep-renamed', { timeout: FIRST_LOAD_TIMEOUT });
    await expect(rb.tagRow('mlflow.runName')).toContainText('sweep-renamed');
    await a!.getByRole('button', { name: 'Delete run' }).click();
    await expect(rb.page.getByTestId('run-deleted')).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    await expect(ra.page.getByRole('form', { name: 'Add tag' })).toHaveCount(0);
    await ra.page.getByRole('button', { name: 'Restore run' }).click();
    await expect(rb.page.getByTestId('run-deleted')).toHaveCount(0, { timeout: FIRST_LOAD_TIMEOUT });
    expect(pageErrors()).toEqual([]);
  } finally {
    await Promise.all(users.map((u) => u.close()));
    data.remove();
  }
});

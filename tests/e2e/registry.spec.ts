import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { NetworkLink } from './fixtures/network-link';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { AppHeader, FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { RegistryPages } from './pages/registry-pages';
import { RunPage } from './pages/run-page';

/*
 * components/registry/SPEC.md in the real app: two runs logged by the Node SDK with a model folder each (MLflow 3.6's
 * own MLmodel and input example, tests/unit/fixtures/mlmodel-samples); registered from the run page, numbered by the
 * relay, moved through stages with archive-existing, aliased, compared; a second browser sees it all and edits too.
 */

const SAMPLE = 'tests/unit/fixtures/mlmodel-samples/sklearn-logreg';
const file = (name: string) => new Uint8Array(readFileSync(`${SAMPLE}/${name}`));

/** Registers a run's `model` folder from its run page under `name`; returns once the page links the new version. */
async function registerFromRunPage(page: Page, runId: string, name: string): Promise<void> {
  const rp = new RunPage(page);
  await rp.goto(runId);
  await expect(rp.folderToggle('model')).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
  await page.getByRole('button', { name: 'Register model model' }).click();
  const form = page.getByRole('form', { name: 'Register model as a model version' });
  await form.getByLabel('Model name').fill(name);
  await form.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByTestId('registered')).toBeVisible();
}

test('[REGUI-1][REGUI-2][REGUI-3][REGUI-4][REGUI-5][REGUI-6][REGUI-7][REGUI-8][REGUI-9][REGUI-10] register from a run, numbered by the relay, stage with archive, alias, history, signature, compare; a second browser sees and edits the same', async ({ browser, baseURL }) => {
  test.setTimeout(150_000);
  const data = tempDir('cairn-registry-');
  const client = await connect({ relay: baseURL!, workspace: 'default', dataDir: data.path });
  const users = await Promise.all([browser.newContext({ baseURL }), browser.newContext({ baseURL })]);
  const pageErrors = collectPageErrors(...users);
  const name = `iris-${Date.now()}`;
  try {
    const experimentId = await client.createExperiment(`registry-${Date.now()}`);
    const runIds: string[] = [];
    for (const [i, lr] of ['0.1', '0.2'].entries()) {
      const run = await client.startRun({ experimentId, runName: `train-${i}` });
      run.logParams({ lr });
      run.logMetric('acc', 0.8 + i / 10, { step: 0 });
      for (const f of ['MLmodel', 'input_example.json', 'model.pkl']) await run.logArtifact(`model/${f}`, file(f));
      await run.end();
      runIds.push(run.id);
    }
    await client.flush();
    const [a, b] = await Promise.all(users.map((c) => c.newPage()));
    const ann = new RegistryPages(a!);
    const bob = new RegistryPages(b!);

    // REGUI-9: the run page's model folder registers a new model; the version is pending here, then the relay numbers it
    // (REGUI-7): the version page opened by id shows v1 without a reload.
    await registerFromRunPage(a!, runIds[0]!, name);
    await a!.getByTestId('registered').getByRole('link').click();
    await expect(ann.versionNumber).toHaveText('v1', { timeout: FIRST_LOAD_TIMEOUT });
    expect(a!.url()).toContain('&id=');
    await expect(a!.getByTestId('version-source')).toHaveText(`runs:/${runIds[0]}/model`);
    await expect(a!.getByTestId('source-run')).toHaveAttribute('href', `/run/?id=${runIds[0]}`);
    // The second run's folder goes into the same (existing) model: v2.
    await registerFromRunPage(a!, runIds[1]!, name);
    await a!.getByTestId('registered').getByRole('link').click();
    await expect(ann.versionNumber).toHaveText('v2', { timeout: FIRST_LOAD_TIMEOUT });

    // REGUI-5: the signature from the source folder's MLmodel; the input example it names.
    await expect(ann.signatureRows('inputs')).toHaveText([/f1\s*double\s*—\s*required/, /f2\s*double\s*—\s*required/]);
    await expect(ann.signatureRows('outputs')).toHaveText([/\[0\]\s*Tensor \(int64\)\s*\(-1\)/]);
    await expect(a!.getByTestId('input-example')).toContainText('"columns": [');

    // REGUI-4: v2 to Production, then v1 to Production archiving the others: v2 is Archived.
    await ann.transition('Production', false);
    await expect(ann.stage).toHaveText('Production');
    // REGUI-3: an alias on v2, refused reserved names, then moved to v1 (the button says from where).
    await (await ann.typeAlias('champion')).click();
    await expect(ann.aliasChips).toHaveText(['@champion×']);
    await (await ann.typeAlias('latest')).click();
    await expect(a!.getByTestId('alias-error')).toContainText("'latest' alias name (case insensitive) is reserved.");
    await (await ann.typeAlias('v7')).click();
    await expect(a!.getByTestId('alias-error')).toContainText("Version alias name 'v7' is reserved.");

    await ann.gotoVersion(name, 1);
    await ann.transition('Production', true);
    await expect(ann.stage).toHaveText('Production');
    const move = await ann.typeAlias('champion');
    await expect(move).toHaveText('Move alias from v2');
    await move.click();
    await expect(ann.aliasChips).toHaveText(['@champion×']);
    // REGUI-6: who, when, what, from → to, newest first.
    await expect(ann.historyRows.first()).toHaveAttribute('data-kind', 'alias.set');
    await expect(ann.historyRows.first()).toContainText('v2 → v1');
    const stageRow = ann.historyRows.filter({ hasText: 'None → Production' });
    await expect(stageRow).toHaveAttribute('data-outcome', 'current');
    await expect(ann.historyRows.filter({ hasText: 'numbered by the relay' })).toHaveCount(1);
    await expect(ann.historyRows.filter({ has: a!.getByTestId('history-lost') })).toHaveCount(0);

    // The version's own description and tags (REGUI-2's editors, reused on the version page).
    await a!.getByRole('button', { name: 'Add description' }).click();
    await a!.getByRole('textbox', { name: 'Description' }).fill('First good one');
    await a!.getByRole('button', { name: 'Save description' }).click();
    await expect(a!.getByTestId('description')).toHaveText('First good one');
    const versionTag = a!.getByRole('form', { name: 'Add tag' });
    await versionTag.getByLabel('New tag key').fill('validated');
    await versionTag.getByLabel('New tag value').fill('yes');
    await versionTag.getByRole('button', { name: 'Add tag' }).click();
    await expect(a!.getByTestId('version-tags').getByTestId('tag-row')).toHaveText([/validated\s*yes/]);

    // REGUI-2: the model page: versions with stage, aliases, source run; description and tags edited in place.
    await ann.gotoModel(name);
    await expect(ann.versionRow('v1')).toContainText('Production');
    await expect(ann.versionRow('v1')).toContainText('@champion');
    await expect(ann.versionRow('v1')).toContainText('First good one');
    await expect(ann.versionRow('v2')).toContainText('Archived');
    await expect(ann.versionRow('v2').getByTestId('source-run')).toHaveAttribute('href', `/run/?id=${runIds[1]}`);
    await a!.getByRole('button', { name: 'Add description' }).click();
    await a!.getByRole('textbox', { name: 'Description' }).fill('Iris classifier');
    await a!.getByRole('button', { name: 'Save description' }).click();
    await expect(a!.getByTestId('description')).toHaveText('Iris classifier');

    // REGUI-10: Bob, in another browser, sees all of it without a reload and adds a tag that Ann sees appear.
    await bob.gotoVersion(name, 1);
    await expect(bob.stage).toHaveText('Production');
    await expect(bob.aliasChips).toHaveText(['@champion×']);
    await expect(bob.signatureRows('inputs')).toHaveCount(2);
    await bob.gotoModel(name);
    await expect(b!.getByTestId('description')).toHaveText('Iris classifier');
    const addTag = b!.getByRole('form', { name: 'Add tag' });
    await addTag.getByLabel('New tag key').fill('team');
    await addTag.getByLabel('New tag value').fill('vision');
    await addTag.getByRole('button', { name: 'Add tag' }).click();
    await expect(a!.getByTestId('model-tags').getByTestId('tag-row')).toHaveText([/team\s*vision/]);

    // REGUI-8: choose two versions on the model page and compare them: params and metrics side by side, the schema.
    await a!.getByRole('checkbox', { name: 'Select v1' }).check();
    await a!.getByRole('checkbox', { name: 'Select v2' }).check();
    await a!.getByRole('link', { name: 'Compare 2 versions' }).click();
    const params = a!.getByRole('table', { name: 'Parameters' });
    await expect(params.locator('[data-key="lr"]')).toHaveText(/lr\s*0\.1\s*0\.2/, { timeout: FIRST_LOAD_TIMEOUT });
    await expect(params.locator('[data-key="lr"]')).toHaveAttribute('data-differs', 'true');
    await expect(a!.getByRole('table', { name: 'Metrics' }).locator('[data-key="acc"]')).toHaveText(/acc\s*0\.8\s*0\.9/);
    await expect(a!.getByRole('table', { name: 'Schema' }).locator('[data-key="inputs: f1"]')).toHaveAttribute('data-differs', 'false');

    // REGUI-1: the list: latest per stage, alias chips, tags; the search box filters; "Create model" and its refusal.
    await ann.gotoModels();
    const row = ann.modelRow(name);
    await expect(row.getByTestId('latest-version')).toHaveText(['Productionv1', 'Archivedv2']);
    await expect(row.getByTestId('alias-chip')).toHaveText(['@champion']);
    await expect(row).toContainText('team=vision');
    const create = a!.getByRole('form', { name: 'Create model' });
    await create.getByLabel('Model name').fill(`${name}-scratch`);
    await create.getByRole('button', { name: 'Create model' }).click();
    await expect(ann.modelRow(`${name}-scratch`)).toBeVisible();
    await create.getByLabel('Model name').fill(name);
    await create.getByRole('button', { name: 'Create model' }).click();
    await expect(a!.getByTestId('create-model-error')).toHaveText(`Registered Model (name=${name}) already exists.`);
    await a!.getByLabel('Search models').fill('scratch');
    await expect(a!.getByTestId('model-row')).toHaveCount(1);
    await expect(ann.modelRow(`${name}-scratch`)).toBeVisible();

    // REGUI-2: rename, then delete after confirming; Bob's list loses it too.
    await bob.gotoModels();
    await expect(bob.modelRow(`${name}-scratch`)).toBeVisible();
    await ann.gotoModel(`${name}-scratch`);
    await a!.getByRole('button', { name: 'Rename', exact: true }).click();
    await a!.getByLabel('New model name').fill(`${name}-tmp`);
    await a!.getByLabel('New model name').press('Enter');
    await expect(a!.getByTestId('model-name')).toHaveText(`${name}-tmp`);
    await expect(bob.modelRow(`${name}-tmp`)).toBeVisible();
    await a!.getByRole('button', { name: 'Delete model' }).click();
    await a!.getByRole('alertdialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(a!).toHaveURL(/\/models\/$/);
    await expect(bob.modelRow(`${name}-tmp`)).toHaveCount(0);
    await expect(bob.modelRow(name)).toBeVisible();

    expect(pageErrors()).toEqual([]);
  } finally {
    await client.close();
    await Promise.all(users.map((c) => c.close()));
    data.remove();
  }
});

/** Install + activate of the service worker precache on a loaded box (tests/e2e/offline-reload.spec.ts). */
const SW_TIMEOUT_MS = 15_000;

test('[REGUI-2][REGUI-6][REGUI-7][REG-V3] offline: a version registered without the relay shows pending, then its number; an alias moved concurrently shows the lost move; twin model names are flagged', async ({ browser, baseURL }) => {
  test.setTimeout(150_000);
  const data = tempDir('cairn-registry-offline-');
  const client = await connect({ relay: baseURL!, workspace: 'default', dataDir: data.path });
  // Bob reaches the server through a cable the test can cut; Ann directly.
  const link = await NetworkLink.open(Number(new URL(baseURL!).port));
  const ctxA = await browser.newContext({ baseURL });
  const ctxB = await browser.newContext({ baseURL: link.origin });
  const pageErrors = collectPageErrors(ctxA, ctxB);
  const name = `offline-${Date.now()}`;
  try {
    const experimentId = await client.createExperiment(`registry-offline-${Date.now()}`);
    const run = await client.startRun({ experimentId, runName: 'train' });
    for (const f of ['MLmodel', 'input_example.json']) await run.logArtifact(`model/${f}`, file(f));
    await run.end();
    await client.flush();
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const ann = new RegistryPages(a);
    const bob = new RegistryPages(b);
    // v1 and v2 from the same folder; @champion on v1.
    await registerFromRunPage(a, run.id, name);
    await registerFromRunPage(a, run.id, name);
    await ann.gotoVersion(name, 2);
    await ann.gotoVersion(name, 1);
    await (await ann.typeAlias('champion')).click();
    await expect(ann.aliasChips).toHaveText(['@champion×']);

    // Bob opens the run page online (its run doc is then on his device) with the service worker in control.
    await new RunPage(b).goto(run.id);
    await expect(new RunPage(b).folderToggle('model')).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    const bobHeader = new AppHeader(b);
    await bobHeader.expectSynced();
    await b.evaluate((ms) => Promise.race([navigator.serviceWorker.ready, new Promise((r) => setTimeout(r, ms))]), SW_TIMEOUT_MS);
    await b.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: SW_TIMEOUT_MS });
    await ctxB.setOffline(true);
    link.cut();
    await bobHeader.expectDisconnected();

    // REGUI-2: Ann and Bob each create a model named "<name>-twin", Bob still offline (the header's link: a client-side
    // navigation served by the service worker; a full load offline would start without the relay's config).
    const twin = `${name}-twin`;
    await ann.gotoModels();
    await b.getByRole('navigation').getByRole('link', { name: 'Models', exact: true }).click();
    await expect(b.getByRole('heading', { name: 'Models' })).toBeVisible();
    for (const p of [ann, bob]) {
      const create = p.page.getByRole('form', { name: 'Create model' });
      await create.getByLabel('Model name').fill(twin);
      await create.getByRole('button', { name: 'Create model' }).click();
      await expect(p.modelRow(twin)).toHaveCount(1);
    }
    await b.goBack();
    await expect(new RunPage(b).folderToggle('model')).toBeVisible();

    // REGUI-7: offline, the registration is written on Bob's device: pending, PENDING_REGISTRATION, no number.
    await b.getByRole('button', { name: 'Register model model' }).click();
    const form = b.getByRole('form', { name: 'Register model as a model version' });
    await form.getByLabel('Model name').fill(name);
    await form.getByRole('button', { name: 'Register' }).click();
    await b.getByTestId('registered').getByRole('link').click();
    await expect(bob.versionNumber).toHaveText('pending', { timeout: FIRST_LOAD_TIMEOUT });
    await expect(b.getByText('PENDING_REGISTRATION')).toBeVisible();
    // REG-V3: offline and still pending, it is staged like any version; the stage goes with it when it is numbered.
    await bob.transition('Staging', false);
    await expect(bob.stage).toHaveText('Staging');
    // A pending version takes an alias (REG-A2): Bob moves @champion to it while Ann, online, moves it to v2.
    const move = await bob.typeAlias('champion');
    await expect(move).toHaveText('Move alias from v1');
    await move.click();
    await expect(bob.aliasChips).toHaveText(['@champion×']);
    await ann.gotoVersion(name, 2);
    await (await ann.typeAlias('champion')).click();
    await expect(ann.aliasChips).toHaveText(['@champion×']);
    // Back online: the relay numbers Bob's version (v3) and his page shows it without a reload.
    link.restore();
    await ctxB.setOffline(false);
    await bobHeader.expectSynced();
    await expect(bob.versionNumber).toHaveText('v3', { timeout: FIRST_LOAD_TIMEOUT });
    await expect(b.getByText('PENDING_REGISTRATION')).toHaveCount(0);
    await expect(bob.stage).toHaveText('Staging');

    // REGUI-6: both moves stay in the history, one of them marked lost; both browsers agree on where @champion is.
    // REGUI-2: both twins are kept; the later one is marked in the list, and the name's owner says so in a banner
    // until it is renamed, which makes the other one the name's owner.
    await bob.gotoModels();
    await expect(bob.modelRow(twin)).toHaveCount(2, { timeout: FIRST_LOAD_TIMEOUT });
    await expect(bob.modelRow(twin).getByTestId('name-conflict')).toHaveCount(1);
    await ann.gotoModel(twin);
    await expect(a.getByTestId('name-conflict-banner')).toContainText(`Another model named ${twin} was created at the same time`);
    await a.getByRole('button', { name: 'Rename', exact: true }).click();
    await a.getByLabel('New model name').fill(`${twin}-a`);
    await a.getByLabel('New model name').press('Enter');
    await expect(a.getByTestId('model-name')).toHaveText(`${twin}-a`);
    await expect(a.getByTestId('name-conflict-banner')).toHaveCount(0);
    await expect(bob.modelRow(twin)).toHaveCount(1);
    await expect(bob.modelRow(twin).getByTestId('name-conflict')).toHaveCount(0);

    await ann.gotoModel(name);
    await bob.gotoModel(name);
    for (const p of [ann, bob]) {
      await expect(p.historyRows.filter({ has: p.page.getByTestId('history-lost') })).toHaveCount(1);
      await expect(p.historyRows.filter({ has: p.page.getByTestId('history-lost') })).toHaveAttribute('data-kind', 'alias.set');
      await expect(p.versionRow('v3')).toBeVisible();
    }
    const holder = async (p: RegistryPages) => {
      for (const v of ['v1', 'v2', 'v3']) if ((await p.versionRow(v).getByTestId('alias-chip').count()) > 0) return v;
      return null;
    };
    await expect.poll(() => holder(ann)).toMatch(/^v[23]$/);
    expect(await holder(bob)).toBe(await holder(ann));
    expect(pageErrors()).toEqual([]);
  } finally {
    await client.close();
    await ctxA.close();
    await ctxB.close();
    await link.close();
    data.remove();
  }
});

import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ChartView } from './pages/charts';
import { DashboardsPage } from './pages/dashboards-page';

// Two people on one experiment's dashboards: what one adds, moves or removes shows up for the other, live.
test('[BOARD-L1] a dashboard card added in one browser appears in another, and so do its moves', async ({ browser, baseURL }) => {
  const data = tempDir('cairn-boards-');
  const client = await connect({ relay: baseURL!, workspace: 'default', dataDir: data.path });
  const users = await Promise.all([browser.newContext({ baseURL }), browser.newContext({ baseURL })]);
  const pageErrors = collectPageErrors(...users);
  try {
    const experimentId = await client.createExperiment(`boards-${Date.now()}`);
    for (const [i, acc] of [0.7, 0.9].entries()) {
      const run = await client.startRun({ experimentId, runName: `board-run-${i}` });
      run.logParams({ lr: String(0.1 / (i + 1)) });
      run.logMetric('acc', acc, { step: 0 });
      await run.end();
    }
    await client.flush();
    const [a, b] = await Promise.all(users.map((c) => c.newPage()));
    const ann = new DashboardsPage(a!);
    const bob = new DashboardsPage(b!);
    await Promise.all([ann.goto(experimentId), bob.goto(experimentId)]);
    await expect(b!.getByTestId('boards-empty')).toBeVisible();

    await ann.createBoard('Team board');
    await ann.addCard({ chart: 'Bar of latest values', title: 'Accuracy', metric: 'acc' });
    await expect(ann.card('Accuracy').getByTestId('bar-chart')).toHaveAttribute('data-drawn', '2', { timeout: FIRST_LOAD_TIMEOUT });

    // Bob sees the new dashboard in the list without reloading, opens it, and sees Ann's card drawn.
    await bob.boardLink('Team board').click({ timeout: FIRST_LOAD_TIMEOUT });
    await expect(bob.card('Accuracy').locator('canvas').first()).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    await expect(bob.card('Accuracy').getByTestId('bar-chart')).toHaveAttribute('data-drawn', '2');

    // Ann adds a second card while Bob watches; then each moves a different card at the same time: both moves stay.
    await ann.addCard({ chart: 'Runs table', title: 'Top runs', metric: 'acc' });
    await expect(bob.card('Top runs')).toBeVisible();
    await expect(bob.card('Top runs').getByRole('link', { name: 'board-run-1' })).toBeVisible();
    expect(await bob.rect('Top runs')).toBe('0,4,6,4');
    await Promise.all([
      ann.card('Accuracy').getByRole('button', { name: /^Move card Accuracy/ }).press('ArrowRight'),
      bob.card('Top runs').getByRole('button', { name: /^Move card Top runs/ }).press('ArrowDown'),
    ]);
    for (const who of [ann, bob]) {
      await expect.poll(() => who.rect('Accuracy')).toBe('1,0,6,4');
      await expect.poll(() => who.rect('Top runs')).toBe('0,5,6,4');
    }

    // Dragging a card's corner resizes it on the grid, for both.
    const corner = ann.card('Accuracy').locator('span.cursor-se-resize');
    const box = (await corner.boundingBox())!;
    const cell = ((await ann.page.getByTestId('board-grid').boundingBox())!.width + 12) / 12;
    await ann.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await ann.page.mouse.down();
    await ann.page.mouse.move(box.x + box.width / 2 + cell * 2, box.y + box.height / 2 + 84, { steps: 5 });
    await ann.page.mouse.up();
    for (const who of [ann, bob]) await expect.poll(() => who.rect('Accuracy')).toBe('1,0,8,5');

    // Dragging a card's title bar moves it, snapped to cells (Top runs sits under Accuracy, which now reaches row 5).
    const handle = bob.card('Top runs').getByRole('button', { name: /^Move card Top runs/ });
    const hb = (await handle.boundingBox())!;
    await bob.page.mouse.move(hb.x + 20, hb.y + hb.height / 2);
    await bob.page.mouse.down();
    await bob.page.mouse.move(hb.x + 20 + cell * 3.2, hb.y + hb.height / 2 + 84 * 2, { steps: 6 });
    await bob.page.mouse.up();
    for (const who of [ann, bob]) await expect.poll(() => who.rect('Top runs')).toBe('3,7,6,4');

    // A line card draws the metric over the card's runs for both.
    await ann.addCard({ chart: 'Line over runs', title: 'Acc lines', metric: 'acc' });
    for (const who of [ann, bob]) {
      const line = new ChartView(who.page, 'acc');
      await line.expectDrawn();
      await expect.poll(async () => (await line.drawn()).filter((s) => s.id.startsWith('line:')).length).toBe(2);
    }

    // Removing a card is seen too.
    await bob.card('Top runs').getByRole('button', { name: 'Remove card Top runs' }).click();
    await expect(ann.card('Top runs')).toHaveCount(0);

    // A second dashboard; renaming and deleting one are seen by the other person too.
    await bob.createBoard('Scratch');
    await expect(ann.boardLink('Scratch')).toBeVisible();
    await bob.page.getByRole('button', { name: 'Rename' }).click();
    await bob.page.getByRole('form', { name: 'Rename dashboard' }).getByLabel('Dashboard name').fill('Scratch pad');
    await bob.page.getByRole('button', { name: 'Save' }).click();
    await expect(ann.boardLink('Scratch pad')).toBeVisible();
    await bob.page.getByRole('button', { name: 'Delete dashboard' }).click();
    await bob.page.getByRole('group', { name: 'Confirm delete' }).getByRole('button', { name: 'Delete' }).click();
    await expect(ann.boardLink('Scratch pad')).toHaveCount(0);
    await expect(ann.boardLink('Team board')).toBeVisible();
    await expect(bob.page.getByTestId('board-name')).toHaveText('Team board');
    expect(pageErrors()).toEqual([]);
  } finally {
    await client.close();
    await Promise.all(users.map((c) => c.close()));
    data.remove();
  }
});

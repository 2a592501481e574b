import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/page-errors';
import { seedTableExperiment } from './fixtures/seed-table';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentPage } from './pages/experiment-page';

// The runs table's view: sort, nesting, pins, grouping, selection, the URL (components/runs-table/SPEC.md).

test('[TABLE-6] [TABLE-7] [TABLE-11] [TABLE-12] [TABLE-8] sort, expand, pin, group and select; a reload reproduces the view from the URL', async ({ page, baseURL }) => {
  const pageErrors = collectPageErrors(page.context());
  const { experimentId, runIds } = await seedTableExperiment(baseURL!, `table-view-${Date.now()}`);
  const exp = new ExperimentPage(page);
  await exp.goto(experimentId);
  await expect(exp.heading(8)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
  // Newest first; the child sits under its (collapsed) parent.
  await expect.poll(() => exp.runNames()).toEqual(['odd, "quoted"', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
  await expect(exp.runRow('r3').getByTestId('run-swatch')).toHaveCSS('background-color', /rgb\(/);

  await exp.sortBy('metric acc');
  await expect(exp.runsTable.getByRole('columnheader', { name: 'metric acc' })).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(() => exp.runNames()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'odd, "quoted"']);
  await exp.sortBy('metric acc');
  await expect.poll(() => exp.runNames()).toEqual(['odd, "quoted"', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0']);

  await exp.runRow('r0').getByRole('button', { name: /^Expand r0/ }).click();
  await expect.poll(() => exp.runNames()).toEqual(['odd, "quoted"', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0', 'child-a']);

  await exp.runRow('r2').getByRole('button', { name: 'Pin r2' }).click();
  await expect.poll(() => exp.runNames()).toEqual(['r2', 'odd, "quoted"', 'r5', 'r4', 'r3', 'r1', 'r0', 'child-a']);
  await expect(page).toHaveURL(new RegExp(`pin=${runIds.r2}`));

  // Select r5, shift-click r3: r5, r4, r3 selected; Compare links them.
  await exp.runRow('r5').getByRole('checkbox').click();
  await exp.runRow('r3').getByRole('checkbox').click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('selected-count')).toHaveText('3 selected');
  const compare = exp.toolbar.getByRole('link', { name: 'Compare' });
  await expect(compare).toHaveAttribute('href', `/compare/?experiment=${experimentId}&runs=${[runIds.r5, runIds.r4, runIds.r3].join(',')}`);

  await exp.groupBy('param opt');
  const groups = exp.runsTable.getByTestId('group-row');
  await expect(groups).toHaveCount(2);
  // Pinned r2 stays on top; adam = odd, r4, r0, child-a (r2 pinned above), sgd = r5, r3, r1.
  await expect(groups.nth(0)).toContainText('param opt = adam (4 runs)');
  await expect(groups.nth(1)).toContainText('param opt = sgd (3 runs)');
  // acc over adam's grouped runs: 0.6, 0.4, 0 (child-a has none) -> mean 0.333333, 0 - 0.6.
  await expect(groups.nth(0).getByTestId('group-agg-metric:acc')).toContainText('μ 0.333333');
  await expect(groups.nth(0).getByTestId('group-agg-metric:acc')).toContainText('0 – 0.6');
  const grouped = ['r2', 'odd, "quoted"', 'r4', 'r0', 'child-a', 'r5', 'r3', 'r1'];
  await expect.poll(() => exp.runNames()).toEqual(grouped);
  await groups.nth(1).getByRole('button', { name: /Collapse group sgd/ }).click();
  await expect.poll(() => exp.runNames()).toEqual(grouped.slice(0, 5));

  // The URL holds the view: a fresh load of it shows the same table (group collapse is per visit: all open).
  await page.reload();
  await expect(exp.heading(8)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
  await expect(groups).toHaveCount(2);
  await expect.poll(() => exp.runNames()).toEqual(grouped);
  await expect(page.getByTestId('selected-count')).toHaveText('3 selected');
  await expect(exp.runsTable.getByRole('columnheader', { name: 'metric acc' })).toHaveAttribute('aria-sort', 'descending');
  expect(pageErrors()).toEqual([]);
});

test('[TABLE-5] Export CSV downloads exactly the shown columns and every matching run, quoted', async ({ page, baseURL }) => {
  const pageErrors = collectPageErrors(page.context());
  const { experimentId } = await seedTableExperiment(baseURL!, `table-csv-${Date.now()}`);
  const exp = new ExperimentPage(page);
  await exp.goto(experimentId);
  await expect(exp.heading(8)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
  // Columns: drop Created and Duration, add param lr.
  await exp.toolbar.getByText('Columns', { exact: true }).click();
  const picker = exp.toolbar.getByRole('group', { name: 'Columns' });
  await picker.getByRole('checkbox', { name: 'Created' }).uncheck();
  await picker.getByRole('checkbox', { name: 'Duration' }).uncheck();
  await picker.getByRole('checkbox', { name: 'lr', exact: true }).check();
  await exp.toolbar.getByText('Columns', { exact: true }).click();
  await expect(exp.runsTable.getByRole('columnheader', { name: 'param lr' })).toBeVisible();
  await expect(exp.runsTable.getByRole('columnheader', { name: 'Created' })).toHaveCount(0);
  await exp.filter("params.opt = 'adam'");
  await expect(exp.heading(5)).toBeVisible();
  await exp.sortBy('Run Name');
  // child-a sits under its collapsed parent r0: not drawn, but exported (every matching run).
  await expect.poll(() => exp.runNames()).toEqual(['odd, "quoted"', 'r0', 'r2', 'r4']);

  const download = await exp.exportCsv();
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const text = readFileSync((await download.path())!, 'utf8');
  expect(text.split('\r\n')).toEqual([
    'Run Name,Status,metric acc,param lr',
    '"odd, ""quoted""",FINISHED,0.6,0.1',
    'r0,FINISHED,0,0.1',
    'child-a,FINISHED,,',
    'r2,FINISHED,0.2,0.1',
    'r4,FINISHED,0.4,0.1',
    '',
  ]);
  expect(pageErrors()).toEqual([]);
});

test('[TABLE-10] row actions rename, tag and delete a run; the Deleted view lists it and restores it', async ({ page, baseURL }) => {
  const pageErrors = collectPageErrors(page.context());
  const { experimentId } = await seedTableExperiment(baseURL!, `table-deleted-${Date.now()}`);
  const exp = new ExperimentPage(page);
  await exp.goto(experimentId);
  await expect(exp.heading(8)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });

  // Keyboard: focus the row's Actions button and press Enter.
  await exp.runRow('r4').getByRole('button', { name: 'Actions for r4' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: /Run r4/ });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Run name').fill('r4-renamed');
  await dialog.getByRole('button', { name: 'Rename' }).click();
  await expect(exp.runLink('r4-renamed')).toBeVisible();
  await dialog.getByLabel('Tag key').fill('note');
  await dialog.getByLabel('Tag value').fill('keep');
  await dialog.getByRole('button', { name: 'Set tag' }).click();
  await expect(dialog.getByRole('list', { name: 'Run tags' })).toContainText('note');
  await dialog.getByRole('button', { name: 'Delete run' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(exp.heading(7)).toBeVisible();
  await expect(exp.runLink('r4-renamed')).toHaveCount(0);

  await exp.toolbar.getByRole('button', { name: 'Deleted (1)' }).click();
  await expect(exp.heading(1, true)).toBeVisible();
  await expect(page).toHaveURL(/deleted=1/);
  await exp.runRow('r4-renamed').getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByTestId('runs-none-deleted')).toBeVisible();
  await exp.toolbar.getByRole('button', { name: 'Back to active runs' }).click();
  await expect(exp.heading(8)).toBeVisible();
  await expect(exp.runLink('r4-renamed')).toBeVisible();
  // The tag set from the table is a filterable tag now.
  await exp.filter("tags.note = 'keep'");
  await expect(exp.heading(1)).toBeVisible();
  expect(pageErrors()).toEqual([]);
});

test('[TABLE-2] [TABLE-3] [TABLE-4] "/" focuses the filter, keys complete from the index, a bad filter shows where; arrow keys walk rows', async ({ page, baseURL }) => {
  const pageErrors = collectPageErrors(page.context());
  const { experimentId } = await seedTableExperiment(baseURL!, `table-filter-${Date.now()}`);
  const exp = new ExperimentPage(page);
  await exp.goto(experimentId);
  await expect(exp.heading(8)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  await expect(exp.filterBox).toBeFocused();
  await expect(exp.filterBox).toHaveValue('');

  await page.keyboard.type('metrics.a');
  const options = page.getByRole('listbox', { name: 'Filter keys' }).getByRole('option');
  await expect(options).toHaveText(['metrics.acc']);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(exp.filterBox).toHaveValue('metrics.acc');
  await page.keyboard.type(' >> 0.3');
  await page.keyboard.press('Enter');
  await expect(exp.filterError).toContainText('at character 13');
  await expect(page.getByTestId('runs-filter-error-at')).toHaveText(/metrics\.acc >> 0\.3\n {12}\^/);
  await expect(page.getByTestId('runs-no-match')).toBeVisible();

  await exp.filterBox.fill('params.');
  await expect(options).toHaveText(['params.lr', 'params.opt']);
  await exp.filter('metrics.acc >= 0.3');
  await expect(exp.heading(4)).toBeVisible();
  await expect(exp.filterError).toHaveCount(0);
  // [TABLE-10] Arrow keys walk the rows: from a run's link to the next run's link.
  await exp.runLink('r5').focus();
  await page.keyboard.press('ArrowDown');
  await expect(exp.runLink('r4')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(exp.runLink('odd, "quoted"')).toBeFocused();
  expect(pageErrors()).toEqual([]);
});

test('[TABLE-14] the header box selects every shown run (drawn or not), is mixed when some are, clears when all were; keyboard reachable', async ({ page, baseURL }) => {
  const pageErrors = collectPageErrors(page.context());
  const { experimentId, runIds } = await seedTableExperiment(baseURL!, `table-select-all-${Date.now()}`);
  const exp = new ExperimentPage(page);
  await exp.goto(experimentId);
  await expect(exp.heading(8)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
  await expect(exp.selectAll).not.toBeChecked();
  await expect(exp.selectedCount).toHaveCount(0);

  // Keyboard: the header box is in the tab order, just before the first sort button; Space selects all 8 runs,
  // child-a too, which is not drawn (its parent r0 is collapsed).
  await exp.runsTable.getByRole('columnheader', { name: 'Run Name' }).getByRole('button').focus();
  await page.keyboard.press('Shift+Tab');
  await expect(exp.selectAll).toBeFocused();
  await page.keyboard.press('Space');
  await expect(exp.selectedCount).toHaveText('8 selected');
  await expect(exp.selectAll).toBeChecked();
  await expect(exp.runLink('child-a')).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`sel=${runIds['child-a']}`));

  // One run unticked: mixed; a click selects all again; a click on a full selection clears it.
  await exp.runRow('r3').getByRole('checkbox').click();
  await expect(exp.selectedCount).toHaveText('7 selected');
  await expect(exp.selectAll).toHaveJSProperty('indeterminate', true);
  await exp.selectAll.click();
  await expect(exp.selectedCount).toHaveText('8 selected');
  await expect(exp.selectAll).toHaveJSProperty('indeterminate', false);
  await exp.selectAll.click();
  await expect(exp.selectedCount).toHaveCount(0);
  await expect(exp.selectAll).not.toBeChecked();

  // Under a filter, "all" is every matching run: adam = odd, r0, child-a, r2, r4.
  await exp.filter("params.opt = 'adam'");
  await expect(exp.heading(5)).toBeVisible();
  await exp.selectAll.click();
  await expect(exp.selectedCount).toHaveText('5 selected');
  const ids = [runIds['odd, "quoted"'], runIds.r0, runIds['child-a'], runIds.r2, runIds.r4];
  await expect.poll(() => new URL(page.url()).searchParams.getAll('sel').sort()).toEqual([...ids].sort());
  expect(pageErrors()).toEqual([]);
});

test('[TABLE-15] the select, pin and name cells stay in view while the table scrolls sideways; rows keep their ARIA cells', async ({ page, baseURL }) => {
  const pageErrors = collectPageErrors(page.context());
  const { experimentId } = await seedTableExperiment(baseURL!, `table-sticky-${Date.now()}`);
  const exp = new ExperimentPage(page);
  await page.setViewportSize({ width: 900, height: 800 });
  const cols = ['attr:status', 'attr:created', 'attr:duration', 'attr:user', 'attr:source', 'attr:version', 'attr:dataset', 'param:lr', 'param:opt', 'tag:team', 'metric:acc', 'metricmin:acc', 'metricmax:acc'];
  await exp.goto(experimentId, `cols=1&${cols.map((c) => `col=${encodeURIComponent(c)}`).join('&')}`);
  await expect(exp.heading(8)).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
  const link = exp.runLink('r3');
  const before = (await link.boundingBox())!;
  const nameHeader = exp.runsTable.getByRole('columnheader', { name: 'Run Name' });
  const headerBefore = (await nameHeader.boundingBox())!;
  // At the left edge the lead cells are not sticky (a hundred sticky cells cost a vertical scroll a composited layer
  // each); scrolled sideways they are.
  const nameCellPosition = () => exp.runRow('r3').getByTestId('run-name-cell').evaluate((el) => getComputedStyle(el).position);
  expect(await nameCellPosition()).toBe('static');

  await exp.scrollLeftTo('end');
  await expect.poll(nameCellPosition).toBe('sticky');
  await expect.poll(() => exp.runsScroll.evaluate((el) => el.scrollLeft)).toBeGreaterThan(1000);
  // The far right columns are drawn and in view...
  await expect(exp.runsTable.getByRole('columnheader', { name: 'metric acc (max)' })).toBeInViewport();
  await expect(exp.runRow('r3').getByTestId('run-metric-acc')).toBeInViewport();
  // ...and the name is where it was, on top of the cells scrolled under it, still a working link and checkbox.
  await expect.poll(async () => (await link.boundingBox())!.x).toBeCloseTo(before.x, 0);
  expect((await nameHeader.boundingBox())!.x).toBeCloseTo(headerBefore.x, 0);
  const box = (await link.boundingBox())!;
  expect(await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.closest('a')?.textContent ?? null, [box.x + 4, box.y + box.height / 2])).toBe('r3');
  await exp.runRow('r3').getByRole('checkbox').click();
  await expect(exp.selectedCount).toHaveText('1 selected');

  // ARIA: a table of rows (header row 1, runs from 2), each row's cells in order: select, pin, name, the columns.
  await expect(exp.runsTable).toHaveAttribute('aria-rowcount', '8');
  const row = exp.runRow('r3');
  await expect(row).toHaveAttribute('aria-rowindex', /^\d+$/);
  const cells = row.getByRole('cell');
  await expect(cells.nth(0).getByRole('checkbox')).toHaveCount(1);
  await expect(cells.nth(1).getByRole('button', { name: /Pin r3/ })).toHaveCount(1);
  await expect(cells.nth(2).getByRole('link', { name: 'r3', exact: true })).toHaveCount(1);
  await expect(cells.last().getByRole('button', { name: 'Actions for r3' })).toHaveCount(1);
  expect(pageErrors()).toEqual([]);
});

import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { AppHeader } from './app-header';

/** `/experiment/?id=`: the runs table of one experiment. */
export class ExperimentPage {
  readonly header: AppHeader;
  readonly runsTable: Locator;
  /** The scroll area of the (virtualized) runs table. */
  readonly runsScroll: Locator;
  /** "No runs logged to this experiment yet." */
  readonly noRuns: Locator;
  /** The search box above the runs table, and the message of a filter it could not use. */
  readonly filterBox: Locator;
  readonly filterError: Locator;
  readonly toolbar: Locator;
  /** The "select all" box in the selection column's header, and the "N selected" count of the toolbar. */
  readonly selectAll: Locator;
  readonly selectedCount: Locator;
  /** The saved views menu (open it with `openViews`). */
  readonly viewsMenu: Locator;

  constructor(readonly page: Page) {
    this.header = new AppHeader(page);
    this.runsTable = page.getByRole('table', { name: 'Runs' });
    this.runsScroll = page.getByTestId('runs-scroll');
    this.noRuns = page.getByTestId('runs-empty');
    this.filterBox = page.getByLabel('Filter runs');
    this.filterError = page.getByTestId('runs-filter-error');
    this.toolbar = page.getByRole('toolbar', { name: 'Runs table' });
    this.selectAll = this.runsTable.getByRole('checkbox', { name: 'Select all runs' });
    this.selectedCount = page.getByTestId('selected-count');
    this.viewsMenu = this.toolbar.getByRole('group', { name: 'Saved views' });
  }

  /** Opens the saved views menu. */
  async openViews(): Promise<void> {
    await this.toolbar.getByText(/^Views/).click();
    await expect(this.viewsMenu).toBeVisible();
  }

  /** Opens the saved views menu unless it is open (a click outside closes it). */
  async openViewsIfClosed(): Promise<void> {
    if (!(await this.viewsMenu.isVisible())) await this.openViews();
  }

  /** Saves the current view under `name` from the open views menu. */
  async saveView(name: string): Promise<void> {
    await this.viewsMenu.getByLabel('View name').fill(name);
    await this.viewsMenu.getByRole('button', { name: 'Save' }).click();
    await expect(this.viewsMenu.getByRole('button', { name, exact: true })).toBeVisible();
  }

  async goto(experimentId: string, query = ''): Promise<void> {
    await this.page.goto(`/experiment/?id=${experimentId}${query ? `&${query}` : ''}`);
  }

  /** The "Runs (N)" heading (or "Deleted runs (N)"). */
  heading(count: number, deleted = false): Locator {
    return this.page.getByRole('heading', { name: `${deleted ? 'Deleted runs' : 'Runs'} (${count})`, exact: true });
  }

  /** Starts a run by hand ("New run"), named `runName`. */
  async startRun(runName: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'New run' });
    await form.getByLabel('Run name').fill(runName);
    await form.getByRole('button', { name: 'New run' }).click();
  }

  /** Types a filter and presses Enter, as a person would. */
  async filter(text: string): Promise<void> {
    await this.filterBox.fill(text);
    await this.filterBox.press('Enter');
  }

  runLink(runName: string): Locator {
    return this.runsTable.getByRole('link', { name: runName, exact: true });
  }

  runRow(runName: string): Locator {
    return this.runsTable.getByRole('row').filter({ has: this.page.getByRole('link', { name: runName, exact: true }) });
  }

  /** The run rows drawn now (a virtualized table draws the visible ones and a few more). */
  get runRows(): Locator {
    return this.runsTable.getByTestId('run-row');
  }

  /**
   * Names of the drawn runs, top to bottom: by row index, since a scrolled table keeps its rows in the DOM in slot order
   * (TABLE-17).
   */
  async runNames(): Promise<string[]> {
    return this.runRows.evaluateAll((rows) =>
      rows
        .map((r) => ({ at: Number(r.getAttribute('aria-rowindex')), name: r.querySelector('a')?.textContent ?? '' }))
        .sort((a, b) => a.at - b.at)
        .map((r) => r.name),
    );
  }

  /** The drawn run row shown lowest (the highest row index). */
  async bottomRow(): Promise<Locator> {
    const at = await this.runRows.evaluateAll((rows) => Math.max(...rows.map((r) => Number(r.getAttribute('aria-rowindex')))));
    return this.runsTable.locator(`[data-testid="run-row"][aria-rowindex="${at}"]`);
  }

  metricColumn(key: string): Locator {
    return this.runsTable.getByRole('columnheader', { name: `metric ${key}` });
  }

  /** Clicks a column header's sort button (once: ascending, twice: descending). */
  async sortBy(header: string): Promise<void> {
    await this.runsTable.getByRole('columnheader', { name: header }).getByRole('button').click();
  }

  async groupBy(option: string): Promise<void> {
    await this.toolbar.getByLabel('Group by').selectOption({ label: option });
  }

  /** Scrolls the runs table to `top` px (or its end). */
  async scrollTo(top: number | 'end'): Promise<void> {
    await this.runsScroll.evaluate((el, t) => el.scrollTo({ top: t === 'end' ? el.scrollHeight : t }), top);
  }

  /** Scrolls the runs table sideways to `left` px (or its right end). */
  async scrollLeftTo(left: number | 'end'): Promise<void> {
    await this.runsScroll.evaluate((el, l) => el.scrollTo({ left: l === 'end' ? el.scrollWidth : l }), left);
  }

  async exportCsv(): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.toolbar.getByRole('button', { name: 'Export CSV' }).click();
    return download;
  }

  async openRun(runName: string): Promise<void> {
    await this.runLink(runName).click();
    await this.page.waitForURL(/\/run\/\?id=/);
    await expect(this.page.getByTestId('run-name')).toHaveText(runName);
  }
}

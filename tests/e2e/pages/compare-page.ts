import { expect, type Locator, type Page } from '@playwright/test';
import { FIRST_LOAD_TIMEOUT } from './app-header';

/** `/compare/?experiment=&runs=`: overlaid lines, parallel coordinates, scatter and the diff table of 2–100 runs. */
export class ComparePage {
  readonly heading: Locator;
  readonly diffTable: Locator;
  readonly onlyDifferences: Locator;
  readonly parallel: Locator;
  readonly scatter: Locator;
  readonly problem: Locator;
  readonly missing: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.diffTable = page.getByRole('table', { name: 'Run differences' });
    this.onlyDifferences = page.getByLabel('Only differences');
    this.parallel = page.getByTestId('parallel-chart');
    this.scatter = page.getByTestId('scatter-chart');
    this.problem = page.locator('main').getByRole('alert');
    this.missing = page.getByTestId('compare-missing');
  }

  async goto(experimentId: string, runIds: string[]): Promise<void> {
    await this.page.goto(`/compare/?experiment=${encodeURIComponent(experimentId)}&runs=${runIds.map(encodeURIComponent).join(',')}`);
  }

  /** The diff table's row of `section` (attribute, param, metric, tag) and key. */
  diffRow(section: string, key: string): Locator {
    return this.diffTable.locator(`tr[data-key="${section}:${key}"]`);
  }

  /** A chart is drawn when ECharts has put its canvas into the container and holds `runs` runs. */
  async expectDrawn(chart: Locator, runs: number, timeout = FIRST_LOAD_TIMEOUT): Promise<void> {
    await expect(chart.locator('canvas').first()).toBeVisible({ timeout });
    await expect(chart).toHaveAttribute('data-drawn', String(runs));
  }
}

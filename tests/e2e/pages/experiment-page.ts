import { expect, type Locator, type Page } from '@playwright/test';
import { AppHeader } from './app-header';

/** `/experiment/?id=`: the runs table of one experiment. */
export class ExperimentPage {
  readonly header: AppHeader;
  readonly runsTable: Locator;
  /** "No runs logged to this experiment yet." */
  readonly noRuns: Locator;
  /** The search box above the runs table, and the message of a filter it could not use. */
  readonly filterBox: Locator;
  readonly filterError: Locator;

  constructor(readonly page: Page) {
    this.header = new AppHeader(page);
    this.runsTable = page.getByRole('table', { name: 'Runs' });
    this.noRuns = page.getByTestId('runs-empty');
    this.filterBox = page.getByLabel('Filter runs');
    this.filterError = page.getByTestId('runs-filter-error');
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

  metricColumn(key: string): Locator {
    return this.runsTable.getByRole('columnheader', { name: `metric ${key}` });
  }

  async openRun(runName: string): Promise<void> {
    await this.runLink(runName).click();
    await this.page.waitForURL(/\/run\/\?id=/);
    await expect(this.page.getByTestId('run-name')).toHaveText(runName);
  }
}

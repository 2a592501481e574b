import { expect, type Locator, type Page } from '@playwright/test';
import { AppHeader, FIRST_LOAD_TIMEOUT } from './app-header';

/** `/`: the workspace's experiments and the create form. */
export class ExperimentsPage {
  readonly header: AppHeader;
  readonly nameInput: Locator;
  readonly createButton: Locator;
  readonly createError: Locator;
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.header = new AppHeader(page);
    this.nameInput = page.getByLabel('Experiment name');
    this.createButton = page.getByRole('button', { name: 'Create', exact: true });
    this.createError = page.getByRole('form', { name: 'Create experiment' }).getByRole('alert');
    this.table = page.getByRole('table', { name: 'Experiments' });
  }

  /** `origin` lets a context reach the app through another origin (a NetworkLink); default: the config's baseURL. */
  async goto(origin = ''): Promise<void> {
    await this.page.goto(`${origin}/`);
    await expect(this.page.getByRole('heading', { name: 'Experiments', level: 1 })).toBeVisible();
  }

  experimentLink(name: string): Locator {
    return this.table.getByRole('link', { name, exact: true });
  }

  /** The Active / Deleted switch (RUNPAGE-7). */
  async showDeleted(): Promise<void> {
    await this.page.getByRole('button', { name: 'Deleted', exact: true }).click();
    await expect(this.page.getByRole('button', { name: 'Deleted', exact: true })).toHaveAttribute('aria-pressed', 'true');
  }

  async showActive(): Promise<void> {
    await this.page.getByRole('button', { name: 'Active', exact: true }).click();
    await expect(this.page.getByRole('button', { name: 'Active', exact: true })).toHaveAttribute('aria-pressed', 'true');
  }

  row(name: string): Locator {
    return this.table.getByRole('row').filter({ has: this.page.getByRole('link', { name, exact: true }) });
  }

  async restore(name: string): Promise<void> {
    await this.row(name).getByRole('button', { name: 'Restore experiment' }).click();
  }

  async create(name: string): Promise<void> {
    await this.nameInput.fill(name);
    await this.createButton.click();
  }

  async expectListed(name: string, timeout = FIRST_LOAD_TIMEOUT): Promise<void> {
    await expect(this.experimentLink(name)).toBeVisible({ timeout });
  }

  async open(name: string, timeout = FIRST_LOAD_TIMEOUT): Promise<void> {
    await this.experimentLink(name).click({ timeout });
    await this.page.waitForURL(/\/experiment\/\?id=/);
    await expect(this.page.getByRole('heading', { name, level: 1 })).toBeVisible();
  }
}

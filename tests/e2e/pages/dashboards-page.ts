import { expect, type Locator, type Page } from '@playwright/test';
import { FIRST_LOAD_TIMEOUT } from './app-header';

/** `/dashboards/?experiment=`: an experiment's dashboards and the chosen one's cards. */
export class DashboardsPage {
  readonly boards: Locator;
  readonly cards: Locator;
  readonly settings: Locator;

  constructor(readonly page: Page) {
    this.boards = page.getByRole('navigation', { name: 'Dashboards' });
    this.cards = page.getByTestId('board-card');
    this.settings = page.getByRole('form', { name: 'Card settings' });
  }

  async goto(experimentId: string): Promise<void> {
    await this.page.goto(`/dashboards/?experiment=${encodeURIComponent(experimentId)}`);
    await expect(this.page.getByRole('navigation', { name: 'Experiment' })).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
  }

  async createBoard(name: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'New dashboard' });
    await form.getByLabel('Dashboard name').fill(name);
    await form.getByRole('button', { name: 'New dashboard' }).click();
    await expect(this.page.getByTestId('board-name')).toHaveText(name);
  }

  boardLink(name: string): Locator {
    return this.boards.getByRole('link', { name, exact: true });
  }

  /** Adds a card through the "Add card" form: `chart` is the kind's label, `metric` its metric when it has one. */
  async addCard(o: { chart: string; title: string; metric?: string }): Promise<void> {
    await this.page.getByRole('button', { name: 'Add card' }).click();
    await this.settings.getByLabel('Chart').selectOption({ label: o.chart });
    await this.settings.getByLabel('Title').fill(o.title);
    if (o.metric) await this.settings.getByLabel('Metric').selectOption(o.metric);
    await this.settings.getByRole('button', { name: 'Add card' }).click();
    await expect(this.settings).toHaveCount(0);
  }

  card(title: string): Locator {
    return this.page.getByRole('article', { name: `Card ${title}` });
  }

  /** The card's drawn place on the grid, as `x,y,w,h` cells. */
  async rect(title: string): Promise<string> {
    const c = this.card(title);
    return [await c.getAttribute('data-x'), await c.getAttribute('data-y'), await c.getAttribute('data-w'), await c.getAttribute('data-h')].join(',');
  }
}

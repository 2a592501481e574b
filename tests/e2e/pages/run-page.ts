import { expect, type Locator, type Page } from '@playwright/test';
import { AppHeader, FIRST_LOAD_TIMEOUT } from './app-header';

/** `/run/?id=`: one run with its params, tags and live metric charts. */
export class RunPage {
  readonly header: AppHeader;
  readonly name: Locator;
  readonly status: Locator;
  readonly params: Locator;
  readonly tags: Locator;
  readonly artifacts: Locator;
  readonly conflicts: Locator;

  constructor(readonly page: Page) {
    this.header = new AppHeader(page);
    this.name = page.getByTestId('run-name');
    this.status = page.getByTestId('run-status');
    this.params = page.getByRole('table', { name: 'Parameters' });
    this.tags = page.getByRole('table', { name: 'Tags' });
    this.artifacts = page.getByRole('table', { name: 'Artifacts' });
    this.conflicts = page.getByRole('region', { name: 'Parameter conflicts' });
  }

  async goto(runId: string, origin = ''): Promise<void> {
    await this.page.goto(`${origin}/run/?id=${encodeURIComponent(runId)}`);
  }

  chart(key: string): Locator {
    return this.page.getByTestId(`metric-chart-${key}`);
  }

  /** The "1,234 points" caption as a number (0 while the chart is not there yet). */
  async pointCount(key: string): Promise<number> {
    const caption = this.page.getByTestId(`metric-count-${key}`);
    if ((await caption.count()) === 0) return 0;
    const text = (await caption.textContent()) ?? '';
    const m = /([\d,]+)\s+points?/.exec(text);
    return m ? Number(m[1]!.replace(/,/g, '')) : 0;
  }

  /** A chart is drawn when ECharts has put its canvas into the container. */
  async expectChartDrawn(key: string, timeout = FIRST_LOAD_TIMEOUT): Promise<void> {
    await expect(this.chart(key).locator('canvas').first()).toBeVisible({ timeout });
  }
}

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
  readonly overview: Locator;
  readonly description: Locator;
  readonly noteCursors: Locator;
  readonly viewer: Locator;
  readonly uploadInput: Locator;
  readonly uploadProgress: Locator;

  constructor(readonly page: Page) {
    this.header = new AppHeader(page);
    this.name = page.getByTestId('run-name');
    this.status = page.getByTestId('run-status');
    this.params = page.getByRole('table', { name: 'Parameters' });
    this.tags = page.getByRole('table', { name: 'Tags' });
    this.artifacts = page.getByRole('table', { name: 'Artifacts' });
    this.conflicts = page.getByRole('region', { name: 'Parameter conflicts' });
    this.overview = page.getByTestId('run-overview');
    this.description = page.getByRole('textbox', { name: 'Description' });
    this.noteCursors = page.getByTestId('note-cursor');
    this.viewer = page.getByTestId('artifact-viewer');
    this.uploadInput = page.getByRole('form', { name: 'Upload artifact' }).getByLabel('File');
    this.uploadProgress = page.getByRole('progressbar');
  }

  /** A tag's row in the tags table. */
  tagRow(key: string): Locator {
    return this.tags.getByRole('row').filter({ has: this.page.getByRole('cell', { name: key, exact: true }) });
  }

  async addTag(key: string, value: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Add tag' });
    await form.getByLabel('New tag key').fill(key);
    await form.getByLabel('New tag value').fill(value);
    await form.getByRole('button', { name: 'Add tag' }).click();
  }

  async editTag(key: string, value: string): Promise<void> {
    await this.page.getByRole('button', { name: `Edit tag ${key}` }).click();
    const field = this.page.getByLabel(`Value of ${key}`);
    await field.fill(value);
    await field.press('Enter');
  }

  async deleteTag(key: string): Promise<void> {
    await this.page.getByRole('button', { name: `Delete tag ${key}` }).click();
  }

  async rename(name: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Rename', exact: true }).click();
    const field = this.page.getByLabel('New run name');
    await field.fill(name);
    await field.press('Enter');
  }

  /** An artifact's file (name button) or folder (toggle) in the tree. */
  artifactButton(name: string): Locator {
    return this.artifacts.getByRole('button', { name, exact: true });
  }

  /** A folder's expand/collapse button ("name/ (count)"). */
  folderToggle(name: string): Locator {
    return this.artifacts.getByRole('button', { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`) });
  }

  async openArtifact(name: string): Promise<void> {
    await this.artifactButton(name).click();
    await expect(this.viewer).toBeVisible();
  }

  async upload(file: { name: string; mimeType: string; buffer: Buffer }, folder = ''): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Upload artifact' });
    await this.uploadInput.setInputFiles(file);
    if (folder) await form.getByLabel('Folder').fill(folder);
    await form.getByRole('button', { name: 'Upload' }).click();
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

import { expect, type Locator, type Page } from '@playwright/test';
import { FIRST_LOAD_TIMEOUT } from './app-header';

/** The registry screens: `/models/`, `/model/?name=`, `/model-version/?name=&version=`, `/compare-versions/`. */
export class RegistryPages {
  constructor(readonly page: Page) {}

  async gotoModels(): Promise<void> {
    await this.page.goto('/models/');
    await expect(this.page.getByRole('heading', { name: 'Models' })).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
  }

  async gotoModel(name: string): Promise<void> {
    await this.page.goto(`/model/?name=${encodeURIComponent(name)}`);
    await expect(this.page.getByTestId('model-name')).toHaveText(name, { timeout: FIRST_LOAD_TIMEOUT });
  }

  async gotoVersion(name: string, version: number): Promise<void> {
    await this.page.goto(`/model-version/?name=${encodeURIComponent(name)}&version=${version}`);
    await expect(this.versionNumber).toHaveText(`v${version}`, { timeout: FIRST_LOAD_TIMEOUT });
  }

  get versionNumber(): Locator {
    return this.page.getByTestId('version-number');
  }

  /** The models list's row of a model. */
  modelRow(name: string): Locator {
    return this.page.getByTestId('model-row').filter({ has: this.page.getByRole('link', { name, exact: true }) });
  }

  /** The model page's row of version `label` (`v1`, `pending`). */
  versionRow(label: string): Locator {
    return this.page.getByTestId('version-row').filter({ has: this.page.getByRole('link', { name: label, exact: true }) });
  }

  /** The version page's stage (the header's badge). */
  get stage(): Locator {
    return this.page.locator('h1 ~ [data-testid="stage-badge"]').first();
  }

  async transition(stage: string, archiveExisting: boolean): Promise<void> {
    await this.page.getByRole('button', { name: 'Transition stage' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Stage transition' });
    await dialog.getByLabel('Transition to').selectOption(stage);
    const box = dialog.getByRole('checkbox', { name: `Transition existing ${stage} model versions to Archived` });
    if (archiveExisting) await box.check();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await expect(dialog).toHaveCount(0);
  }

  get aliasForm(): Locator {
    return this.page.getByRole('form', { name: 'Add alias' });
  }

  /** Types an alias into the version page's alias field (the button's text says whether it adds or moves). */
  async typeAlias(alias: string): Promise<Locator> {
    await this.aliasForm.getByLabel('Alias').fill(alias);
    return this.aliasForm.getByRole('button');
  }

  get aliasChips(): Locator {
    return this.page.getByRole('list', { name: 'Aliases' }).getByTestId('alias-chip');
  }

  get historyRows(): Locator {
    return this.page.getByTestId('history-row');
  }

  signatureRows(side: 'inputs' | 'outputs'): Locator {
    return this.page.getByTestId(`signature-${side}`).getByTestId('signature-row');
  }
}

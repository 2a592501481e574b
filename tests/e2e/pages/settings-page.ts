import { expect, type Locator, type Page } from '@playwright/test';
import { AppHeader } from './app-header';

/** `/settings/`: relay, workspace, token, display name. */
export class SettingsPage {
  readonly header: AppHeader;
  readonly relayUrl: Locator;
  readonly workspace: Locator;
  readonly token: Locator;
  readonly displayName: Locator;
  readonly saveButton: Locator;
  readonly message: Locator;

  constructor(readonly page: Page) {
    this.header = new AppHeader(page);
    this.relayUrl = page.getByLabel('Relay URL');
    this.workspace = page.getByLabel('Workspace', { exact: true });
    this.token = page.getByLabel('Token');
    this.displayName = page.getByLabel('Display name');
    this.saveButton = page.getByRole('button', { name: 'Save', exact: true });
    this.message = page.getByTestId('settings-message');
  }

  async goto(): Promise<void> {
    await this.page.goto('/settings/');
    await expect(this.page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  }

  effective(what: 'relay' | 'workspace' | 'token' | 'name'): Locator {
    return this.page.getByTestId(`effective-${what}`);
  }
}

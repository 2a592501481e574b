import { expect, type Locator, type Page } from '@playwright/test';

/** The header on every page: sync badge, presence, navigation. */
export class AppHeader {
  readonly syncStatus: Locator;
  readonly presence: Locator;
  readonly workspace: Locator;

  constructor(readonly page: Page) {
    this.syncStatus = page.getByTestId('sync-status');
    this.presence = page.getByTestId('presence');
    this.workspace = page.getByTestId('workspace-name');
  }

  async expectSynced(timeout = 15_000): Promise<void> {
    await expect(this.syncStatus).toHaveText('synced', { timeout });
  }

  /** Cut off from the relay: the state machine reports offline, or connecting while it retries. */
  async expectDisconnected(timeout = 10_000): Promise<void> {
    await expect(this.syncStatus).toHaveText(/^(offline|connecting)$/, { timeout });
  }

  async openSettings(): Promise<void> {
    await this.page.getByRole('link', { name: 'Settings', exact: true }).click();
    await this.page.waitForURL(/\/settings\/?$/);
  }
}

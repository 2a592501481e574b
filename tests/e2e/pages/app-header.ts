import { expect, type Locator, type Page } from '@playwright/test';

/**
 * First data on a fresh page waits for the data worker to boot (IndexedDB, config, socket): about a second on an idle
 * machine, several on a loaded 2-core CI box with two browser contexts starting at once.
 */
export const FIRST_LOAD_TIMEOUT = 20_000;

/** The header on every page: sync badge, presence, navigation. */
export class AppHeader {
  readonly syncStatus: Locator;
  readonly presence: Locator;
  readonly workspace: Locator;
  readonly theme: Locator;

  constructor(readonly page: Page) {
    this.syncStatus = page.getByTestId('sync-status');
    this.presence = page.getByTestId('presence');
    this.workspace = page.getByTestId('workspace-name');
    this.theme = page.getByLabel('Theme');
  }

  /** Picks system / light / dark in the header's theme switch. */
  async setTheme(choice: 'system' | 'light' | 'dark'): Promise<void> {
    await this.theme.selectOption(choice);
  }

  /** Whether <html> has the dark class (what the palette switch in app/globals.css keys on). */
  async isDark(): Promise<boolean> {
    return this.page.evaluate(() => document.documentElement.classList.contains('dark'));
  }

  async expectSynced(timeout = FIRST_LOAD_TIMEOUT): Promise<void> {
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

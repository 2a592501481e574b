import type { Locator, Page } from '@playwright/test';

/** The run page's Project panel and Reproduce panel (components/projects). */
export class ProjectPanel {
  readonly root: Locator;
  readonly source: Locator;
  readonly commit: Locator;
  readonly branch: Locator;
  readonly version: Locator;
  readonly contentHash: Locator;
  readonly entryPoint: Locator;
  readonly env: Locator;
  readonly uri: Locator;
  readonly reproducedFrom: Locator;
  readonly params: Locator;
  readonly viewMLproject: Locator;
  readonly reproduce: Locator;
  readonly command: Locator;
  readonly fromRun: Locator;
  readonly envLine: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('project-panel');
    this.source = this.root.getByTestId('project-source');
    this.commit = this.root.getByTestId('project-commit');
    this.branch = this.root.getByTestId('project-branch');
    this.version = this.root.getByTestId('project-version');
    this.contentHash = this.root.getByTestId('project-content-hash');
    this.entryPoint = this.root.getByTestId('project-entry-point');
    this.env = this.root.getByTestId('project-env');
    this.uri = this.root.getByTestId('project-uri');
    this.reproducedFrom = this.root.getByTestId('project-reproduced-from');
    this.params = this.root.getByRole('table', { name: 'Project params' });
    this.viewMLproject = this.root.getByRole('link', { name: 'View MLproject' });
    this.reproduce = page.getByRole('region', { name: 'Reproduce' });
    this.command = this.reproduce.getByTestId('reproduce-command-text');
    this.fromRun = this.reproduce.getByTestId('from-run-command-text');
    this.envLine = this.reproduce.getByTestId('reproduce-env');
  }

  copyButton(name: 'Copy reproduce command' | 'Copy from-run command' | 'Copy git commit'): Locator {
    return this.root.getByRole('button', { name, exact: true });
  }

  /** A parameter's value cell in the panel's table. */
  param(key: string): Locator {
    return this.params.getByRole('row').filter({ has: this.page.getByRole('cell', { name: key, exact: true }) }).getByRole('cell').nth(1);
  }

  clipboard(): Promise<string> {
    return this.page.evaluate(() => navigator.clipboard.readText());
  }
}

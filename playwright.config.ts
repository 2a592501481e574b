import { defineConfig } from '@playwright/test';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

// One server for all e2e tests: `cairn start` serves the static app from out/ and the relay (/sync/<room>, /healthz,
// /cairn-config.json) on the same port. Needs `npm run build` (out/ and dist/cli.cjs) first; `npm test` does that.
// CAIRN_E2E_PORT lets two checkouts run their e2e suites side by side.
const PORT = Number(process.env.CAIRN_E2E_PORT) || 4173;
const BASE_URL = `http://127.0.0.1:${PORT}`;

/**
 * A fresh relay data folder per run. The config is evaluated again in every worker process; the first evaluation
 * (the runner) picks the folder and wipes it, the workers inherit it through the environment and leave it alone.
 */
function e2eDataDir(): string {
  const existing = process.env.CAIRN_E2E_DATA;
  if (existing) return existing;
  const base = resolve('test-results');
  mkdirSync(base, { recursive: true });
  for (const name of readdirSync(base)) {
    const pid = /^\.e2e-data-(\d+)$/.exec(name)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) rmSync(join(base, name), { recursive: true, force: true });
  }
  const dir = join(base, `.e2e-data-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.env.CAIRN_E2E_DATA = dir;
  return dir;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const dataDir = e2eDataDir();

export default defineConfig({
  testDir: 'tests/e2e',
  // Not test-results/ itself: Playwright empties its outputDir at start, and the relay's data folder lives beside it.
  outputDir: 'test-results/e2e',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's chromium; never `npx playwright install` (STACK.md pitfall 13).
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    command: `node dist/cli.cjs start --port ${PORT} --data "${dataDir}"`,
    url: `${BASE_URL}/healthz`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});

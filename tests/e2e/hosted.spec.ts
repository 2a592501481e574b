import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { collectPageErrors } from './fixtures/page-errors';
import { createToken, startStaticServer, startTokenRelay, tempDir, type ServerProcess } from './fixtures/processes';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentsPage } from './pages/experiments-page';
import { SettingsPage } from './pages/settings-page';

/**
 * The app as a hosted static deployment: out/ on a plain static server (no /cairn-config.json, no relay behind it)
 * and a separate token-checking relay that allows the static site's origin. Users point the app at the relay in
 * Settings. Nothing here uses the config's `cairn start` server.
 */

const WORKSPACE = 'team';

let site: ServerProcess;
let relay: ServerProcess;
let relayData: ReturnType<typeof tempDir>;
let writeToken: string;

test.beforeAll(async () => {
  site = await startStaticServer('out');
  relayData = tempDir('cairn-e2e-hosted-');
  relay = await startTokenRelay({ dataDir: relayData.path, allowOrigins: [site.origin] });
  writeToken = createToken({ dataDir: relayData.path, workspace: WORKSPACE, role: 'write' });
});

test.afterAll(async () => {
  await Promise.all([relay?.stop(), site?.stop()]);
  relayData?.remove();
});

/** On the settings page: relay, workspace, token → Save. Waits until the new values are in effect (not for a sync state). */
async function pointAt(settings: SettingsPage, o: { relay: string; workspace: string; token: string }): Promise<void> {
  // The form follows the stored settings once the data worker has resolved them; edit only after that.
  await expect(settings.saveButton).toBeEnabled({ timeout: FIRST_LOAD_TIMEOUT });
  await settings.relayUrl.fill(o.relay);
  await settings.workspace.fill(o.workspace);
  await settings.token.fill(o.token);
  await settings.saveButton.click();
  await expect(settings.effective('relay')).toHaveText(o.relay, { timeout: FIRST_LOAD_TIMEOUT });
  await expect(settings.effective('workspace')).toHaveText(o.workspace);
  await expect(settings.effective('token')).toHaveText('set');
}

test('a static host serves the app local-only; pointed at a relay in Settings it syncs with a token', async ({ browser }) => {
  const ctx = await browser.newContext({ baseURL: site.origin });
  const pageErrors = collectPageErrors(ctx);
  const sdkData = tempDir('cairn-e2e-hosted-sdk-');
  try {
    const page = await ctx.newPage();

    // First visit: the static host has no /cairn-config.json, so the app comes up on this device only.
    const settings = new SettingsPage(page);
    await settings.goto();
    await expect(settings.workspace).toHaveValue('default', { timeout: FIRST_LOAD_TIMEOUT });
    await expect(settings.effective('relay')).toHaveText('none (this device only)');
    await expect(settings.header.syncStatus).toHaveText('offline');

    await pointAt(settings, { relay: relay.origin, workspace: WORKSPACE, token: writeToken });
    await settings.header.expectSynced();
    await expect(settings.header.workspace).toHaveText(WORKSPACE);

    const home = new ExperimentsPage(page);
    await home.goto();
    await home.header.expectSynced();
    const name = `hosted-${Date.now()}`;
    await home.create(name);
    await home.expectListed(name);

    // The relay has it: a Node SDK client with the same token sees the experiment arrive.
    const client = await connect({ relay: relay.origin, workspace: WORKSPACE, token: writeToken, dataDir: sdkData.path });
    try {
      await expect.poll(async () => (await client.getExperimentByName(name))?.name, { timeout: 10_000 }).toBe(name);
    } finally {
      await client.close();
    }
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctx.close();
    sdkData.remove();
  }
});

test('refused: a relay that does not allow the site origin, and a wrong token', async ({ browser }) => {
  // Its allow-list does not name the static site. (Without --allow-origin a relay allows every loopback origin.)
  const closedData = tempDir('cairn-e2e-closed-');
  const closed = await startTokenRelay({ dataDir: closedData.path, allowOrigins: ['https://elsewhere.example'] });
  const closedToken = createToken({ dataDir: closedData.path, workspace: WORKSPACE, role: 'write' });
  const ctx = await browser.newContext({ baseURL: site.origin });
  const pageErrors = collectPageErrors(ctx);
  try {
    const page = await ctx.newPage();
    // The data worker's sockets show up on the page; count the handshakes the relay answered with 403.
    let refusals = 0;
    page.on('websocket', (ws) => {
      if (!ws.url().startsWith(closed.origin.replace(/^http/, 'ws'))) return;
      ws.on('socketerror', (e) => {
        if (/\b403\b/.test(e)) refusals++;
      });
    });

    const settings = new SettingsPage(page);
    await settings.goto();
    await pointAt(settings, { relay: closed.origin, workspace: WORKSPACE, token: closedToken });
    // Refused, retried, refused again: the client keeps trying and never gets past connecting.
    await expect.poll(() => refusals, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await expect(settings.header.syncStatus).toHaveText('connecting');

    // The right relay with a token it never issued: refused for good, with the reason.
    await pointAt(settings, { relay: relay.origin, workspace: WORKSPACE, token: 'cairn_not-a-token-this-relay-issued' });
    await expect(settings.header.syncStatus).toHaveText('error', { timeout: FIRST_LOAD_TIMEOUT });
    await expect(page.getByTestId('sync-error')).toContainText('unauthenticated');
    expect(pageErrors()).toEqual([]);
  } finally {
    await ctx.close();
    await closed.stop();
    closedData.remove();
  }
});

import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { RunPage } from './pages/run-page';

/*
 * components/artifacts/SPEC.md in the real app: a run logged by the Node SDK with one artifact of each kind; the run
 * page shows the tree, each viewer, a streamed head of a big log, a named download, and an upload from the browser with
 * its progress bar (hashed in the worker, verified by the relay, recorded in the run doc).
 */

/** A 2×2 red PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = `%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
trailer << /Root 1 0 R >>
%%EOF`;
const HTML = `<html><body><p id="msg">hello from the report</p>
<script>document.getElementById('msg').textContent = 'script ran'; try { parent.document.title = 'pwned'; } catch (e) {}</script></body></html>`;
const BIG_LOG_LINES = 40_000;
/** The SDK reads a string as a file path (Node); content goes as bytes. */
const bytes = (s: string) => new TextEncoder().encode(s);

test('[ART-1][ART-2][ART-4][ART-5][ART-6] artifact tree, every viewer, streamed big text, download, and an upload with progress', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const relay = new URL(baseURL!).origin;
  const pageErrors = collectPageErrors(page.context());
  const data = tempDir('cairn-artifacts-');
  try {
    const client = await connect({ relay, workspace: 'default', dataDir: data.path });
    const experimentId = await client.createExperiment(`artifacts-${Date.now()}`);
    const run = await client.startRun({ experimentId, runName: 'artifact-run' });
    const bigLog = Array.from({ length: BIG_LOG_LINES }, (_, i) => `step ${i} loss ${(1 / (i + 1)).toFixed(6)}`).join('\n');
    await run.logArtifact('plots/loss.png', new Uint8Array(PNG), { mediaType: 'image/png' });
    await run.logArtifact('logs/train.log', bytes('epoch 1 started\nepoch 1 done\n'));
    await run.logArtifact('logs/big.log', bytes(bigLog));
    await run.logArtifact('metrics.json', bytes('{"accuracy":0.9,"classes":["cat","dog"]}'));
    await run.logArtifact('data/table.csv', bytes('name,score\n"Smith, J",0.5\nLee,0.75\n'));
    await run.logArtifact('report.html', bytes(HTML));
    await run.logArtifact('paper.pdf', bytes(PDF), { mediaType: 'application/pdf' });
    await run.logArtifact('model/MLmodel', bytes('artifact_path: model\nflavors:\n  onnx:\n    onnx_version: 1.15\n'));
    await run.end();
    await client.flush();
    await client.close();

    const rp = new RunPage(page);
    await rp.goto(run.id);
    await expect(rp.name).toHaveText('artifact-run', { timeout: FIRST_LOAD_TIMEOUT });

    // ART-1: folders from paths, open at first in a small tree; a folder collapses and expands.
    for (const name of ['plots', 'logs', 'data', 'model']) await expect(rp.folderToggle(name)).toBeVisible();
    await expect(rp.artifactButton('train.log')).toBeVisible();
    await rp.folderToggle('logs').click();
    await expect(rp.folderToggle('logs')).toHaveAttribute('aria-expanded', 'false');
    await expect(rp.artifactButton('train.log')).toHaveCount(0);
    await rp.folderToggle('logs').press('Enter');
    await expect(rp.artifactButton('train.log')).toBeVisible();

    // Image: streamed by the browser from the relay, decoded.
    await rp.openArtifact('loss.png');
    const img = page.getByTestId('artifact-image');
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(2);

    // Text, MLmodel (YAML), JSON pretty-printed.
    await rp.openArtifact('train.log');
    await expect(page.getByTestId('artifact-text')).toHaveText('epoch 1 started\nepoch 1 done\n');
    await rp.openArtifact('MLmodel');
    await expect(page.getByTestId('artifact-text')).toContainText('onnx_version: 1.15');
    await rp.openArtifact('metrics.json');
    await expect(page.getByTestId('artifact-text')).toHaveText('{\n  "accuracy": 0.9,\n  "classes": [\n    "cat",\n    "dog"\n  ]\n}');

    // CSV as a table (a quoted comma stays in its cell).
    await rp.openArtifact('table.csv');
    const table = page.getByTestId('artifact-table');
    await expect(table.getByRole('columnheader')).toHaveText(['name', 'score']);
    await expect(table.getByRole('row').nth(1).getByRole('cell')).toHaveText(['Smith, J', '0.5']);
    await expect(table.getByRole('row')).toHaveCount(3);

    // HTML in a sandbox: shown, its script never ran, the app's title untouched.
    const title = await page.title();
    await rp.openArtifact('report.html');
    const frame = page.getByTestId('artifact-html');
    await expect(frame).toHaveAttribute('sandbox', '');
    await expect(page.frameLocator('[data-testid="artifact-html"]').locator('#msg')).toHaveText('hello from the report');
    expect(await page.title()).toBe(title);

    // PDF: the browser's viewer over a typed object URL.
    await rp.openArtifact('paper.pdf');
    await expect(page.getByTestId('artifact-pdf')).toHaveAttribute('src', /^blob:/);

    // A big log: only its head is read, with "Load more".
    await rp.openArtifact('big.log');
    await expect(page.getByTestId('artifact-truncated')).toContainText('Showing the first 256 KiB');
    const shown = await page.getByTestId('artifact-text').textContent();
    expect(shown!.startsWith('step 0 loss 1.000000\n')).toBe(true);
    expect(shown!.length).toBeLessThan(bigLog.length);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(page.getByTestId('artifact-truncated')).toHaveCount(0);
    await expect(page.getByTestId('artifact-text')).toContainText(`step ${BIG_LOG_LINES - 1} loss`);

    // Download: named by the relay (content-disposition), streamed to disk.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('artifact-download').click()]);
    expect(download.suggestedFilename()).toBe('big.log');

    // ART-5: upload from the browser with a progress bar; the relay verified the worker's hash (a file over the
    // one-shot limit, so the worker hashed it in slices).
    const body = Buffer.concat([Buffer.from('uploaded from the browser\n'), Buffer.alloc(34 * 1024 * 1024, 'x')]);
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { __progress: number[] }).__progress = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[role="progressbar"], progress');
        const v = Number(bar?.getAttribute('aria-valuenow'));
        if (bar && seen.at(-1) !== v) seen.push(v);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    });
    await rp.upload({ name: 'notes.txt', mimeType: 'text/plain', buffer: body }, 'uploads');
    await expect(page.getByTestId('upload-status')).toContainText('Uploaded uploads/notes.txt', { timeout: 30_000 });
    await expect(rp.uploadProgress).toHaveAttribute('aria-valuenow', '100');
    // The bar moved through values on the way (hashing slices, upload progress), not straight to 100.
    const progress = await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
    expect(progress.some((v) => v > 0 && v < 100), `progress seen: ${progress.join(', ')}`).toBe(true);
    await expect(rp.folderToggle('uploads')).toBeVisible();
    await rp.openArtifact('notes.txt');
    await expect(page.getByTestId('artifact-text')).toContainText('uploaded from the browser');
    // A second page (a fresh worker) sees the recorded artifact through the relay.
    await page.reload();
    await expect(rp.artifactButton('notes.txt')).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
    expect(pageErrors()).toEqual([]);
  } finally {
    data.remove();
  }
});

import { expect, test, type Locator, type Page } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { encodeChunk } from '../../lib/doc/chunk-codec';
import { writeHostileMetricsDoc, writeHostileRun, writeHostileWorkspace, type HostileManifest } from '../shared/hostile-content';
import { connectHostilePeer, type HostilePeer } from '../shared/hostile-peer';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ExperimentPage } from './pages/experiment-page';
import { ExperimentsPage } from './pages/experiments-page';
import { RunPage } from './pages/run-page';

/*
 * lib/doc/SPEC.md DOC-L5..DOC-L8 in the real app: a hostile peer writes every field of every record with every wrong
 * type into the workspace doc, run docs and metrics docs, as raw Yjs through the relay (tests/shared/hostile-content.ts),
 * and so into the relay's experiment index, while
 * a person has the experiment open. The pages keep rendering: the good runs, every hostile run that is still a run
 * (by its id where its name is unusable), the good parts of a run full of junk, and no uncaught error anywhere.
 */

const runLabel = (m: HostileManifest, runId: string) => {
  const v = m.infoVictims.find((x) => x.runId === runId);
  return v && !v.corrupted.has('name') ? v.goodName : runId;
};

async function clickThrough(page: Page, link: Locator, heading: Locator, text: string) {
  await link.click();
  await expect(heading).toHaveText(text, { timeout: FIRST_LOAD_TIMEOUT });
  await page.goBack();
}

test('hostile content from a peer: the experiments, experiment and run pages still render', async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  const relay = new URL(baseURL!).origin;
  const pageErrors = collectPageErrors(page.context());
  const data = tempDir('cairn-hostile-');
  const peers: HostilePeer[] = [];
  try {
    // A well-behaved writer first: the Node SDK logs a good run.
    const name = `hostile-${Date.now()}`;
    const client = await connect({ relay, workspace: 'default', dataDir: data.path });
    const experimentId = await client.createExperiment(name);
    const good = await client.startRun({ experimentId, runName: 'good-run' });
    good.logParam('lr', '0.01');
    good.setTag('team', 'e2e');
    good.logMetric('loss', 0.5, { step: 1 });
    await good.logArtifact('good.txt', new TextEncoder().encode('hello'));
    await good.end();
    await client.flush();
    await client.close();

    const home = new ExperimentsPage(page);
    await home.goto();
    await home.expectListed(name);
    await home.open(name);
    const exp = new ExperimentPage(page);
    await expect(exp.runLink('good-run')).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });

    // The hostile peer writes while the runs table is open (the worker's live change path).
    const seed = 16 + Math.floor(Math.random() * 200);
    const ws = await connectHostilePeer(relay, 'default');
    peers.push(ws);
    const m = writeHostileWorkspace(ws.doc, experimentId, seed);
    // One peer connection per hostile run doc (its own room), each writing that run as raw Yjs.
    for (const id of m.runIds) {
      const p = await connectHostilePeer(relay, `default/run/${id}`);
      peers.push(p);
      writeHostileRun(p.doc, id, m);
    }
    const metricsDocs = await Promise.all([m.nestedRunId, good.id].map((id) => connectHostilePeer(relay, `default/run/${id}/metrics`)));
    peers.push(...metricsDocs);
    metricsDocs[0]!.doc.getArray('chunks').push([encodeChunk('m', [0, 1], [1_700_000_000_000, 1_700_000_000_001], [1, 0.5])]);
    for (const p of metricsDocs) writeHostileMetricsDoc(p.doc);
    await Promise.all(peers.map((p) => p.persisted()));

    const listed = [m.nestedRunId, ...m.infoVictims.map((v) => v.runId), ...m.containerVictims];
    const total = listed.length + 1;
    const expectRunsTable = async () => {
      await expect(page.getByRole('heading', { name: `Runs (${total})` })).toBeVisible({ timeout: FIRST_LOAD_TIMEOUT });
      await expect(exp.runLink('good-run')).toBeVisible();
      for (const v of m.infoVictims) await expect(exp.runLink(runLabel(m, v.runId)), v.label).toBeVisible();
      await expect(exp.runLink('nested-junk')).toBeVisible();
      await expect(exp.metricColumn('loss')).toBeVisible();
      await expect(exp.metricColumn('m')).toBeVisible();
      for (const id of [...m.orphanRunIds, ...m.nonMapRunIds]) await expect(exp.runsTable.locator(`[data-run-id="${id}"]`)).toHaveCount(0);
    };
    await expectRunsTable();
    // And the same from a cold start: a fresh worker reads it all from IndexedDB and the relay.
    await page.reload();
    await expectRunsTable();

    // Every hostile run's page, reached as a person would: from the table.
    const run = new RunPage(page);
    for (const v of m.infoVictims) await clickThrough(page, exp.runLink(runLabel(m, v.runId)), run.name, runLabel(m, v.runId));

    await exp.openRun('nested-junk');
    await expect(run.params.getByRole('row')).toHaveCount(3); // header, ok, p
    await expect(run.params.getByRole('row').filter({ hasText: 'ok' })).toContainText('1');
    await expect(run.tags.getByRole('row')).toHaveCount(2);
    await expect(run.artifacts.getByRole('row')).toHaveCount(2);
    await expect(run.artifacts).toContainText('model.txt');
    await expect(run.conflicts.getByRole('listitem')).toHaveCount(m.nestedConflicts.actor + m.nestedConflicts.at);
    await run.expectChartDrawn('m');
    await page.goBack();

    await exp.openRun('good-run');
    await expect(run.params.getByRole('row').filter({ hasText: 'lr' })).toContainText('0.01');
    await expect(run.tags.getByRole('row').filter({ hasText: 'team' })).toContainText('e2e');
    await expect(run.artifacts).toContainText('good.txt');
    await run.expectChartDrawn('loss');

    // The experiments page: every hostile experiment that is still one, by its id where its name is unusable.
    await home.goto();
    await home.expectListed(name);
    const expLabel = (v: HostileManifest['experimentVictims'][number]) => (v.corrupted.has('name') ? v.experimentId : v.goodName);
    for (const v of m.experimentVictims) await expect(home.experimentLink(expLabel(v)), v.label).toBeVisible();
    await expect(home.table.getByRole('link', { name: `bad-experiment-id-${seed}` })).toHaveCount(0);
    const heading = page.getByRole('heading', { level: 1 });
    for (const v of m.experimentVictims) {
      await home.experimentLink(expLabel(v)).click();
      await expect(heading).toHaveText(expLabel(v), { timeout: FIRST_LOAD_TIMEOUT });
      await expect(page.getByTestId('runs-empty')).toBeVisible();
      await page.goBack();
    }
    expect(pageErrors()).toEqual([]);
  } finally {
    for (const p of peers) p.close();
    data.remove();
  }
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as doc from '../../lib/doc/index';
import { connectClient, waitSynced } from './helpers/clients';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { isEnvelope, mlflowClient, type MlflowClient } from './helpers/mlflow';

/** REST-20: the runs of a deleted experiment are served as deleted; restoring the experiment brings them back. */
describe('REST door: runs of a deleted experiment', () => {
  let relay: TestRelay;
  let c: MlflowClient;

  beforeAll(async () => {
    relay = await startTestRelay();
    c = mlflowClient(relay.url);
  });
  afterAll(async () => {
    await relay.dispose();
  });

  const stage = async (run: string) => (await c.get('runs/get', { run_id: run })).json.run.info.lifecycle_stage as string;
  const search = async (exps: string[], view?: string) => {
    const r = await c.post('runs/search', { experiment_ids: exps, ...(view ? { run_view_type: view } : {}) });
    expect(r.status, r.text).toBe(200);
    return ((r.json.runs ?? []) as { info: { run_id: string; lifecycle_stage: string } }[]).map((x) => `${x.info.run_id}:${x.info.lifecycle_stage}`).sort();
  };

  it('[REST-20] runs/get and runs/search (ACTIVE_ONLY, DELETED_ONLY, ALL) serve the runs of a deleted experiment as deleted; restore brings back all but the runs deleted on their own', async () => {
    const exp = (await c.post('experiments/create', { name: 'to-delete' })).json.experiment_id as string;
    const other = (await c.post('experiments/create', { name: 'stays' })).json.experiment_id as string;
    const mk = async (e: string) => (await c.post('runs/create', { experiment_id: e })).json.run.info.run_id as string;
    const [a, b, gone, o] = [await mk(exp), await mk(exp), await mk(exp), await mk(other)];
    expect((await c.post('runs/delete', { run_id: gone })).status).toBe(200);
    await c.post('runs/log-inputs', { run_id: a, datasets: [{ dataset: { name: 'ds', digest: 'd1', source_type: 'local', source: '{}' } }] });
    const datasets = async () => ((await c.post('experiments/search-datasets', { experiment_ids: [exp] })).json.dataset_summaries ?? []).length as number;
    expect(await datasets()).toBe(1);

    expect((await c.post('experiments/delete', { experiment_id: exp })).status).toBe(200);
    expect(await datasets()).toBe(0);
    expect([await stage(a), await stage(b), await stage(gone), await stage(o)]).toEqual(['deleted', 'deleted', 'deleted', 'active']);
    expect(await search([exp, other])).toEqual([`${o}:active`]);
    expect(await search([exp, other], 'ACTIVE_ONLY')).toEqual([`${o}:active`]);
    expect(await search([exp, other], 'DELETED_ONLY')).toEqual([`${a}:deleted`, `${b}:deleted`, `${gone}:deleted`].sort());
    expect(await search([exp, other], 'ALL')).toEqual([`${a}:deleted`, `${b}:deleted`, `${gone}:deleted`, `${o}:active`].sort());
    // Writes are refused as MLflow refuses them (the run is deleted).
    const w = await c.post('runs/set-tag', { run_id: a, key: 'k', value: 'v' });
    expect(isEnvelope(w, 'INVALID_PARAMETER_VALUE')).toBe(true);
    expect(w.json.message).toBe(`The run ${a} must be in the 'active' state. Current state is deleted.`);
    // The run docs keep their own lifecycle: a browser with run `a` open still sees it active (the app hides the
    // experiment); nothing was written per run.
    const browser = connectClient(relay.url, `default/run/${a}`);
    try {
      await waitSynced(browser);
      expect(doc.readRun(a, browser.doc)!.info.lifecycleStage).toBe('active');
    } finally {
      browser.destroy();
    }

    expect((await c.post('experiments/restore', { experiment_id: exp })).status).toBe(200);
    expect([await stage(a), await stage(b), await stage(gone)]).toEqual(['active', 'active', 'deleted']);
    expect(await search([exp])).toEqual([`${a}:active`, `${b}:active`].sort());
    expect(await search([exp], 'DELETED_ONLY')).toEqual([`${gone}:deleted`]);
    expect(await datasets()).toBe(1);
    expect((await c.post('runs/set-tag', { run_id: a, key: 'k', value: 'v' })).status).toBe(200);
  });

  it('[REST-20] a run restored on its own while its experiment is deleted stays served as deleted until the experiment is restored', async () => {
    const exp = (await c.post('experiments/create', { name: 'restore-order' })).json.experiment_id as string;
    const run = (await c.post('runs/create', { experiment_id: exp })).json.run.info.run_id as string;
    await c.post('runs/delete', { run_id: run });
    await c.post('experiments/delete', { experiment_id: exp });
    expect((await c.post('runs/restore', { run_id: run })).status).toBe(200);
    expect(await stage(run)).toBe('deleted');
    await c.post('experiments/restore', { experiment_id: exp });
    expect(await stage(run)).toBe('active');
  });
});

import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as doc from '../../lib/doc/index';
import { openRelayDatabase } from '../../server/relay/database';
import { SqliteDocStore } from '../../server/relay/sqlite-doc-store';
import { connectClient, waitSynced } from './helpers/clients';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { isEnvelope, mlflowClient, type MlflowClient } from './helpers/mlflow';
import { waitFor } from './helpers/wait';

describe('REST door: writes into the synced documents', () => {
  let relay: TestRelay;
  let c: MlflowClient;
  let exp: string;

  const newRun = async (body: Record<string, unknown> = {}) => {
    const r = await c.post('runs/create', { experiment_id: exp, start_time: 10, ...body });
    expect(r.status, r.text).toBe(200);
    return r.json.run.info.run_id as string;
  };
  const stateVector = async (room: string) => Buffer.from(await (await fetch(`${relay.url}/sv/${room}`)).arrayBuffer()).toString('hex');

  beforeAll(async () => {
    relay = await startTestRelay();
    c = mlflowClient(relay.url);
    exp = (await c.post('experiments/create', { name: 'writes' })).json.experiment_id;
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[REST-6] a write is committed to SQLite before its 200, lands in the run doc, and a synced client sees it live', async () => {
    const id = await newRun({ run_name: 'live' });
    const browser = connectClient(relay.url, `default/run/${id}`);
    try {
      await waitSynced(browser);
      expect(doc.readRun(id, browser.doc)?.info.runName).toBe('live');
      const logged = await c.post('runs/log-batch', {
        run_id: id,
        params: [{ key: 'lr', value: '0.1' }],
        metrics: [{ key: 'loss', value: 0.5, timestamp: 5, step: 1 }],
      });
      expect(logged.status).toBe(200);
      // On disk at the time of the answer: a second reader of the same SQLite file finds it.
      const db = openRelayDatabase(relay.dataDir);
      try {
        const d = new Y.Doc();
        for (const row of new SqliteDocStore(db).load(`default/run/${id}`)) Y.applyUpdate(d, row.data);
        const run = doc.readRun(id, d)!;
        expect(run.params).toEqual({ lr: '0.1' });
        expect(run.metrics.loss?.latest).toBe(0.5);
        const m = new Y.Doc();
        for (const row of new SqliteDocStore(db).load(`default/run/${id}/metrics`)) Y.applyUpdate(m, row.data);
        expect(doc.metricHistory(m, 'loss')).toEqual([{ step: 1, timestamp: 5, value: 0.5 }]);
        // The relay wrote as its own writer.
        expect([...doc.runMetrics(d).keys()]).toEqual([`loss${doc.SEP}rest:open`]);
      } finally {
        db.close();
      }
      await waitFor(() => doc.readRun(id, browser.doc)?.params.lr === '0.1', 'the browser to see the REST write');
      expect(doc.readRun(id, browser.doc)?.metrics.loss?.latest).toBe(0.5);
      // The other way: what the browser writes, a REST read sees (no stale view of the run is served).
      expect((await c.get('runs/get', { run_id: id })).json.run.data.tags).not.toContainEqual({ key: 'from', value: 'browser' });
      doc.setTag({ ws: new Y.Doc(), actor: 'browser', runDoc: () => browser.doc }, { runId: id, key: 'from', value: 'browser' });
      expect(await browser.flush()).toBe(0);
      expect((await c.get('runs/get', { run_id: id })).json.run.data.tags).toContainEqual({ key: 'from', value: 'browser' });
      // And the workspace doc carries experiments the same way.
      const ws = connectClient(relay.url, 'default');
      try {
        await waitSynced(ws);
        await c.post('experiments/set-experiment-tag', { experiment_id: exp, key: 'k', value: 'v' });
        await waitFor(() => doc.getExperiment(ws.doc, exp)?.tags.k === 'v', 'the experiment tag to arrive');
      } finally {
        ws.destroy();
      }
    } finally {
      browser.destroy();
    }
  });

  it('[REST-7] refused requests change no document', async () => {
    const id = await newRun();
    await c.post('runs/log-parameter', { run_id: id, key: 'p', value: 'first' });
    const rooms = ['default', `default/run/${id}`, `default/run/${id}/metrics`];
    const before = await Promise.all(rooms.map(stateVector));
    const refusals = [
      await c.post('runs/log-parameter', { run_id: id, key: 'p', value: 'second' }),
      await c.post('runs/log-batch', { run_id: id, params: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }),
      await c.post('runs/log-batch', { run_id: id, metrics: [{ key: 'ok', value: 1, timestamp: 1 }, { key: 'bad//key', value: 1, timestamp: 1 }] }),
      await c.post('runs/log-batch', { run_id: id, metrics: [{ key: 'ok', value: 1, timestamp: -1 }] }),
      await c.post('runs/log-batch', { run_id: id, params: [{ key: 'fine', value: 'x' }], tags: [{ key: '../up', value: 'x' }] }),
      await c.post('runs/set-tag', { run_id: id, key: '', value: 'x' }),
      await c.post('runs/delete-tag', { run_id: id, key: 'not-there' }),
      await c.post('experiments/create', { name: 'writes' }),
      await c.post('experiments/set-experiment-tag', { experiment_id: exp, key: 'x'.repeat(300), value: 'v' }),
      await c.post('runs/update', { run_id: id, status: 'SIDEWAYS' }),
    ];
    for (const r of refusals) expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(await Promise.all(rooms.map(stateVector))).toEqual(before);
  });

  it('[REST-8] log-batch limits in MLflow\'s words; over-long param and tag values are truncated', async () => {
    const id = await newRun();
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
    const over = await c.post('runs/log-batch', { run_id: id, metrics });
    expect(over.status).toBe(400);
    expect(over.json.message).toBe('A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.');
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    expect((await c.post('runs/log-batch', { run_id: id, params })).json.message).toMatch(/at most 100 params\. Got 101 params/);
    const all = [...Array.from({ length: 900 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }))];
    const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'v' }));
    const p100 = Array.from({ length: 100 }, (_, i) => ({ key: `q${i}`, value: 'v' }));
    expect((await c.post('runs/log-batch', { run_id: id, metrics: all, tags, params: p100 })).json.message).toMatch(/at most 1000 total entities/);
    const big = await c.post('runs/log-batch', { run_id: id, tags: [{ key: 'big', value: 'x'.repeat(1_000_001) }] });
    expect(big.status).toBe(400);
    expect(isEnvelope(big, 'INVALID_PARAMETER_VALUE')).toBe(true);
    const longKey = await c.post('runs/log-parameter', { run_id: id, key: 'k'.repeat(251), value: 'v' });
    expect(longKey.status).toBe(400);
    expect((await c.post('runs/log-parameter', { run_id: id, key: 'long', value: 'x'.repeat(9000) })).status).toBe(200);
    expect((await c.post('runs/set-tag', { run_id: id, key: 'longtag', value: 'y'.repeat(9000) })).status).toBe(200);
    const run = (await c.get('runs/get', { run_id: id })).json.run;
    const find = (list: { key: string; value: string }[], k: string) => list.find((e) => e.key === k)!.value;
    expect(find(run.data.params, 'long').length).toBe(6000);
    expect(find(run.data.tags, 'longtag').length).toBe(8000);
    expect(run.data.metrics).toBeUndefined();
  });

  it('[REST-9] run names mirror mlflow.runName; params are write-once; deleted runs and runs of deleted experiments refuse writes; log-inputs, log-model', async () => {
    const named = (await c.post('runs/create', { experiment_id: exp, tags: [{ key: 'mlflow.runName', value: 'from-tag' }] })).json.run;
    expect(named.info.run_name).toBe('from-tag');
    const gen = (await c.post('runs/create', { experiment_id: exp })).json.run;
    expect(gen.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d{3}$/);
    expect(gen.data.tags).toContainEqual({ key: 'mlflow.runName', value: gen.info.run_name });
    const both = await c.post('runs/create', { experiment_id: exp, run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] });
    expect(both.status).toBe(400);
    const id = gen.info.run_id as string;
    const upd = await c.post('runs/update', { run_id: id, status: 'FINISHED', end_time: 99, run_name: 'renamed' });
    expect(upd.json.run_info).toMatchObject({ run_name: 'renamed', status: 'FINISHED', end_time: 99 });
    expect((await c.get('runs/get', { run_id: id })).json.run.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'renamed' });
    expect((await c.post('runs/log-parameter', { run_id: id, key: 'lr', value: '0.01' })).status).toBe(200);
    expect((await c.post('runs/log-parameter', { run_id: id, key: 'lr', value: '0.01' })).status).toBe(200);
    const changed = await c.post('runs/log-parameter', { run_id: id, key: 'lr', value: '0.02' });
    expect(changed.status).toBe(400);
    expect(changed.json.message).toBe(
      `Changing param values is not allowed. Param with key='lr' was already logged with value='0.01' for run ID='${id}'. Attempted logging new value '0.02'.`,
    );
    // Nested: the parent tag is kept.
    const child = (await c.post('runs/create', { experiment_id: exp, tags: [{ key: 'mlflow.parentRunId', value: id }] })).json.run;
    expect(child.data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: id });
    // Deleted run: refused in MLflow's words; restore lets writes in again.
    expect((await c.post('runs/delete', { run_id: id })).status).toBe(200);
    expect((await c.get('runs/get', { run_id: id })).json.run.info.lifecycle_stage).toBe('deleted');
    const dead = await c.post('runs/log-metric', { run_id: id, key: 'm', value: 1, timestamp: 1 });
    expect(dead.status).toBe(400);
    expect(dead.json.message).toBe(`The run ${id} must be in the 'active' state. Current state is deleted.`);
    expect((await c.post('runs/restore', { run_id: id })).status).toBe(200);
    expect((await c.post('runs/log-metric', { run_id: id, key: 'm', value: 1, timestamp: 1 })).status).toBe(200);
    // A run of a deleted experiment.
    const e2 = (await c.post('experiments/create', { name: 'to-delete-runs' })).json.experiment_id;
    const r2 = (await c.post('runs/create', { experiment_id: e2 })).json.run.info.run_id;
    await c.post('experiments/delete', { experiment_id: e2 });
    const inDeleted = await c.post('runs/set-tag', { run_id: r2, key: 't', value: 'v' });
    expect(inDeleted.status).toBe(400);
    expect(inDeleted.json.message).toBe(`The run ${r2} must be in the 'active' state. Current state is deleted.`);
    expect((await c.post('runs/create', { experiment_id: e2 })).status).toBe(400);
    // log-inputs
    const inputs = await c.post('runs/log-inputs', {
      run_id: id,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'd', digest: 'abc', source_type: 'local', source: '{}' } }],
      models: [{ model_id: 'm-1' }],
    });
    expect(inputs.status).toBe(200);
    expect((await c.get('runs/get', { run_id: id })).json.run.inputs).toEqual({
      dataset_inputs: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'd', digest: 'abc', source_type: 'local', source: '{}' } }],
    });
    // log-model: appended to mlflow.log-model.history.
    const m1 = { artifact_path: 'model', flavors: { python_function: {} }, utc_time_created: '2026-12-01 00:00:00.000000', run_id: id };
    expect((await c.post('runs/log-model', { run_id: id, model_json: JSON.stringify(m1) })).status).toBe(200);
    expect((await c.post('runs/log-model', { run_id: id, model_json: JSON.stringify({ ...m1, artifact_path: 'm2' }) })).status).toBe(200);
    const hist = (await c.get('runs/get', { run_id: id })).json.run.data.tags.find((t: { key: string }) => t.key === 'mlflow.log-model.history');
    expect(JSON.parse(hist.value).map((m: { artifact_path: string }) => m.artifact_path)).toEqual(['model', 'm2']);
    const incomplete = await c.post('runs/log-model', { run_id: id, model_json: JSON.stringify({ artifact_path: 'x' }) });
    expect(incomplete.status).toBe(400);
    expect(incomplete.json.message).toMatch(/missing mandatory fields/);
    const missing = await c.post('runs/set-tag', { run_id: 'f'.repeat(32), key: 't', value: 'v' });
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe(`Run with id=${'f'.repeat(32)} not found`);
  });

  it('[REST-19] exact duplicate points are dropped: a retried request logs nothing twice', async () => {
    const id = await newRun();
    const batch = { run_id: id, metrics: [{ key: 'm', value: 1, timestamp: 5, step: 0 }, { key: 'm', value: 'NaN', timestamp: 6, step: 1 }, { key: 'm', value: 'NaN', timestamp: 6, step: 1 }] };
    expect((await c.post('runs/log-batch', batch)).status).toBe(200);
    expect((await c.post('runs/log-batch', batch)).status).toBe(200);
    await c.post('runs/log-metric', { run_id: id, key: 'm', value: 1, timestamp: 5, step: 0 });
    // Not duplicates: another value, time or step at an earlier step.
    await c.post('runs/log-batch', { run_id: id, metrics: [{ key: 'm', value: 2, timestamp: 5, step: 0 }, { key: 'm', value: 1, timestamp: 7, step: 0 }, { key: 'm', value: 3, timestamp: 8, step: 2 }] });
    const h = (await c.get('metrics/get-history', { run_id: id, metric_key: 'm' })).json.metrics as { value: unknown; timestamp: number; step: number }[];
    expect(h.map((p) => [p.step, p.timestamp, p.value])).toEqual([
      [0, 5, 1],
      [0, 5, 2],
      [0, 7, 1],
      [1, 6, 'NaN'],
      [2, 8, 3],
    ]);
  });

  it('[REST-10] experiments: create with tags, get, get-by-name, rename, tags, soft delete with the name kept taken, Default "0"', async () => {
    const made = await c.post('experiments/create', { name: 'exp-life', artifact_location: 's3://b/x', tags: [{ key: 'team', value: 'a' }] });
    const id = made.json.experiment_id as string;
    const got = (await c.get('experiments/get', { experiment_id: id })).json.experiment;
    expect(got).toMatchObject({ experiment_id: id, name: 'exp-life', artifact_location: 's3://b/x', lifecycle_stage: 'active', tags: [{ key: 'team', value: 'a' }] });
    expect(typeof got.creation_time).toBe('number');
    expect((await c.get('experiments/get', { experiment_id: '987654321' })).json.message).toBe('No Experiment with id=987654321 exists');
    expect((await c.get('experiments/get-by-name', { experiment_name: 'nope' })).json.message).toBe("Could not find experiment with name 'nope'");
    expect((await c.post('experiments/update', { experiment_id: id, new_name: 'exp-life-2' })).status).toBe(200);
    expect((await c.get('experiments/get-by-name', { experiment_name: 'exp-life-2' })).json.experiment.experiment_id).toBe(id);
    expect((await c.post('experiments/set-experiment-tag', { experiment_id: id, key: 'stage', value: 'x' })).status).toBe(200);
    expect((await c.post('experiments/delete-experiment-tag', { experiment_id: id, key: 'team' })).status).toBe(200);
    expect((await c.get('experiments/get', { experiment_id: id })).json.experiment.tags).toEqual([{ key: 'stage', value: 'x' }]);
    expect((await c.post('experiments/delete', { experiment_id: id })).status).toBe(200);
    expect((await c.get('experiments/get', { experiment_id: id })).json.experiment.lifecycle_stage).toBe('deleted');
    const taken = await c.post('experiments/create', { name: 'exp-life-2' });
    expect(taken.status).toBe(400);
    expect(isEnvelope(taken, 'RESOURCE_ALREADY_EXISTS')).toBe(true);
    expect((await c.post('experiments/restore', { experiment_id: id })).status).toBe(200);
    const dflt = (await c.get('experiments/get', { experiment_id: '0' })).json.experiment;
    expect(dflt).toMatchObject({ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' });
    const noName = await c.post('experiments/create', {});
    expect(noName.json.message).toBe("Missing value for required parameter 'name'. See the API docs for more information about request parameters.");
  });
});

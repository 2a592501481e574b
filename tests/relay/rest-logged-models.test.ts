import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { isEnvelope, mlflowClient, type MlflowClient } from './helpers/mlflow';

/** What mlflow.sklearn.log_model(..., registered_model_name=...) then pyfunc.load_model("models:/name/1") send (MLflow 3.6). */
describe('REST door: MLflow 3 logged models', () => {
  let relay: TestRelay;
  let c: MlflowClient;
  let exp: string;
  let run: string;
  const json = { 'content-type': 'application/json' };
  const patch = (endpoint: string, body: unknown) => c.call('PATCH', `/api/2.0/mlflow/${endpoint}`, JSON.stringify(body), json);
  const art = (p: string) => `/api/2.0/mlflow-artifacts/artifacts/${p}`;

  beforeAll(async () => {
    relay = await startTestRelay();
    c = mlflowClient(`${relay.url}/w/lm`);
    exp = (await c.post('experiments/create', { name: 'lm' })).json.experiment_id;
    run = (await c.post('runs/create', { experiment_id: exp })).json.run.info.run_id;
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[REST-26] [REST-27] [REST-28] log a model, upload its files, mark it ready, register it and download it by models:/name/1', async () => {
    const created = await c.post('logged-models', { experiment_id: exp, name: 'clf', source_run_id: run, params: [{ key: 'C', value: '1.0' }], tags: [{ key: 'mlflow.user', value: 'me' }] });
    expect(created.status, created.text).toBe(200);
    const info = created.json.model.info;
    const id: string = info.model_id;
    expect(id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(info).toMatchObject({ experiment_id: exp, name: 'clf', status: 'LOGGED_MODEL_PENDING', model_type: '', source_run_id: run, artifact_uri: `mlflow-artifacts:/${exp}/models/${id}/artifacts` });
    expect(created.json.model.data).toEqual({ params: [{ key: 'C', value: '1.0' }] });

    expect((await c.post('runs/outputs', { run_id: run, models: [{ model_id: id, step: 0 }] })).status).toBe(200);
    expect((await c.get('runs/get', { run_id: run })).json.run.outputs).toEqual({ model_outputs: [{ model_id: id, step: 0 }] });

    for (const [name, body] of [['MLmodel', 'artifact_path: x\n'], ['sub/model.pkl', 'PKL']] as const) {
      const put = await c.call('PUT', art(`${exp}/models/${id}/artifacts/${name}`), body, { 'content-type': 'application/octet-stream' });
      expect(put.status, put.text).toBe(200);
    }
    const ready = await patch(`logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' });
    expect(ready.json.model.info.status).toBe('LOGGED_MODEL_READY');

    await c.post('registered-models/create', { name: 'clf-reg' });
    const v = await c.post('model-versions/create', { name: 'clf-reg', source: `models:/${id}`, model_id: id });
    expect(v.json.model_version).toMatchObject({ version: '1', source: `models:/${id}`, run_id: run, status: 'READY' });
    // REST-28: the logged model lists the version, in Python's JSON spacing.
    expect((await c.get(`logged-models/${id}`)).json.model.info.tags).toContainEqual({ key: 'mlflow.modelVersions', value: '[{"name": "clf-reg", "version": 1}]' });
    expect((await patch(`logged-models/${id}/tags`, { tags: [{ key: 'k', value: 'v' }] })).status).toBe(200);
    expect((await c.get(`logged-models/${id}`)).json.model.info.tags).toContainEqual({ key: 'k', value: 'v' });

    const uri = (await c.get('model-versions/get-download-uri', { name: 'clf-reg', version: '1' })).json.artifact_uri;
    expect(uri).toBe(`mlflow-artifacts:/${exp}/models/${id}/artifacts`);
    const listed = await c.call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${exp}/models/${id}/artifacts`)}`);
    expect(listed.json.files).toEqual([
      { path: 'MLmodel', is_dir: false, file_size: 17 },
      { path: 'sub', is_dir: true },
    ]);
    const got = await c.call('GET', art(`${exp}/models/${id}/artifacts/sub/model.pkl`));
    expect([got.status, got.text]).toEqual([200, 'PKL']);
    // The run's own root listing does not show the logged model's folder.
    expect((await c.call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${exp}/${run}/artifacts`)}`)).text).toBe('{}');
  });

  it('[REST-26] search by experiment with a filter and order; unknown ids 404; a model needs its source run', async () => {
    const a = (await c.post('logged-models', { experiment_id: exp, name: 'alpha', source_run_id: run })).json.model.info.model_id;
    await c.post('logged-models', { experiment_id: exp, name: 'beta', source_run_id: run, model_type: 'sk' });
    const names = (r: { json: { models?: { info: { name: string } }[] } }) => (r.json.models ?? []).map((m) => m.info.name);
    expect(names(await c.post('logged-models/search', { experiment_ids: [exp], filter: "name = 'alpha'" }))).toEqual(['alpha']);
    expect(names(await c.post('logged-models/search', { experiment_ids: [exp], filter: "name LIKE '%a' AND model_type = 'sk'" }))).toEqual(['beta']);
    expect(names(await c.post('logged-models/search', { experiment_ids: [exp], order_by: [{ field_name: 'name', ascending: true }] }))).toEqual(['alpha', 'beta', 'clf']);
    const p1 = await c.post('logged-models/search', { experiment_ids: [exp], max_results: 2 });
    expect(names(p1)).toHaveLength(2);
    expect(names(await c.post('logged-models/search', { experiment_ids: [exp], max_results: 2, page_token: p1.json.next_page_token }))).toHaveLength(1);
    expect((await c.post('logged-models/search', { experiment_ids: ['424242'] })).json).toEqual({});
    expect((await c.get(`logged-models/${a}`)).json.model.info.name).toBe('alpha');
    const missing = await c.get(`logged-models/m-${'0'.repeat(32)}`);
    expect([missing.status, isEnvelope(missing, 'RESOURCE_DOES_NOT_EXIST')]).toEqual([404, true]);
    expect((await c.post('logged-models', { experiment_id: exp, name: 'orphan' })).status).toBe(400);
    const badVersion = await c.post('model-versions/create', { name: 'clf-reg', source: `models:/m-${'0'.repeat(32)}`, model_id: `m-${'0'.repeat(32)}` });
    expect(badVersion.status).toBe(404);
  });

  it('[REST-29] metrics logged with a model_id are kept with the logged model too; an unknown model id writes nothing', async () => {
    const id = (await c.post('logged-models', { experiment_id: exp, name: 'with-metrics', source_run_id: run })).json.model.info.model_id;
    const ok = await c.post('runs/log-batch', { run_id: run, metrics: [{ key: 'acc', value: 0.75, timestamp: 7, step: 2, model_id: id }] });
    expect(ok.status, ok.text).toBe(200);
    await c.post('runs/log-metric', { run_id: run, key: 'loss', value: 'NaN', timestamp: 8, step: 0, model_id: id });
    const m = (await c.get(`logged-models/${id}`)).json.model;
    expect(m.data.metrics).toEqual([
      { key: 'acc', value: 0.75, timestamp: 7, step: 2, model_id: id, run_id: run },
      { key: 'loss', value: 'NaN', timestamp: 8, step: 0, model_id: id, run_id: run },
    ]);
    expect((await c.get('metrics/get-history', { run_id: run, metric_key: 'acc', max_results: 10 })).json.metrics).toEqual([{ key: 'acc', value: 0.75, timestamp: 7, step: 2 }]);
    const bad = await c.post('runs/log-batch', { run_id: run, metrics: [{ key: 'zz', value: 1, timestamp: 1, step: 0, model_id: `m-${'0'.repeat(32)}` }] });
    expect(bad.status).toBe(404);
    expect((await c.get('metrics/get-history', { run_id: run, metric_key: 'zz', max_results: 10 })).json).toEqual({});
  });
});

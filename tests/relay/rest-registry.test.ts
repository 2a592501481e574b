import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as reg from '../../lib/registry/index';
import { modelVersionJson, registeredModelJson } from '../../server/relay/mlflow-rest/registry-entities';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { isEnvelope, mlflowClient, type MlflowClient } from './helpers/mlflow';

describe('REST door: the model registry', () => {
  let relay: TestRelay;
  let c: MlflowClient;
  let run: string;
  let exp: string;
  const json = { 'content-type': 'application/json' };
  const patch = (endpoint: string, body: unknown) => c.call('PATCH', `/api/2.0/mlflow/${endpoint}`, JSON.stringify(body), json);
  const del = (endpoint: string, body: unknown) => c.call('DELETE', `/api/2.0/mlflow/${endpoint}`, JSON.stringify(body), json);

  beforeAll(async () => {
    relay = await startTestRelay();
    c = mlflowClient(`${relay.url}/w/reg`);
    exp = (await c.post('experiments/create', { name: 'reg-src' })).json.experiment_id;
    run = (await c.post('runs/create', { experiment_id: exp })).json.run.info.run_id;
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[REST-21] models and versions: create, get, update, tags, aliases, stages (any case), delete — entities as MLflow writes them', async () => {
    const m = await c.post('registered-models/create', { name: 'm1', tags: [{ key: 'team', value: 'a' }], description: 'd' });
    expect(m.status, m.text).toBe(200);
    expect(m.json.registered_model).toMatchObject({ name: 'm1', description: 'd', tags: [{ key: 'team', value: 'a' }] });
    expect(m.json.registered_model.latest_versions).toBeUndefined();
    const v1 = await c.post('model-versions/create', { name: 'm1', source: `runs:/${run}/model`, run_id: run, tags: [{ key: 'k', value: 'v' }] });
    expect(v1.json.model_version).toMatchObject({ name: 'm1', version: '1', current_stage: 'None', description: '', run_link: '', status: 'READY', run_id: run });
    const v2 = await c.post('model-versions/create', { name: 'm1', source: `mlflow-artifacts:/${exp}/${run}/artifacts/model` });
    expect(v2.json.model_version.version).toBe('2');
    expect(v2.json.model_version.tags).toBeUndefined();

    expect((await c.post('registered-models/alias', { name: 'm1', alias: 'champion', version: '1' })).status).toBe(200);
    const byAlias = await c.get('registered-models/alias', { name: 'm1', alias: 'champion' });
    expect(byAlias.json.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    const got = await c.get('model-versions/get', { name: 'm1', version: '1' });
    expect(got.json.model_version.aliases).toEqual(['champion']);

    const st = await c.post('model-versions/transition-stage', { name: 'm1', version: '1', stage: 'production', archive_existing_versions: false });
    expect(st.json.model_version).toMatchObject({ current_stage: 'Production', aliases: ['champion'] });
    const st2 = await c.post('model-versions/transition-stage', { name: 'm1', version: '2', stage: 'PRODUCTION', archive_existing_versions: true });
    expect(st2.json.model_version.current_stage).toBe('Production');
    expect((await c.get('model-versions/get', { name: 'm1', version: '1' })).json.model_version.current_stage).toBe('Archived');

    const model = (await c.get('registered-models/get', { name: 'm1' })).json.registered_model;
    expect(model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    expect(model.latest_versions.map((v: { version: string; current_stage: string }) => [v.version, v.current_stage])).toEqual([['1', 'Archived'], ['2', 'Production']]);
    // latest_versions never carry aliases.
    expect(model.latest_versions[0].aliases).toBeUndefined();

    const latest = await c.get('registered-models/get-latest-versions', { name: 'm1', stages: ['production'] });
    expect(latest.json.model_versions.map((v: { version: string }) => v.version)).toEqual(['2']);
    expect((await c.post('registered-models/get-latest-versions', { name: 'm1' })).json.model_versions).toHaveLength(2);

    expect((await patch('registered-models/update', { name: 'm1', description: 'new' })).json.registered_model.description).toBe('new');
    expect((await patch('model-versions/update', { name: 'm1', version: '2', description: 'v2!' })).json.model_version.description).toBe('v2!');
    await c.post('registered-models/set-tag', { name: 'm1', key: 'x', value: 'y' });
    await del('registered-models/delete-tag', { name: 'm1', key: 'team' });
    expect((await c.get('registered-models/get', { name: 'm1' })).json.registered_model.tags).toEqual([{ key: 'x', value: 'y' }]);
    await c.post('model-versions/set-tag', { name: 'm1', version: '2', key: 'ok', value: '1' });
    await del('model-versions/delete-tag', { name: 'm1', version: '1', key: 'k' });
    expect((await c.get('model-versions/get', { name: 'm1', version: '1' })).json.model_version.tags).toBeUndefined();
    expect((await c.get('model-versions/get', { name: 'm1', version: '2' })).json.model_version.tags).toEqual([{ key: 'ok', value: '1' }]);

    await del('registered-models/alias', { name: 'm1', alias: 'champion' });
    const missingAlias = await c.get('registered-models/alias', { name: 'm1', alias: 'champion' });
    expect(missingAlias.status).toBe(400);
    expect(missingAlias.json.message).toBe('Registered model alias champion not found.');

    const renamed = await c.post('registered-models/rename', { name: 'm1', new_name: 'm1b' });
    expect(renamed.json.registered_model.latest_versions[0].name).toBe('m1b');
    await del('model-versions/delete', { name: 'm1b', version: '2' });
    expect((await c.get('model-versions/get', { name: 'm1b', version: '2' })).status).toBe(404);
    // A deleted number is never given again (REG-V2).
    expect((await c.post('model-versions/create', { name: 'm1b', source: `runs:/${run}/model` })).json.model_version.version).toBe('3');
    await del('registered-models/delete', { name: 'm1b' });
    const gone = await c.get('registered-models/get', { name: 'm1b' });
    expect(gone.status).toBe(404);
    expect(isEnvelope(gone, 'RESOURCE_DOES_NOT_EXIST')).toBe(true);
  });

  it('[REST-21] errors in MLflow words: reserved aliases, bad stage, duplicate and missing models, alias POST needs a version', async () => {
    await c.post('registered-models/create', { name: 'e1' });
    await c.post('model-versions/create', { name: 'e1', source: `runs:/${run}/model` });
    const reserved = await c.post('registered-models/alias', { name: 'e1', alias: 'latest', version: '1' });
    expect([reserved.status, reserved.json.message]).toEqual([400, "'latest' alias name (case insensitive) is reserved."]);
    const stage = await c.post('model-versions/transition-stage', { name: 'e1', version: '1', stage: 'Bogus', archive_existing_versions: false });
    expect(stage.json.message).toBe('Invalid Model Version stage: Bogus. Value must be one of None, Staging, Production, Archived.');
    const dup = await c.post('registered-models/create', { name: 'e1' });
    expect([dup.status, dup.json.error_code]).toEqual([400, 'RESOURCE_ALREADY_EXISTS']);
    const missing = await c.post('model-versions/create', { name: 'nope', source: `runs:/${run}/model` });
    expect([missing.status, missing.json.message]).toEqual([404, 'Registered Model with name=nope not found']);
    const noVersion = await c.post('registered-models/alias', { name: 'e1', alias: 'a' });
    expect(noVersion.status).toBe(400);
    expect(noVersion.json.message).toMatch(/Missing value for required parameter 'version'/);
    // A PATCH endpoint answers 405 to POST, with Allow.
    const wrong = await c.post('registered-models/update', { name: 'e1' });
    expect([wrong.status, wrong.headers.allow]).toEqual([405, 'PATCH']);
  });

  it('[REST-22] model-versions/create answers its number (numbered in the same commit) and checks run_id exists', async () => {
    await c.post('registered-models/create', { name: 'n1' });
    const nums: string[] = [];
    for (let i = 0; i < 3; i++) nums.push((await c.post('model-versions/create', { name: 'n1', source: `runs:/${run}/m${i}` })).json.model_version.version);
    expect(nums).toEqual(['1', '2', '3']);
    const bad = await c.post('model-versions/create', { name: 'n1', source: `runs:/${'f'.repeat(32)}/m`, run_id: 'f'.repeat(32) });
    expect([bad.status, bad.json.error_code, bad.json.message]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${'f'.repeat(32)} not found`]);
    expect((await c.get('model-versions/search', { filter: "name = 'n1'" })).json.model_versions).toHaveLength(3);
  });

  it('[REST-23] a local source (file: or no scheme) is refused in MLflow words, with or without run_id', async () => {
    await c.post('registered-models/create', { name: 'loc' });
    for (const source of ['file:///tmp/model', '/tmp/model', 'relative/model']) {
      for (const extra of [{}, { run_id: run }]) {
        const r = await c.post('model-versions/create', { name: 'loc', source, ...extra });
        expect(r.status).toBe(400);
        expect(r.json.message).toMatch(/^Invalid model version source: '/);
      }
    }
    expect((await c.get('model-versions/search', { filter: "name = 'loc'" })).json).toEqual({});
  });

  it('[REST-24] get-download-uri: runs:/ and mlflow-artifacts: sources as they are, another scheme naming a run as its mlflow-artifacts URI', async () => {
    await c.post('registered-models/create', { name: 'dl' });
    await c.post('model-versions/create', { name: 'dl', source: `runs:/${run}/model` });
    await c.post('model-versions/create', { name: 'dl', source: `mlflow-artifacts:/${exp}/${run}/artifacts/model` });
    await c.post('model-versions/create', { name: 'dl', source: `s3://bucket/${exp}/${run}/artifacts/deep/model`, run_id: run });
    await c.post('model-versions/create', { name: 'dl', source: 's3://bucket/elsewhere/model' });
    const uri = async (v: string) => (await c.get('model-versions/get-download-uri', { name: 'dl', version: v })).json;
    expect((await uri('1')).artifact_uri).toBe(`runs:/${run}/model`);
    expect((await uri('2')).artifact_uri).toBe(`mlflow-artifacts:/${exp}/${run}/artifacts/model`);
    expect((await uri('3')).artifact_uri).toBe(`mlflow-artifacts:/${exp}/${run}/artifacts/deep/model`);
    expect((await uri('4')).error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('[REST-25] searches: filters, order_by, paging and the client prompt clause; bad comparator as MLflow words it', async () => {
    const w = mlflowClient(`${relay.url}/w/reg-search`);
    for (const name of ['s-a', 's-b', 's-c']) await w.post('registered-models/create', { name, tags: [{ key: 'k', value: name }] });
    await w.post('registered-models/set-tag', { name: 's-c', key: 'mlflow.prompt.is_prompt', value: 'true' });
    const names = (r: { json: { registered_models?: { name: string }[] } }) => (r.json.registered_models ?? []).map((m) => m.name);
    const prompt = " AND tag.`mlflow.prompt.is_prompt` != 'true'";
    expect(names(await w.get('registered-models/search', { filter: `name LIKE 's-%'${prompt}` }))).toEqual(['s-a', 's-b']);
    expect(names(await w.get('registered-models/search', { filter: "tags.k = 's-b'" }))).toEqual(['s-b']);
    const p1 = await w.get('registered-models/search', { max_results: 2, order_by: 'name DESC' });
    expect(names(p1)).toEqual(['s-c', 's-b']);
    const p2 = await w.get('registered-models/search', { max_results: 2, order_by: 'name DESC', page_token: p1.json.next_page_token });
    expect(names(p2)).toEqual(['s-a']);
    expect(p2.json.next_page_token).toBeUndefined();
    const bad = await w.get('registered-models/search', { filter: `name === 'x'${prompt}` });
    expect([bad.status, bad.json.message]).toEqual([400, 'Invalid comparator for attribute: ===']);
    expect((await w.get('registered-models/search', { max_results: 1001 })).status).toBe(400);
    expect((await w.post('registered-models/search', { filter: "name = 's-a'" })).json.registered_models).toHaveLength(1);
  });

  it('[REST-21] entities: a pending version has no number and status PENDING_REGISTRATION; its alias is not on the model', () => {
    const d = new Y.Doc();
    const ctx = { ws: d, actor: 't', runDoc: () => new Y.Doc() };
    reg.createRegisteredModel(ctx, { name: 'p' });
    const v = reg.createModelVersion(ctx, { name: 'p', source: 'runs:/' + 'a'.repeat(32) + '/m' });
    reg.setRegisteredModelAlias(ctx, { name: 'p', alias: 'next', version: { versionId: v.versionId } });
    const pending = reg.readRegistry(d).versionById(v.versionId)!;
    const j = modelVersionJson(pending, { aliases: true });
    expect(j.version).toBeUndefined();
    expect(j.status).toBe('PENDING_REGISTRATION');
    expect(j.aliases).toEqual(['next']);
    expect(registeredModelJson(reg.readRegistry(d).modelByName('p')!).aliases).toBeUndefined();
  });
});

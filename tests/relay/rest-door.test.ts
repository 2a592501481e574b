import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRelayDatabase, type SqliteDb } from '../../server/relay/database';
import { TokenStore } from '../../server/relay/token-store';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { isEnvelope, mlflowClient } from './helpers/mlflow';

describe('REST door: transport, workspaces, auth, errors', () => {
  let relay: TestRelay;
  let open: TestRelay;
  let db: SqliteDb;
  let writeA: string;
  let readA: string;
  let writeB: string;
  let revoked: string;

  beforeAll(async () => {
    relay = await startTestRelay({ auth: 'tokens' });
    db = openRelayDatabase(relay.dataDir);
    const tokens = new TokenStore(db);
    writeA = tokens.create('ws-a', 'write').token;
    readA = tokens.create('ws-a', 'read').token;
    writeB = tokens.create('default', 'write').token;
    const r = tokens.create('ws-a', 'write');
    revoked = r.token;
    tokens.revoke(r.info.id);
    open = await startTestRelay();
  });
  afterAll(async () => {
    db.close();
    await relay.dispose();
    await open.dispose();
  });

  it('[REST-1] /api and /ajax-api serve the same endpoints; /w/<ws> picks the workspace; /health and /version answer text', async () => {
    const c = mlflowClient(open.url);
    const made = await c.post('experiments/create', { name: 'in-default' });
    expect(made.status).toBe(200);
    const ajax = await c.call('GET', '/ajax-api/2.0/mlflow/experiments/get-by-name?experiment_name=in-default');
    expect(ajax.status).toBe(200);
    expect(ajax.json.experiment.experiment_id).toBe(made.json.experiment_id);
    // Another workspace does not see it; its own experiments live in its own workspace doc.
    const other = mlflowClient(`${open.url}/w/team`);
    expect((await other.get('experiments/get-by-name', { experiment_name: 'in-default' })).status).toBe(404);
    expect((await other.post('experiments/create', { name: 'in-team' })).status).toBe(200);
    expect((await c.get('experiments/get-by-name', { experiment_name: 'in-team' })).status).toBe(404);
    const docRes = await fetch(`${open.url}/docs/team`);
    expect(docRes.status).toBe(200);
    for (const base of [open.url, `${open.url}/w/team`]) {
      const h = await mlflowClient(base).call('GET', '/health');
      expect([h.status, h.text, h.headers['content-type']]).toEqual([200, 'OK', 'text/plain; charset=utf-8']);
      const v = await mlflowClient(base).call('GET', '/version');
      expect(v.status).toBe(200);
      expect(v.text).toMatch(/^3\.\d+\.\d+/);
    }
    const bad = await mlflowClient(`${open.url}/w/${encodeURIComponent('no/such')}`).get('experiments/search');
    expect(bad.status).toBe(400);
  });

  it('[REST-2] Bearer, Basic and ?token= map onto workspace tokens and roles; refusals are 401/403 envelopes', async () => {
    const base = `${relay.url}/w/ws-a`;
    const none = await mlflowClient(base).get('experiments/search');
    expect(none.status).toBe(401);
    expect(isEnvelope(none, 'UNAUTHENTICATED')).toBe(true);
    const gone = await mlflowClient(base, { token: revoked }).get('experiments/search');
    expect(gone.status).toBe(401);
    expect(isEnvelope(gone, 'UNAUTHENTICATED')).toBe(true);
    const elsewhere = await mlflowClient(base, { token: writeB }).get('experiments/search');
    expect(elsewhere.status).toBe(403);
    expect(isEnvelope(elsewhere, 'PERMISSION_DENIED')).toBe(true);
    // A read token reads, and is refused writes.
    const reader = mlflowClient(base, { token: readA });
    expect((await reader.get('experiments/search')).status).toBe(200);
    const refused = await reader.post('experiments/create', { name: 'nope' });
    expect(refused.status).toBe(403);
    expect(isEnvelope(refused, 'PERMISSION_DENIED')).toBe(true);
    // Bearer write token.
    expect((await mlflowClient(base, { token: writeA }).post('experiments/create', { name: 'by-bearer' })).status).toBe(200);
    // Basic: MLFLOW_TRACKING_USERNAME / PASSWORD, the password being the token.
    const basic = Buffer.from(`alice:${writeA}`).toString('base64');
    const viaBasic = await mlflowClient(base, { headers: { authorization: `Basic ${basic}` } }).post('experiments/create', { name: 'by-basic' });
    expect(viaBasic.status).toBe(200);
    const q = await mlflowClient(base).call('GET', `/api/2.0/mlflow/experiments/get-by-name?experiment_name=by-basic&token=${encodeURIComponent(readA)}`);
    expect(q.status).toBe(200);
    // Browser origins follow the relay's policy (RELAY-19): a foreign page cannot drive the door with a user's cookies
    // or tokens; a loopback page can.
    const foreign = await mlflowClient(open.url, { headers: { origin: 'https://evil.example' } }).get('experiments/search');
    expect(foreign.status).toBe(403);
    expect(isEnvelope(foreign, 'PERMISSION_DENIED')).toBe(true);
    expect((await mlflowClient(open.url, { headers: { origin: 'http://localhost:3000' } }).get('experiments/search')).status).toBe(200);
    // The default workspace (no /w/) takes its own tokens.
    expect((await mlflowClient(relay.url, { token: writeB }).get('experiments/search')).status).toBe(200);
    expect((await mlflowClient(relay.url, { token: writeA }).get('experiments/search')).status).toBe(403);
  });

  it('[REST-3] answers are proto-JSON: snake_case, enum names, int64 numbers, empty fields left out, non-finite doubles as strings', async () => {
    const c = mlflowClient(open.url);
    const run = await c.post('runs/create', { start_time: 1000 });
    expect(run.status).toBe(200);
    const info = run.json.run.info;
    expect(info.status).toBe('RUNNING');
    expect(info.lifecycle_stage).toBe('active');
    expect(info.start_time).toBe(1000);
    expect(info.experiment_id).toBe('0');
    expect('end_time' in info).toBe(false);
    expect('user_id' in info).toBe(false);
    expect(run.json.run.data.params).toBeUndefined();
    const id = info.run_id as string;
    const logged = await c.post('runs/log-batch', {
      run_id: id,
      metrics: [
        { key: 'nan', value: 'NaN', timestamp: 1, step: 0 },
        { key: 'inf', value: 'Infinity', timestamp: 1, step: 0 },
        { key: 'ninf', value: '-Infinity', timestamp: 1, step: 0 },
      ],
    });
    expect(logged.status).toBe(200);
    expect(logged.text).toBe('{}');
    const got = await c.get('runs/get', { run_id: id });
    const byKey = Object.fromEntries((got.json.run.data.metrics as { key: string; value: unknown }[]).map((m) => [m.key, m.value]));
    expect(byKey).toEqual({ nan: 'NaN', inf: 'Infinity', ninf: '-Infinity' });
    const hist = await c.get('metrics/get-history', { run_id: id, metric_key: 'inf' });
    expect(hist.json.metrics).toEqual([{ key: 'inf', value: 'Infinity', timestamp: 1, step: 0 }]);
  });

  it('[REST-4] one error envelope with MLflow\'s status; unknown routes 404 JSON, wrong methods 405, huge bodies 413', async () => {
    const c = mlflowClient(open.url);
    for (const path of ['/api/2.0/mlflow/no-such-endpoint', '/api/2.0/mlflow/runs/frobnicate', '/api/3.0/mlflow/traces', '/ajax-api/2.0/mlflow/nope', '/w/x/anything']) {
      const r = await c.call('GET', path);
      expect(r.status, path).toBe(404);
      expect(isEnvelope(r, 'ENDPOINT_NOT_FOUND'), path).toBe(true);
    }
    const wrong = await c.call('GET', '/api/2.0/mlflow/runs/create');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(isEnvelope(wrong, 'ENDPOINT_NOT_FOUND')).toBe(true);
    const missing = await c.get('runs/get', { run_id: '0123456789abcdef0123456789abcdef' });
    expect(missing.status).toBe(404);
    expect(isEnvelope(missing, 'RESOURCE_DOES_NOT_EXIST')).toBe(true);
    const huge = await c.call('POST', '/api/2.0/mlflow/experiments/create', Buffer.alloc(21 * 1024 * 1024, 32), { 'content-type': 'application/json' });
    expect(huge.status).toBe(413);
    expect(isEnvelope(huge, 'REQUEST_LIMIT_EXCEEDED')).toBe(true);
  });

  it('[REST-5] requests: content type required, double-encoded JSON, run_uuid, repeated keys, int64 strings, NaN strings; bare NaN and bad JSON refused', async () => {
    const c = mlflowClient(open.url);
    const noType = await c.call('POST', '/api/2.0/mlflow/experiments/create', '{"name":"x"}');
    expect(noType.status).toBe(400);
    expect(noType.json.message).toBe('Bad Request. Content-Type header is missing.');
    const dbl = await c.call('POST', '/api/2.0/mlflow/experiments/create', JSON.stringify(JSON.stringify({ name: 'double-encoded' })), { 'content-type': 'application/json' });
    expect(dbl.status).toBe(200);
    const bad = await c.call('POST', '/api/2.0/mlflow/runs/create', '{"experiment_id": "1",', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(isEnvelope(bad, 'BAD_REQUEST')).toBe(true);
    const empty = await c.call('POST', '/api/2.0/mlflow/runs/create', '', { 'content-type': 'application/json' });
    expect(empty.status).toBe(200);
    const id = empty.json.run.info.run_id as string;
    const nanLit = await c.call('POST', '/api/2.0/mlflow/runs/log-metric', `{"run_id":"${id}","key":"m","value":NaN,"timestamp":1}`, { 'content-type': 'application/json' });
    expect(nanLit.status).toBe(400);
    expect(isEnvelope(nanLit, 'INVALID_PARAMETER_VALUE')).toBe(true);
    expect(nanLit.json.message).toContain('"NaN"');
    // run_uuid for run_id, int64 as strings.
    expect((await c.post('runs/log-metric', { run_uuid: id, key: 'm', value: '1.5', timestamp: '1700000000000', step: '3' })).status).toBe(200);
    const h = await c.call('GET', `/api/2.0/mlflow/metrics/get-history?run_uuid=${id}&metric_key=m`);
    expect(h.json.metrics).toEqual([{ key: 'm', value: 1.5, timestamp: 1700000000000, step: 3 }]);
    // Missing and wrongly typed fields in MLflow's words.
    const noKey = await c.post('runs/log-metric', { run_id: id, value: 1, timestamp: 1 });
    expect(noKey.json.message).toBe("Missing value for required parameter 'key'. See the API docs for more information about request parameters.");
    const typed = await c.post('runs/log-metric', { run_id: id, key: 'm', value: 'abc', timestamp: 1 });
    expect(typed.status).toBe(400);
    expect(typed.json.message).toMatch(/^Invalid value "abc" for parameter 'value' supplied/);
    // Repeated query keys are arrays.
    const other = (await c.post('runs/create', {})).json.run.info.run_id as string;
    await c.post('runs/log-metric', { run_id: other, key: 'm', value: 2, timestamp: 1, step: 3 });
    // Enums by name or by number (proto-JSON allows both): 3 is FINISHED, 2 DELETED_ONLY.
    expect((await c.post('runs/update', { run_id: other, status: 3 })).json.run_info.status).toBe('FINISHED');
    expect((await c.get('experiments/search', { view_type: '2' })).status).toBe(200);
    const bulk = await c.get('metrics/get-history-bulk-interval', { run_ids: [id, other], metric_key: 'm' });
    expect(bulk.status).toBe(200);
    expect((bulk.json.metrics as { run_id: string }[]).map((m) => m.run_id)).toEqual([id, other]);
  });
});

import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as doc from '../../lib/doc/index';
import { connectClient, waitSynced } from './helpers/clients';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { isEnvelope, mlflowClient, type MlflowClient } from './helpers/mlflow';
import { waitFor } from './helpers/wait';

describe('REST door: artifacts', () => {
  let relay: TestRelay;
  let c: MlflowClient;
  let exp: string;
  let run: string;
  const base = () => `/api/2.0/mlflow-artifacts/artifacts/${exp}/${run}/artifacts`;
  const put = (path: string, body: string | Buffer, type = 'text/plain') => c.call('PUT', `${base()}/${path}`, body, { 'content-type': type });

  beforeAll(async () => {
    relay = await startTestRelay({ maxBlobBytes: 1024 * 1024 });
    c = mlflowClient(relay.url);
    exp = (await c.post('experiments/create', { name: 'arts' })).json.experiment_id;
    run = (await c.post('runs/create', { experiment_id: exp })).json.run.info.run_id;
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[REST-15] PUT stores the bytes in the blob store and the reference in the run doc; GET, list and DELETE', async () => {
    const browser = connectClient(relay.url, `default/run/${run}`);
    try {
      await waitSynced(browser);
      const up = await put('hello.txt', 'hello artifacts\n');
      expect([up.status, up.text]).toEqual([200, '{}']);
      for (const [p, body] of [['bundle/a.txt', 'a'], ['bundle/b.csv', 'x,y\n1,2\n'], ['bundle/sub/c.json', '{"k":1}']] as const) {
        expect((await put(p, body)).status).toBe(200);
      }
      // The reference is in the run doc (a browser sees it), the bytes under their sha256.
      await waitFor(() => doc.readRun(run, browser.doc)?.artifacts.length === 4, 'the artifact refs to reach the browser');
      const ref = doc.readRun(run, browser.doc)!.artifacts.find((a) => a.path === 'hello.txt')!;
      expect(ref).toMatchObject({ size: 16, mediaType: 'text/plain', sha256: createHash('sha256').update('hello artifacts\n').digest('hex') });
      expect(existsSync(join(relay.dataDir, 'blobs', ref.sha256.slice(0, 2), ref.sha256))).toBe(true);
    } finally {
      browser.destroy();
    }
    const got = await c.call('GET', `${base()}/hello.txt`);
    expect(got.status).toBe(200);
    expect(got.text).toBe('hello artifacts\n');
    expect(got.headers['content-type']).toBe('text/plain');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toBe('attachment; filename="hello.txt"');
    const root = await c.call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${exp}/${run}/artifacts`)}`);
    expect(root.json).toEqual({ files: [{ path: 'bundle', is_dir: true }, { path: 'hello.txt', is_dir: false, file_size: 16 }] });
    const sub = await c.call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${exp}/${run}/artifacts/bundle`)}`);
    expect(sub.json).toEqual({ files: [{ path: 'a.txt', is_dir: false, file_size: 1 }, { path: 'b.csv', is_dir: false, file_size: 8 }, { path: 'sub', is_dir: true }] });
    for (const p of ['hello.txt', 'does/not/exist']) {
      expect((await c.call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${exp}/${run}/artifacts/${p}`)}`)).text).toBe('{}');
    }
    const missing = await c.call('GET', `${base()}/nope.txt`);
    expect(missing.status).toBe(404);
    expect(isEnvelope(missing, 'RESOURCE_DOES_NOT_EXIST')).toBe(true);
    // Re-logging a path replaces it.
    expect((await put('hello.txt', 'v2')).status).toBe(200);
    expect((await c.call('GET', `${base()}/hello.txt`)).text).toBe('v2');
    // DELETE a file, then a directory.
    expect((await c.call('DELETE', `${base()}/hello.txt`)).status).toBe(200);
    expect((await c.call('GET', `${base()}/hello.txt`)).status).toBe(404);
    expect((await c.call('DELETE', `${base()}/bundle`)).status).toBe(200);
    expect((await c.get('runs/get', { run_id: run })).status).toBe(200);
    expect((await c.call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${exp}/${run}/artifacts`)}`)).text).toBe('{}');
    expect((await c.call('DELETE', `${base()}/bundle`)).status).toBe(404);
    // Over the blob limit: 413, nothing kept.
    const tooBig = await put('big.bin', Buffer.alloc(1024 * 1024 + 1), 'application/octet-stream');
    expect(tooBig.status).toBe(413);
    expect(readdirSync(join(relay.dataDir, 'blobs', 'tmp'))).toEqual([]);
    // Logged-model paths are not served yet; uploads to a missing run are refused.
    const model = await c.call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${exp}/models/m-1/artifacts/MLmodel`, 'x', { 'content-type': 'text/plain' });
    expect(model.status).toBe(501);
    expect(isEnvelope(model, 'NOT_IMPLEMENTED')).toBe(true);
    expect((await c.call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${exp}/${'e'.repeat(32)}/artifacts/x.txt`, 'x')).status).toBe(404);
  });

  it('[REST-16] paths with .., absolute paths, backslashes and NUL are refused', async () => {
    const bad = [`${exp}/${run}/artifacts/../../etc/passwd`, `${exp}/${run}/artifacts/a/%2e%2e/b`, `${exp}/${run}/artifacts/a%00b`, `${exp}/${run}/artifacts/a%5Cb`, `%2F${exp}/${run}/artifacts/x`];
    for (const p of bad) {
      for (const method of ['PUT', 'GET', 'DELETE']) {
        const r = await c.call(method, `/api/2.0/mlflow-artifacts/artifacts/${p}`, method === 'PUT' ? 'x' : undefined, { 'content-type': 'text/plain' });
        expect(r.status, `${method} ${p}`).toBe(400);
        expect(isEnvelope(r, 'INVALID_PARAMETER_VALUE')).toBe(true);
      }
    }
    const list = await c.call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${exp}/${run}/artifacts/../x`)}`);
    expect(list.status).toBe(400);
    const ga = await c.call('GET', `/get-artifact?run_id=${run}&path=${encodeURIComponent('../x')}`);
    expect(ga.status).toBe(400);
    expect(doc.SEP).toBe('\u0001');
  });

  it('[REST-17] GET /get-artifact and artifacts/list', async () => {
    expect((await put('notes/readme.md', '# hi')).status).toBe(200);
    const ga = await c.call('GET', `/get-artifact?run_id=${run}&path=${encodeURIComponent('notes/readme.md')}`);
    expect(ga.status).toBe(200);
    expect(ga.text).toBe('# hi');
    expect(ga.headers['content-disposition']).toContain('attachment');
    expect(ga.headers['x-content-type-options']).toBe('nosniff');
    expect((await c.call('GET', `/get-artifact?run_id=${run}&path=nope`)).status).toBe(404);
    const list = await c.get('artifacts/list', { run_id: run });
    expect(list.json).toEqual({ root_uri: `mlflow-artifacts:/${exp}/${run}/artifacts`, files: [{ path: 'notes', is_dir: true }] });
    const inner = await c.get('artifacts/list', { run_id: run, path: 'notes' });
    expect(inner.json.files).toEqual([{ path: 'notes/readme.md', is_dir: false, file_size: 4 }]);
  });

  it('[REST-18] multipart upload answers 501 as MLflow\'s local store does', async () => {
    for (const step of ['create', 'complete', 'abort']) {
      const r = await c.call('POST', `/api/2.0/mlflow-artifacts/mpu/${step}/${exp}/${run}/artifacts/big`, JSON.stringify({ path: 'big', num_parts: 2 }), { 'content-type': 'application/json' });
      expect(r.status).toBe(501);
      expect(r.json).toEqual({ error_code: 'NOT_IMPLEMENTED', message: 'Multipart upload is not supported for the current artifact repository' });
    }
  });
});

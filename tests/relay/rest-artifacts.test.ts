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
    expect(got.headers['content-disposition']).toBe('attachment; filename="hello.txt"; filename*=UTF-8\'\'hello.txt');
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
    // A logged model's path (REST-27) naming no logged model is 404; uploads to a missing run are refused.
    const model = await c.call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${exp}/models/m-1/artifacts/MLmodel`, 'x', { 'content-type': 'text/plain' });
    expect(model.status).toBe(404);
    expect(isEnvelope(model, 'RESOURCE_DOES_NOT_EXIST')).toBe(true);
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

  it('[REST-15] a run\'s artifact_uri is the relay\'s proxy whatever its experiment\'s artifact_location, and its artifacts land in the blob store', async () => {
    const e = (await c.post('experiments/create', { name: 'elsewhere', artifact_location: 's3://bucket/prefix' })).json.experiment_id as string;
    expect((await c.get('experiments/get', { experiment_id: e })).json.experiment.artifact_location).toBe('s3://bucket/prefix');
    const r = (await c.post('runs/create', { experiment_id: e })).json.run.info;
    expect(r.artifact_uri).toBe(`mlflow-artifacts:/${e}/${r.run_id}/artifacts`);
    const up = await c.call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${e}/${r.run_id}/artifacts/model.txt`, 'weights', { 'content-type': 'text/plain' });
    expect(up.status).toBe(200);
    const listed = await c.get('artifacts/list', { run_id: r.run_id });
    expect(listed.json).toEqual({ root_uri: r.artifact_uri, files: [{ path: 'model.txt', is_dir: false, file_size: 7 }] });
  });

  it('[REST-18] multipart upload: create, parts PUT to the returned URLs, complete into the blob store; abort drops the parts', async () => {
    const mpu = (step: string, path: string, body: unknown) =>
      c.call('POST', `/api/2.0/mlflow-artifacts/mpu/${step}/${exp}/${run}/artifacts/${path}`, JSON.stringify(body), { 'content-type': 'application/json' });
    const created = await mpu('create', 'big/joined.bin', { path: '/tmp/joined.bin', num_parts: 3 });
    expect(created.status, created.text).toBe(200);
    const { upload_id: uploadId, credentials } = created.json as { upload_id: string; credentials: { url: string; part_number: number; headers: object }[] };
    expect(credentials.map((x) => x.part_number)).toEqual([1, 2, 3]);
    const chunks = [Buffer.alloc(1000, 1), Buffer.alloc(1000, 2), Buffer.from('tail')];
    // Missing parts: refused, nothing logged.
    expect((await mpu('complete', 'big/joined.bin', { upload_id: uploadId, parts: [] })).status).toBe(400);
    const etags: string[] = [];
    for (const [i, cred] of credentials.entries()) {
      const u = new URL(cred.url);
      // No token: the upload id in the URL is the credential (MLflow's client sends only cred.headers).
      const r = await mlflowClient(`${u.protocol}//${u.host}`).call('PUT', u.pathname, chunks[i]!);
      expect(r.status).toBe(200);
      expect(r.headers.etag).toBe(`"${createHash('sha256').update(chunks[i]!).digest('hex')}"`);
      etags.push(String(r.headers.etag));
    }
    const wrongTag = await mpu('complete', 'big/joined.bin', { upload_id: uploadId, parts: [{ part_number: 1, etag: '"nope"' }] });
    expect(wrongTag.status).toBe(400);
    const done = await mpu('complete', 'big/joined.bin', { upload_id: uploadId, parts: etags.map((etag, i) => ({ part_number: i + 1, etag, url: credentials[i]!.url })) });
    expect([done.status, done.text]).toEqual([200, '{}']);
    const got = await c.call('GET', `${base()}/big/joined.bin`);
    expect(got.raw.equals(Buffer.concat(chunks))).toBe(true);
    // Completed: the upload is gone.
    expect((await mpu('complete', 'big/joined.bin', { upload_id: uploadId, parts: [] })).status).toBe(404);
    const unknown = await mlflowClient(relay.url).call('PUT', `/api/2.0/mlflow-artifacts/mpu/part/${'0'.repeat(32)}/1`, 'x');
    expect(unknown.status).toBe(404);
    // Abort: the parts are deleted.
    const second = (await mpu('create', 'big/aborted.bin', { path: 'x', num_parts: 1 })).json;
    const u = new URL(second.credentials[0].url);
    await mlflowClient(`${u.protocol}//${u.host}`).call('PUT', u.pathname, 'part');
    expect(readdirSync(join(relay.dataDir, 'blobs', 'tmp')).some((d) => d.includes(second.upload_id))).toBe(true);
    expect((await mpu('abort', 'big/aborted.bin', { upload_id: second.upload_id })).status).toBe(200);
    expect(readdirSync(join(relay.dataDir, 'blobs', 'tmp')).some((d) => d.includes(second.upload_id))).toBe(false);
    expect((await c.call('GET', `${base()}/big/aborted.bin`)).status).toBe(404);
    expect((await mpu('create', 'x.bin', { num_parts: 0 })).status).toBe(400);
  });
});

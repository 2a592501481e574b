import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTestRelay, tempDir, type TestRelay } from './helpers/in-process';
import { isEnvelope, mlflowClient } from './helpers/mlflow';
import { waitFor } from './helpers/wait';

/** REST-18's multipart uploads on disk: what survives a restart, what is cleaned, what is refused. */
describe('REST door: multipart uploads on disk', () => {
  const LIMIT = 64 * 1024;
  let relay: TestRelay | null = null;
  const dir = tempDir('cairn-mpu-');
  afterEach(async () => {
    await relay?.close();
    relay = null;
  });
  afterAll(() => dir.remove());
  const uploadsDir = () => join(dir.path, 'blobs', 'tmp');
  const folderOf = (id: string) => join(uploadsDir(), `mpu-${id}`);

  async function start() {
    relay = await startTestRelay({ dataDir: dir.path, maxBlobBytes: LIMIT });
    return mlflowClient(relay.url);
  }
  async function newRun(c: ReturnType<typeof mlflowClient>) {
    const exp = (await c.post('experiments/create', { name: `mpu-${Math.random()}` })).json.experiment_id as string;
    const run = (await c.post('runs/create', { experiment_id: exp })).json.run.info.run_id as string;
    return { exp, run };
  }
  const mpu = (c: ReturnType<typeof mlflowClient>, step: string, at: { exp: string; run: string }, path: string, body: unknown) =>
    c.call('POST', `/api/2.0/mlflow-artifacts/mpu/${step}/${at.exp}/${at.run}/artifacts/${path}`, JSON.stringify(body), { 'content-type': 'application/json' });
  // A part goes to the relay it was created on or, after a restart, to the new one: the path carries the upload id.
  const putPart = (c: ReturnType<typeof mlflowClient>, id: string, n: number, bytes: Buffer) => c.call('PUT', `/api/2.0/mlflow-artifacts/mpu/part/${id}/${n}`, bytes);
  const sha = (b: Buffer) => `"${createHash('sha256').update(b).digest('hex')}"`;

  it('[REST-18] a relay restart between the last part and complete still completes the upload; complete removes the parts', async () => {
    let c = await start();
    const at = await newRun(c);
    const created = await mpu(c, 'create', at, 'model/weights.bin', { path: 'weights.bin', num_parts: 2 });
    const id = created.json.upload_id as string;
    const chunks = [Buffer.alloc(20_000, 7), Buffer.from('the end')];
    const etags = [];
    for (const [i, b] of chunks.entries()) {
      const r = await putPart(c, id, i + 1, b);
      expect(r.status).toBe(200);
      expect(r.headers.etag).toBe(sha(b));
      etags.push(String(r.headers.etag));
    }
    // Each part is on disk as a file of its own, not buffered in the relay's memory.
    expect(readdirSync(folderOf(id)).filter((f) => f.startsWith('part-')).sort()).toEqual([
      `part-1.${sha(chunks[0]!).slice(1, -1)}`,
      `part-2.${sha(chunks[1]!).slice(1, -1)}`,
    ]);
    await relay!.close();
    relay = null;

    c = await start();
    const done = await mpu(c, 'complete', at, 'model/weights.bin', { upload_id: id, parts: etags.map((etag, i) => ({ part_number: i + 1, etag })) });
    expect([done.status, done.text]).toEqual([200, '{}']);
    const got = await c.call('GET', `/api/2.0/mlflow-artifacts/artifacts/${at.exp}/${at.run}/artifacts/model/weights.bin`);
    expect(got.raw.equals(Buffer.concat(chunks))).toBe(true);
    const listed = await c.get('artifacts/list', { run_id: at.run, path: 'model' });
    expect(listed.json.files).toEqual([{ path: 'model/weights.bin', is_dir: false, file_size: 20_007 }]);
    expect(existsSync(folderOf(id))).toBe(false);
    expect(isEnvelope(await mpu(c, 'complete', at, 'model/weights.bin', { upload_id: id, parts: [] }), 'RESOURCE_DOES_NOT_EXIST')).toBe(true);
  });

  it('[REST-18] parts sent before a restart are kept; a part sent again replaces the earlier one; abort removes them', async () => {
    let c = await start();
    const at = await newRun(c);
    const id = (await mpu(c, 'create', at, 'a.bin', { num_parts: 2 })).json.upload_id as string;
    expect((await putPart(c, id, 1, Buffer.from('first try'))).status).toBe(200);
    await relay!.close();
    relay = null;
    c = await start();
    expect((await putPart(c, id, 1, Buffer.from('second'))).headers.etag).toBe(sha(Buffer.from('second')));
    expect(readdirSync(folderOf(id)).filter((f) => f.startsWith('part-'))).toEqual([`part-1.${sha(Buffer.from('second')).slice(1, -1)}`]);
    // Part 2 missing: refused, nothing logged, the upload kept.
    const early = await mpu(c, 'complete', at, 'a.bin', { upload_id: id, parts: [] });
    expect(isEnvelope(early, 'INVALID_PARAMETER_VALUE')).toBe(true);
    expect(existsSync(folderOf(id))).toBe(true);
    expect((await mpu(c, 'abort', at, 'a.bin', { upload_id: id })).status).toBe(200);
    expect(existsSync(folderOf(id))).toBe(false);
    expect((await putPart(c, id, 2, Buffer.from('late'))).status).toBe(404);
    expect((await c.call('GET', `/api/2.0/mlflow-artifacts/artifacts/${at.exp}/${at.run}/artifacts/a.bin`)).status).toBe(404);
  });

  it('[REST-18] limits: parts 1..10,000, a part and the whole upload at most the blob limit (413), nothing of a refused part kept', async () => {
    const c = await start();
    const at = await newRun(c);
    const tooMany = await mpu(c, 'create', at, 'x.bin', { num_parts: 10_001 });
    expect([tooMany.status, isEnvelope(tooMany, 'INVALID_PARAMETER_VALUE')]).toEqual([400, true]);
    expect(tooMany.json.message).toContain('10000');
    const id = (await mpu(c, 'create', at, 'x.bin', { num_parts: 3 })).json.upload_id as string;
    const big = await putPart(c, id, 1, Buffer.alloc(LIMIT + 1));
    expect([big.status, isEnvelope(big, 'REQUEST_LIMIT_EXCEEDED')]).toEqual([413, true]);
    expect((await putPart(c, id, 4, Buffer.from('x'))).status).toBe(400);
    expect((await putPart(c, id, 0, Buffer.from('x'))).status).toBe(400);
    expect((await putPart(c, id, 1, Buffer.alloc(LIMIT / 2))).status).toBe(200);
    expect((await putPart(c, id, 2, Buffer.alloc(LIMIT / 2))).status).toBe(200);
    // The third part would take the upload past the blob limit: refused on arrival, not at complete.
    const over = await putPart(c, id, 3, Buffer.from('one byte too many'));
    expect([over.status, isEnvelope(over, 'REQUEST_LIMIT_EXCEEDED')]).toEqual([413, true]);
    expect(readdirSync(folderOf(id)).filter((f) => f.startsWith('part-')).length).toBe(2);
    expect(readdirSync(folderOf(id)).some((f) => f.endsWith('.tmp'))).toBe(false);
    // Parts sent side by side each pass their own check: here part 3 as if it had arrived alongside part 2. The
    // whole is checked again at complete: 413, and nothing is logged.
    const extra = Buffer.from('arrived alongside');
    writeFileSync(join(folderOf(id), `part-3.${sha(extra).slice(1, -1)}`), extra);
    const done = await mpu(c, 'complete', at, 'x.bin', { upload_id: id, parts: [] });
    expect([done.status, isEnvelope(done, 'REQUEST_LIMIT_EXCEEDED')]).toEqual([413, true]);
    expect((await c.get('artifacts/list', { run_id: at.run })).json.files).toBeUndefined();
  });

  it('[REST-18] uploads older than 24 h are deleted when the relay starts; fresh ones are kept', async () => {
    let c = await start();
    const at = await newRun(c);
    const stale = (await mpu(c, 'create', at, 'old.bin', { num_parts: 1 })).json.upload_id as string;
    const fresh = (await mpu(c, 'create', at, 'new.bin', { num_parts: 1 })).json.upload_id as string;
    await putPart(c, stale, 1, Buffer.from('forgotten'));
    await relay!.close();
    relay = null;
    const record = join(folderOf(stale), 'upload.json');
    const meta = JSON.parse(readFileSync(record, 'utf8'));
    writeFileSync(record, JSON.stringify({ ...meta, createdAt: Date.now() - 25 * 3600_000 }));
    // A folder left by a create cut short (no record yet), older than a day: swept too.
    const orphan = join(uploadsDir(), `mpu-${'a'.repeat(32)}`);
    mkdirSync(orphan);
    const old = new Date(Date.now() - 25 * 3600_000);
    utimesSync(orphan, old, old);
    c = await start();
    await waitFor(() => !existsSync(folderOf(stale)) && !existsSync(orphan), 'the stale uploads to be swept');
    expect(existsSync(folderOf(fresh))).toBe(true);
    expect((await putPart(c, stale, 1, Buffer.from('x'))).status).toBe(404);
    expect((await putPart(c, fresh, 1, Buffer.from('x'))).status).toBe(200);
  });
});

/** The runner's pure-ish parts: the zip reader's DEFLATE option, the content hash, tracking resolution, env plans. */
import { execFileSync } from 'node:child_process';
import { errorCode as code } from '../shared/error-code';
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readZip, writeZip } from '@/lib/models/zip';
import { resolveOptions, splitTrackingUri } from '@/lib/sdk/env';
import { contentHash } from '@/server/projects/content-hash';
import { readProjectZip } from '@/server/projects/source';
import { planEnv } from '@/server/projects/env-manager';
import { childTrackingEnv, resolveTracking } from '@/server/projects/tracking';
import { tempDir, writeProject } from './helpers';

const tmp = tempDir('cairn-run-units-');
afterAll(() => tmp.remove());

function pyZip(name: string, entries: [string, string][]): Uint8Array {
  const file = join(tmp.path, name);
  const script = 'import sys, json, zipfile\nz = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)\nfor n, t in json.loads(sys.argv[2]): z.writestr(n, t)\nz.close()\n';
  execFileSync('python3', ['-c', script, file, JSON.stringify(entries)]);
  return new Uint8Array(readFileSync(file));
}

describe('readZip with inflateRaw', () => {
  it('[RUN-2] reads DEFLATE entries when given inflateRaw, checking sizes and CRCs; without it they are NOT_IMPLEMENTED', () => {
    const text = 'hello '.repeat(1000);
    const zip = pyZip('ok.zip', [['a/MLproject', 'name: x\n'], ['a/big.txt', text]]);
    const files = readProjectZip(zip);
    expect(new TextDecoder().decode(files.get('a/big.txt'))).toBe(text);
    expect(new TextDecoder().decode(files.get('a/MLproject'))).toBe('name: x\n');
    expect(code(() => readZip(zip))).toBe('NOT_IMPLEMENTED');
    // STORE zips read as before, with or without the option.
    const stored = writeZip({ 'x.txt': new TextEncoder().encode('x') });
    expect([...readProjectZip(stored).keys()]).toEqual(['x.txt']);
  });

  it('[RUN-2] a damaged deflated entry is DATA_LOSS, and a zip-slip path is refused', () => {
    const zip = pyZip('bad.zip', [['f.txt', 'some text that compresses, some text that compresses']]);
    const damaged = zip.slice();
    damaged[30 + 'f.txt'.length + 3]! ^= 0xff; // inside the compressed data of the first entry
    expect(code(() => readProjectZip(damaged))).toBe('DATA_LOSS');
    const slip = pyZip('slip.zip', [['../evil.sh', 'echo evil']]);
    expect(code(() => readProjectZip(slip))).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('zip bombs', () => {
  it('[RUN-2] an entry that inflates past its declared size is refused without unpacking it, and so is an archive declaring more than 1 GiB', () => {
    const zip = pyZip('bomb.zip', [['zeros.bin', '0'.repeat(100_000)]]);
    // The central directory's uncompressed size (offset 24 of the entry) says 100 bytes; the data inflates to 100 KB.
    const central = findCentral(zip);
    const lying = zip.slice();
    new DataView(lying.buffer).setUint32(central + 24, 100, true);
    expect(code(() => readProjectZip(lying))).toBe('DATA_LOSS');
    const huge = zip.slice();
    new DataView(huge.buffer).setUint32(central + 24, 2 ** 31, true);
    expect(code(() => readProjectZip(huge))).toBe('INVALID_PARAMETER_VALUE');
    expect(readProjectZip(zip).get('zeros.bin')?.length).toBe(100_000);
  });
});

/** Where the first central directory entry of a zip starts. */
function findCentral(zip: Uint8Array): number {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let i = zip.length - 22; i >= 0; i--) if (v.getUint32(i, true) === 0x06054b50) return v.getUint32(i + 16, true);
  throw new Error('no end of central directory');
}

describe('content hash', () => {
  it('[RUN-5] depends on relative paths and bytes only, skips .git, node_modules and .cairn-sdk, and sees every edit', () => {
    const a = writeProject(join(tmp.path, 'h1'), { MLproject: 'x', 'src/a.ts': 'a', 'src/b.ts': 'b' });
    const b = writeProject(join(tmp.path, 'h2'), { 'src/b.ts': 'b', 'src/a.ts': 'a', MLproject: 'x' });
    writeProject(b, { '.git/HEAD': 'ref', 'node_modules/p/index.js': '1', '.cairn-sdk/journal.bin': 'j' });
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash(a)).toMatch(/^[0-9a-f]{64}$/);
    const before = contentHash(a);
    writeFileSync(join(a, 'src/a.ts'), 'A');
    expect(contentHash(a)).not.toBe(before);
    writeFileSync(join(a, 'src/a.ts'), 'a');
    expect(contentHash(a)).toBe(before);
    renameSync(join(a, 'src/b.ts'), join(a, 'src/c.ts'));
    expect(contentHash(a)).not.toBe(before);
    renameSync(join(a, 'src/c.ts'), join(a, 'src/b.ts'));
    mkdirSync(join(a, 'empty'));
    symlinkSync('src/a.ts', join(a, 'link'));
    expect(contentHash(a)).not.toBe(before);
  });
});

describe('tracking target', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  const clear = () => {
    for (const k of Object.keys(process.env)) if (/^(MLFLOW_|CAIRN_)/.test(k)) delete process.env[k];
  };

  it('[RUN-8] MLFLOW_TRACKING_URI=http://host/w/<ws> means workspace <ws> on the relay at http://host (the SDK and the runner)', () => {
    clear();
    expect(splitTrackingUri('http://h:1/w/team')).toEqual({ relay: 'http://h:1', workspace: 'team' });
    expect(splitTrackingUri('https://h/proxy/w/a%20b/')).toEqual({ relay: 'https://h/proxy', workspace: 'a b' });
    expect(splitTrackingUri('http://h:1')).toEqual({ relay: 'http://h:1', workspace: undefined });
    process.env.MLFLOW_TRACKING_URI = 'http://127.0.0.1:9/w/team';
    process.env.MLFLOW_TRACKING_TOKEN = 'mlflow-token';
    const o = resolveOptions({});
    expect(o.relay).toEqual({ http: 'http://127.0.0.1:9', ws: 'ws://127.0.0.1:9' });
    expect(o.workspace).toBe('team');
    expect(resolveTracking({})).toEqual({ relay: 'http://127.0.0.1:9', workspace: 'team', token: 'mlflow-token', restUrl: 'http://127.0.0.1:9/w/team' });
    // Cairn's variables come before MLflow's, and flags before both.
    process.env.CAIRN_WORKSPACE = 'cairn-ws';
    process.env.CAIRN_TOKEN = 'cairn-token';
    expect(resolveTracking({})).toMatchObject({ workspace: 'cairn-ws', token: 'cairn-token', restUrl: 'http://127.0.0.1:9/w/cairn-ws' });
    expect(resolveTracking({ relay: 'http://other:2', workspace: 'default', token: 't' })).toEqual({ relay: 'http://other:2', workspace: 'default', token: 't', restUrl: 'http://other:2' });
  });

  it('[RUN-8] no tracking server anywhere is refused with what to set', () => {
    clear();
    expect(() => resolveTracking({})).toThrow(/pass --relay <url>, or set CAIRN_RELAY or MLFLOW_TRACKING_URI/);
  });

  it('[RUN-9] the child gets MLflow’s and Cairn’s variables for its run; a token not set is removed, not inherited', () => {
    const t = { relay: 'http://h:1', workspace: 'team', token: undefined, restUrl: 'http://h:1/w/team' };
    expect(childTrackingEnv(t, 'r1', '7')).toEqual({
      MLFLOW_RUN_ID: 'r1',
      MLFLOW_TRACKING_URI: 'http://h:1/w/team',
      MLFLOW_EXPERIMENT_ID: '7',
      MLFLOW_TRACKING_TOKEN: undefined,
      MLFLOW_EXPERIMENT_NAME: undefined,
      CAIRN_RELAY: 'http://h:1',
      CAIRN_WORKSPACE: 'team',
      CAIRN_RUN_ID: 'r1',
      CAIRN_EXPERIMENT_ID: '7',
      CAIRN_EXPERIMENT_NAME: undefined,
      CAIRN_TOKEN: undefined,
    });
  });
});

describe('env plans', () => {
  const none = () => false;
  const all = () => true;
  it('[RUN-13] only local runs; conda, virtualenv, uv and docker are refused with which tool is missing or that it is not supported here', () => {
    expect(planEnv({ kind: 'none' }, undefined, none)).toEqual({ env: 'local', manager: 'local', refusal: undefined });
    expect(planEnv({ kind: 'node', version: '>=20' }, undefined, none)).toEqual({ env: 'node', manager: 'local', refusal: undefined });
    expect(planEnv({ kind: 'conda', file: 'conda.yaml' }, 'local', none)).toEqual({ env: 'local', manager: 'local', refusal: undefined });
    const conda = planEnv({ kind: 'conda', file: 'conda.yaml' }, undefined, none);
    expect(conda).toMatchObject({ env: 'conda', manager: 'conda' });
    expect(conda.refusal).toContain('needs conda, which is not installed (conda_env: conda.yaml)');
    expect(planEnv({ kind: 'python', file: 'python_env.yaml' }, undefined, all).refusal).toContain('virtualenv is installed, but cairn run does not build virtualenv environments');
    expect(planEnv({ kind: 'none' }, 'uv', none).refusal).toContain('the uv env manager needs uv, which is not installed');
    const docker = { kind: 'docker' as const, image: 'img:1', volumes: [], environment: [] };
    expect(planEnv(docker, undefined, none).refusal).toContain('needs docker; docker is not installed');
    expect(planEnv(docker, undefined, all).refusal).toContain('docker is installed, but cairn run does not run docker_env projects');
    expect(planEnv(docker, 'local', all).refusal).toContain('--env-manager cannot be used with a docker_env project');
  });
});

describe('downloads', () => {
  it('[RUN-2] a download is cut off past its byte limit as it arrives, whatever content-length says, and leaves no partial file', async () => {
    const { createServer } = await import('node:http');
    const { existsSync } = await import('node:fs');
    const { downloadBytes, downloadToFile } = await import('@/server/projects/download');
    // No content-length (chunked), 64 KB of body: only the bytes arriving can tell it is too big.
    const server = createServer((_req, res) => {
      res.write(Buffer.alloc(32 * 1024, 1));
      res.end(Buffer.alloc(32 * 1024, 2));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/f.bin`;
    try {
      expect((await downloadBytes(url, 'the file', 1024 * 1024)).length).toBe(64 * 1024);
      await expect(downloadBytes(url, 'the file', 1000)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
      const dest = join(tmp.path, 'partial.bin');
      await expect(downloadToFile(url, dest, 'the file', 1000)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
      expect(existsSync(dest)).toBe(false);
      await downloadToFile(url, dest, 'the file', 1024 * 1024);
      expect(readFileSync(dest).length).toBe(64 * 1024);
    } finally {
      server.close();
    }
  });
});

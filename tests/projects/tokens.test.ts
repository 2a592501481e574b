/**
 * `cairn run` against a relay that requires tokens, configured the MLflow way only (MLFLOW_TRACKING_URI with
 * `/w/<workspace>`, MLFLOW_TRACKING_TOKEN): the runner, a cairn/sdk child and a plain-HTTP child all get in.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@/lib/sdk';
import { runCli, spawnRelay, type RelayProcess } from '../sdk/helpers';
import { buildAll, runCairn, tempDir, writeProject } from './helpers';

const WS = 'team';
let cli: string;
let relay: RelayProcess;
const data = tempDir('cairn-run-tok-relay-');
const tmp = tempDir('cairn-run-tok-');
let write = '';
let read = '';

beforeAll(async () => {
  cli = await buildAll();
  const create = (role: string) => {
    const r = runCli(cli, ['token', 'create', '--data', data.path, '--workspace', WS, '--role', role]);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  write = create('write');
  read = create('read');
  relay = await spawnRelay(cli, ['--port', '0', '--data', data.path]);
});

afterAll(async () => {
  await relay?.kill();
  data.remove();
  tmp.remove();
});

describe('tokens', () => {
  it('[RUN-8, RUN-9] MLFLOW_TRACKING_URI=<relay>/w/<ws> with MLFLOW_TRACKING_TOKEN: the run, an SDK child and an HTTP child land in that workspace', async () => {
    const dir = writeProject(join(tmp.path, 'p'), {
      MLproject: 'entry_points:\n  main:\n    command: "python3 rest.py && node sdk.mjs"\n',
      'rest.py': [
        'import json, os, urllib.request',
        'body = {"run_id": os.environ["MLFLOW_RUN_ID"], "key": "http", "value": 1.0, "timestamp": 1, "step": 0}',
        'req = urllib.request.Request(os.environ["MLFLOW_TRACKING_URI"] + "/api/2.0/mlflow/runs/log-metric", data=json.dumps(body).encode(),',
        '  headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["MLFLOW_TRACKING_TOKEN"]})',
        'print("http", urllib.request.urlopen(req).status, flush=True)',
      ].join('\n'),
      'sdk.mjs': "import { connect } from 'cairn/sdk';\nconst c = await connect();\nconst r = await c.startRun();\nr.logMetric('sdk', 2, { step: 0 });\nawait r.flush();\nawait c.close();\nconsole.log('sdk', r.id);\n",
    });
    const r = await runCairn(cli, ['run', dir], {
      env: { MLFLOW_TRACKING_URI: `${relay.url}/w/${WS}`, MLFLOW_TRACKING_TOKEN: write, CAIRN_PROJECTS_CACHE: join(tmp.path, 'cache') },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`http 200\nsdk ${r.runId}\n`);
    const c = await connect({ relay: relay.url, workspace: WS, token: read, dataDir: join(tmp.path, 'reader') });
    try {
      expect((await c.getRun(r.runId!))!.info.status).toBe('FINISHED');
      expect((await c.getMetricHistory(r.runId!, 'http')).map((p) => p.value)).toEqual([1]);
      expect((await c.getMetricHistory(r.runId!, 'sdk')).map((p) => p.value)).toEqual([2]);
    } finally {
      await c.close({ timeoutMs: 1_000 });
    }
  });

  it('[RUN-8] a read token is refused before the command runs, and an unreachable relay too', async () => {
    const dir = writeProject(join(tmp.path, 'q'), { MLproject: 'entry_points:\n  main:\n    command: "touch ran"\n' });
    const r = await runCairn(cli, ['run', dir, '--relay', relay.url, '--workspace', WS, '--token', read], { env: { CAIRN_PROJECTS_CACHE: join(tmp.path, 'cache') } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cairn: the relay refused the run: ');
    expect(r.stderr).toContain('a write token is required');
    expect(r.stderr).not.toContain('kept in');
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    const off = await runCairn(cli, ['run', dir, '--relay', 'http://127.0.0.1:9'], { env: { CAIRN_PROJECTS_CACHE: join(tmp.path, 'cache') } });
    expect(off.code).toBe(1);
    expect(off.stderr).toContain('cannot reach the relay at http://127.0.0.1:9');
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@/lib/sdk';
import {
  Closer,
  buildCli,
  ensureSdkBuilt,
  expectCairnError,
  freePort,
  lastJson,
  runCli,
  runFixtureToEnd,
  spawnRelay,
  startTestRelay,
  tempDir,
  type RelayProcess,
  type TestRelay,
} from './helpers';

/** Every variable the SDK reads, cleared so the test runner's own environment cannot leak into a child. */
const CLEAN: Record<string, undefined> = Object.fromEntries(
  [
    'MLFLOW_TRACKING_URI',
    'MLFLOW_EXPERIMENT_NAME',
    'MLFLOW_EXPERIMENT_ID',
    'MLFLOW_RUN_ID',
    'MLFLOW_TRACKING_TOKEN',
    'CAIRN_RELAY',
    'CAIRN_WORKSPACE',
    'CAIRN_TOKEN',
    'CAIRN_SDK_DATA_DIR',
    'CAIRN_EXPERIMENT_NAME',
    'CAIRN_EXPERIMENT_ID',
    'CAIRN_RUN_ID',
  ].map((k) => [k, undefined]),
);

interface EnvRun {
  runId: string;
  experimentId: string;
  experimentName: string | null;
  user: string | null;
  workspace: string;
  relay: string | null;
  dataDir: string;
  flush: string;
}

const envRun = async (env: Record<string, string | undefined>, value = 1) =>
  lastJson<EnvRun>(await runFixtureToEnd('env-run.mjs', [String(value)], { ...CLEAN, ...env }));

describe('SDK configuration from the environment (child processes)', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    [relay] = await Promise.all([startTestRelay(), ensureSdkBuilt()]);
  });
  afterAll(async () => {
    await relay?.dispose();
  });

  it('[SDK-7] MLFLOW_TRACKING_URI + MLFLOW_EXPERIMENT_NAME, then MLFLOW_RUN_ID resumes the run from a fresh data dir', async () => {
    const t = new Closer();
    try {
      const first = await envRun({
        MLFLOW_TRACKING_URI: relay.url,
        MLFLOW_EXPERIMENT_NAME: 'from-env',
        CAIRN_SDK_DATA_DIR: t.dir(),
        CAIRN_WORKSPACE: 'envws',
        USER: 'alice',
      });
      expect(first).toMatchObject({ relay: relay.url, workspace: 'envws', experimentName: 'from-env', user: 'alice', flush: 'ok' });

      const second = await envRun({ MLFLOW_TRACKING_URI: relay.url, MLFLOW_RUN_ID: first.runId, CAIRN_SDK_DATA_DIR: t.dir(), CAIRN_WORKSPACE: 'envws' }, 2);
      expect(second.runId).toBe(first.runId);
      expect(second.experimentName).toBe('from-env');
      expect(second.flush).toBe('ok');

      const c = await t.client({ relay: relay.url, workspace: 'envws' });
      expect((await c.getExperimentByName('from-env'))?.experimentId).toBe(first.experimentId);
      expect((await c.getMetricHistory(first.runId, 'env')).map((p) => [p.step, p.value])).toEqual([
        [1, 1],
        [2, 2],
      ]);
      expect((await c.getRun(first.runId))!.info.status).toBe('RUNNING');
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-7] MLFLOW_EXPERIMENT_ID picks an existing experiment; CAIRN_* win over MLFLOW_*', async () => {
    const t = new Closer();
    try {
      const c = await t.client({ relay: relay.url, workspace: 'envws2' });
      const expId = await c.createExperiment('by-id');
      await c.flush();

      const byId = await envRun({ MLFLOW_TRACKING_URI: relay.url, MLFLOW_EXPERIMENT_ID: expId, CAIRN_SDK_DATA_DIR: t.dir(), CAIRN_WORKSPACE: 'envws2' });
      expect(byId).toMatchObject({ experimentId: expId, experimentName: 'by-id', flush: 'ok' });

      const dead = `http://127.0.0.1:${await freePort()}`;
      const cairnWins = await envRun({
        MLFLOW_TRACKING_URI: dead,
        CAIRN_RELAY: relay.url,
        MLFLOW_EXPERIMENT_NAME: 'mlflow-name',
        CAIRN_EXPERIMENT_NAME: 'cairn-name',
        CAIRN_SDK_DATA_DIR: t.dir(),
        CAIRN_WORKSPACE: 'envws2',
      });
      expect(cairnWins).toMatchObject({ relay: relay.url, experimentName: 'cairn-name', flush: 'ok' });
      expect(await c.getRun(cairnWins.runId)).not.toBeNull();

      // No experiment configured at all: the Default experiment "0".
      const plain = await envRun({ CAIRN_RELAY: relay.url, CAIRN_SDK_DATA_DIR: t.dir(), CAIRN_WORKSPACE: 'envws2' });
      expect(plain).toMatchObject({ experimentId: '0', experimentName: 'Default' });
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-7] in-process: explicit options win over the environment; relay: null ignores it; a non-http URI is refused', async () => {
    const saved = { ...process.env };
    const t = new Closer();
    try {
      process.env.MLFLOW_TRACKING_URI = `http://127.0.0.1:${await freePort()}`;
      process.env.CAIRN_WORKSPACE = 'from-env';
      process.env.MLFLOW_EXPERIMENT_NAME = 'env-default';
      const explicit = await t.client({ relay: relay.url, workspace: 'explicit' });
      expect(explicit.options.relay?.http).toBe(relay.url);
      expect(explicit.options.workspace).toBe('explicit');
      expect(explicit.status).toBe('synced');
      const run = await explicit.startRun();
      expect((await explicit.getExperiment(run.info.experimentId))?.name).toBe('env-default');
      const explicitExp = await explicit.startRun({ experimentName: 'explicit-exp' });
      expect((await explicit.getExperiment(explicitExp.info.experimentId))?.name).toBe('explicit-exp');

      const local = await t.client({ relay: null });
      expect(local.options.relay).toBeNull();
      expect(local.status).toBe('offline');

      process.env.MLFLOW_TRACKING_URI = 'file:///tmp/mlruns';
      const e = await expectCairnError(() => connect({ dataDir: t.dir() }), 'INVALID_PARAMETER_VALUE');
      expect(e.message).toContain('file:///tmp/mlruns');
      expect(e.message).toMatch(/http/);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      await t.closeAll();
    }
  });
});

describe('SDK tokens from the environment (cairn relay, tokens required)', () => {
  let cli: string;
  let relay: RelayProcess;
  const data = tempDir('cairn-relay-');
  let write = '';
  let read = '';
  beforeAll(async () => {
    [cli] = await Promise.all([buildCli(), ensureSdkBuilt()]);
    const create = (role: string) => runCli(cli, ['token', 'create', '--data', data.path, '--workspace', 'envtok', '--role', role]).stdout.trim();
    write = create('write');
    read = create('read');
    relay = await spawnRelay(cli, ['--port', '0', '--data', data.path]);
  });
  afterAll(async () => {
    await relay?.kill();
    data.remove();
  });

  it('[SDK-7] MLFLOW_TRACKING_TOKEN is sent; CAIRN_TOKEN wins over it; a read token in the env gets PERMISSION_DENIED on flush', async () => {
    const t = new Closer();
    try {
      const base = { MLFLOW_TRACKING_URI: relay.url, CAIRN_WORKSPACE: 'envtok' };
      const viaMlflow = await envRun({ ...base, MLFLOW_TRACKING_TOKEN: write, CAIRN_SDK_DATA_DIR: t.dir() });
      expect(viaMlflow.flush).toBe('ok');
      const viaCairn = await envRun({ ...base, MLFLOW_TRACKING_TOKEN: 'wrong', CAIRN_TOKEN: write, CAIRN_SDK_DATA_DIR: t.dir() });
      expect(viaCairn.flush).toBe('ok');
      const readOnly = await envRun({ ...base, MLFLOW_TRACKING_TOKEN: read, CAIRN_SDK_DATA_DIR: t.dir() });
      expect(readOnly.flush).toBe('PERMISSION_DENIED');

      const c = await t.client({ relay: relay.url, workspace: 'envtok', token: read });
      expect(await c.getRun(viaMlflow.runId)).not.toBeNull();
      expect(await c.getRun(viaCairn.runId)).not.toBeNull();
      expect(await c.getRun(readOnly.runId)).toBeNull();
    } finally {
      await t.closeAll();
    }
  });
});

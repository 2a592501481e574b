import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMlflow } from '@/server/mlflow-io/importer';
import { RestSource } from '@/server/mlflow-io/rest-source';
import { mlflowClient, type MlflowClient } from '../relay/helpers/mlflow';
import { startTestRelay, type TestRelay } from '../relay/helpers/in-process';
import { client, comparable, workspaceState } from './helpers';

/** Past one get-history page (25,000): the import must follow next_page_token to get them all. */
const LONG = 30_000;

async function ok(r: Promise<{ status: number; json: unknown; text: string }>): Promise<{ [k: string]: unknown }> {
  const res = await r;
  if (res.status !== 200) throw new Error(`${res.status} ${res.text}`);
  return res.json as { [k: string]: unknown };
}

/** Fills an MLflow server (Cairn's own REST door) the way MLflow's Python client would. */
async function populate(m: MlflowClient): Promise<{ runs: string[] }> {
  const exp = (await ok(m.post('experiments/create', { name: 'rest-exp', tags: [{ key: 'team', value: 'nlp' }] }))).experiment_id as string;
  const gone = (await ok(m.post('experiments/create', { name: 'rest-gone' }))).experiment_id as string;
  const runs: string[] = [];
  const create = async (experiment_id: string, run_name: string, start_time: number) => {
    const r = (await ok(m.post('runs/create', { experiment_id, run_name, start_time, user_id: 'bo', tags: [{ key: 'mlflow.user', value: 'bo' }] }))).run as { info: { run_id: string } };
    runs.push(r.info.run_id);
    return r.info.run_id;
  };
  const a = await create(exp, 'long', 1_700_000_000_000);
  await ok(m.post('runs/log-batch', { run_id: a, params: [{ key: 'lr', value: '0.1' }], tags: [{ key: 'stage', value: 'x' }] }));
  for (let i = 0; i < LONG; i += 1000) {
    const metrics = Array.from({ length: 1000 }, (_, j) => {
      const step = i + j;
      const value = step === 5 ? 'NaN' : step === 6 ? 'Infinity' : step === 7 ? '-Infinity' : step / 7;
      return { key: 'loss', value, timestamp: 1_700_000_000_000 + step, step };
    });
    await ok(m.post('runs/log-batch', { run_id: a, metrics }));
  }
  await ok(m.post('runs/log-inputs', { run_id: a, datasets: [{ dataset: { name: 'wiki', digest: 'd1', source_type: 'http', source: '{"url": "x"}' }, tags: [{ key: 'mlflow.data.context', value: 'eval' }] }] }));
  for (const [path, body] of [['model/w.bin', Buffer.from([0, 1, 2, 250])], ['readme.md', Buffer.from('# hi\n')]] as const)
    expect((await m.call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${exp}/${a}/artifacts/${path}`, body, { 'content-type': 'application/octet-stream' })).status).toBe(200);
  await ok(m.post('runs/update', { run_id: a, status: 'FINISHED', end_time: 1_700_000_900_000 }));

  const b = await create(exp, 'child', 1_700_000_100_000);
  await ok(m.post('runs/log-batch', { run_id: b, tags: [{ key: 'mlflow.parentRunId', value: a }], metrics: [{ key: 'acc', value: 0.5, timestamp: 5, step: 0 }] }));
  await ok(m.post('runs/delete', { run_id: b }));
  const c = await create(gone, 'in-gone', 1_700_000_200_000);
  await ok(m.post('runs/update', { run_id: c, status: 'KILLED', end_time: 1_700_000_300_000 }));
  await ok(m.post('experiments/delete', { experiment_id: gone }));
  // MIO-12: a registry: versions 1..3, 2 deleted, 1 in Staging, an alias on 3, tags and descriptions.
  await ok(m.post('registered-models/create', { name: 'reg-model', description: 'the model', tags: [{ key: 'team', value: 'nlp' }] }));
  for (let i = 0; i < 3; i++) await ok(m.post('model-versions/create', { name: 'reg-model', source: `runs:/${a}/model`, run_id: a, description: `v${i + 1}`, tags: [{ key: 'i', value: String(i) }] }));
  await ok(m.call('DELETE', '/api/2.0/mlflow/model-versions/delete', JSON.stringify({ name: 'reg-model', version: '2' }), { 'content-type': 'application/json' }));
  await ok(m.post('model-versions/transition-stage', { name: 'reg-model', version: '1', stage: 'Staging', archive_existing_versions: false }));
  await ok(m.post('registered-models/alias', { name: 'reg-model', alias: 'prod', version: '3' }));
  return { runs };
}

type State = Awaited<ReturnType<typeof workspaceState>>;
/** A run as the source's REST door answers it: a run of a deleted experiment reads as deleted (REST-20, as MLflow). */
function asServed(state: State, id: string): State['runs'][string] {
  const s = state.runs[id]!;
  const exp = Object.values(state.experiments).find((e) => (e as { id: string }).id === s.run.info.experimentId) as { lifecycle: string } | undefined;
  return exp?.lifecycle === 'deleted' ? { ...s, run: { ...s.run, info: { ...s.run.info, lifecycleStage: 'deleted' } } } : s;
}

describe('cairn import mlflow: a running MLflow server (REST)', () => {
  let server: TestRelay;
  let target: TestRelay;
  let runs: string[] = [];
  beforeAll(async () => {
    [server, target] = await Promise.all([startTestRelay(), startTestRelay()]);
    runs = (await populate(mlflowClient(server.url))).runs;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([server?.dispose(), target?.dispose()]);
  });

  const runImport = async () => {
    const { c, close } = await client(target.url);
    try {
      return await importMlflow(c, new RestSource(server.url));
    } finally {
      await close();
    }
  };

  it('[MIO-2] [MIO-12] experiments (deleted too), runs, full paged histories, inputs and artifacts arrive as the server has them; the registry with its version numbers', async () => {
    const summary = await runImport();
    expect(summary.runs.created).toBe(3);
    expect(summary.points.written).toBe(LONG + 1);
    expect(summary.artifacts.written).toBe(2);
    expect(summary.registry).toEqual({ models: { written: 1, present: 0 }, versions: { written: 2, present: 0 } });
    // MIO-12: the registry as the server has it, version numbers kept (the deleted 2 is not there, and not reused).
    const t = mlflowClient(target.url);
    const model = (await ok(t.get('registered-models/get', { name: 'reg-model' }))).registered_model as Record<string, unknown>;
    expect(model).toMatchObject({ description: 'the model', tags: [{ key: 'team', value: 'nlp' }], aliases: [{ alias: 'prod', version: '3' }] });
    const versions = (await ok(t.get('model-versions/search', { filter: "name = 'reg-model'", order_by: 'version_number ASC' }))).model_versions as Record<string, unknown>[];
    expect(versions.map((v) => [v.version, v.current_stage, v.description, v.run_id])).toEqual([
      ['1', 'Staging', 'v1', runs[0]],
      ['3', 'None', 'v3', runs[0]],
    ]);
    expect((await ok(t.post('model-versions/create', { name: 'reg-model', source: 'runs:/' + runs[0] + '/model' }))).model_version).toMatchObject({ version: '4' });
    const [a, b] = await Promise.all([workspaceState(server.url), workspaceState(target.url)]);
    expect(b.experiments).toEqual(a.experiments);
    expect((b.experiments['rest-gone'] as { lifecycle: string }).lifecycle).toBe('deleted');
    for (const id of runs) expect(comparable(b.runs[id]!), id).toEqual(comparable(asServed(a, id)));
    const long = b.runs[runs[0]!]!.histories.loss!;
    expect(long).toHaveLength(LONG);
    expect(long.slice(4, 8).map((p) => p.value)).toEqual([4 / 7, NaN, Infinity, -Infinity]);
    expect(b.runs[runs[1]!]!.run.info.lifecycleStage).toBe('deleted');
  });

  it('[MIO-2] [MIO-5] a second import from the server writes nothing', async () => {
    const summary = await runImport();
    expect(summary.runs).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(summary.points.written).toBe(0);
    expect(summary.artifacts.written).toBe(0);
    expect(summary.params.written + summary.tags.written + summary.inputs.written).toBe(0);
    expect(summary.registry).toEqual({ models: { written: 0, present: 1 }, versions: { written: 0, present: 2 } });
  });

  it('[MIO-2] every page is followed: with pages of one experiment, one run and 7,000 points the same state arrives', async () => {
    const paged = await startTestRelay();
    try {
      const { c, close } = await client(paged.url);
      try {
        await importMlflow(c, new RestSource(server.url, undefined, { search: 1, history: 7_000 }));
      } finally {
        await close();
      }
      const [a, b] = await Promise.all([workspaceState(server.url), workspaceState(paged.url)]);
      expect(b.experiments).toEqual(a.experiments);
      for (const id of runs) expect(comparable(b.runs[id]!), id).toEqual(comparable(asServed(a, id)));
    } finally {
      await paged.dispose();
    }
  });

  it('[MIO-8] an unreachable server stops the import with a clear error', async () => {
    const { c, close } = await client(target.url);
    try {
      await expect(importMlflow(c, new RestSource('http://127.0.0.1:9'))).rejects.toThrow(/cannot reach the MLflow server/);
    } finally {
      await close();
    }
  });
});

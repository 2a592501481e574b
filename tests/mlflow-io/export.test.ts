import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportMlflow } from '@/server/mlflow-io/exporter';
import { FileStoreSource } from '@/server/mlflow-io/file-store-source';
import { importMlflow } from '@/server/mlflow-io/importer';
import { parseYaml } from '@/server/mlflow-io/layout';
import { startTestRelay, type TestRelay } from '../relay/helpers/in-process';
import { client, comparable, temp, workspaceState } from './helpers';
import { RUN_A, RUN_C, buildSampleStore } from './store-fixture';

/** The keys FileStore writes into a run's meta.yaml (`_make_persisted_run_info_dict` + `deleted_time`), in order. */
const RUN_META_KEYS = [
  'artifact_uri', 'deleted_time', 'end_time', 'entry_point_name', 'experiment_id', 'lifecycle_stage', 'run_id', 'run_name',
  'run_uuid', 'source_name', 'source_type', 'source_version', 'start_time', 'status', 'tags', 'user_id',
];

describe('cairn export mlflow', () => {
  let source: TestRelay;
  let fresh: TestRelay;
  const store = temp('cairn-mio-src-');
  const out = temp('cairn-mio-out-');
  let sdkRun = '';
  beforeAll(async () => {
    [source, fresh] = await Promise.all([startTestRelay(), startTestRelay()]);
    buildSampleStore(store.path);
    const { c, close } = await client(source.url);
    try {
      await importMlflow(c, FileStoreSource.open(store.path));
      // And a run logged the ordinary way, in an experiment with an 18-digit Cairn id.
      const run = await c.startRun({ experimentName: 'sdk-logged', runName: 'plain' });
      sdkRun = run.id;
      run.logParams({ depth: 3 });
      for (let i = 0; i < 50; i++) run.logMetric('score', i === 7 ? NaN : i === 9 ? -Infinity : i / 3, { step: i, timestamp: 1000 + i });
      await run.logArtifact('out/data.bin', new Uint8Array([1, 2, 3, 0, 255]));
      await run.end('FAILED');
    } finally {
      await close();
    }
  });
  afterAll(async () => {
    await Promise.all([source?.dispose(), fresh?.dispose()]);
    store.remove();
    out.remove();
  });

  it('[MIO-10] writes FileStore’s layout, meta.yaml fields and value formats', async () => {
    const { c, close } = await client(source.url);
    try {
      const s = await exportMlflow(c, out.path);
      expect(s).toMatchObject({ experiments: 4, runs: 5, artifacts: 4 });
    } finally {
      await close();
    }
    const root = out.path;
    // Byte for byte what FileStore writes for an experiment (compare a real mlruns/0/meta.yaml), times aside.
    expect(readFileSync(join(root, '0', 'meta.yaml'), 'utf8')).toBe(
      `artifact_location: ${pathToFileURL(join(root, '0')).href}\ncreation_time: 0\nexperiment_id: '0'\nlast_update_time: 0\nlifecycle_stage: active\nname: Default\n`,
    );
    expect(existsSync(join(root, '.trash', '456', 'meta.yaml'))).toBe(true);
    expect(existsSync(join(root, '456'))).toBe(false);
    expect(readFileSync(join(root, '123', 'tags', 'owner'), 'utf8')).toBe('ana');

    const metaText = readFileSync(join(root, '0', RUN_A, 'meta.yaml'), 'utf8');
    expect(metaText.split('\n').filter(Boolean).map((l) => l.split(':')[0])).toEqual(RUN_META_KEYS);
    expect(metaText).toContain("experiment_id: '0'\n");
    expect(metaText).toContain("entry_point_name: ''\n");
    expect(metaText).toContain('tags: []\n');
    const meta = parseYaml(metaText) as Record<string, unknown>;
    expect(meta).toMatchObject({
      artifact_uri: `${pathToFileURL(join(root, '0')).href}/${RUN_A}/artifacts`,
      deleted_time: null,
      end_time: 1_700_000_100_000,
      run_id: RUN_A,
      run_uuid: RUN_A,
      run_name: 'bold-fox-123',
      source_type: 4,
      start_time: 1_700_000_000_000,
      status: 3,
      user_id: 'ana',
      lifecycle_stage: 'active',
    });
    const deleted = parseYaml(readFileSync(join(root, '123', RUN_C, 'meta.yaml'), 'utf8')) as Record<string, unknown>;
    expect(deleted).toMatchObject({ lifecycle_stage: 'deleted', status: 5 });
    expect(typeof deleted.deleted_time).toBe('number');

    expect(readFileSync(join(root, '0', RUN_A, 'params', 'opt', 'name'), 'utf8')).toBe('adam');
    expect(readFileSync(join(root, '0', RUN_A, 'params', 'empty'), 'utf8')).toBe('');
    expect(readFileSync(join(root, '0', RUN_A, 'metrics', 'loss'), 'utf8')).toBe(
      '1700000000001 0.9 0\n1700000000002 nan 1\n1700000000003 inf 2\n1700000000004 -inf 3\n1700000000005 1e-05 4\n1700000000006 0.5 4\n',
    );
    expect(readFileSync(join(root, '0', RUN_A, 'metrics', 'eval', 'acc'), 'utf8')).toBe('1700000000010 0.25 0\n1700000000011 0.75 1\n');
    expect(readFileSync(join(root, '0', RUN_A, 'artifacts', 'plots', 'a', 'b.txt'), 'utf8')).toBe('deep');
    // Dataset inputs as FileStore links them: <exp>/datasets/<md5(name+digest)>, <run>/inputs/<md5(dataset id+run)>.
    const dsId = createHash('md5').update('iris').update('abc123').digest('hex');
    expect(parseYaml(readFileSync(join(root, '0', 'datasets', dsId, 'meta.yaml'), 'utf8'))).toEqual({
      digest: 'abc123', name: 'iris', profile: null, schema: '{"mlflow_colspec": []}', source: '{"uri": "iris.csv"}', source_type: 'local',
    });
    const inputDir = join(root, '0', RUN_A, 'inputs', createHash('md5').update(dsId).update(RUN_A).digest('hex'));
    expect(parseYaml(readFileSync(join(inputDir, 'meta.yaml'), 'utf8'))).toEqual({
      destination_id: dsId, destination_type: 'RUN', source_id: dsId, source_type: 'DATASET', tags: { 'mlflow.data.context': 'training' },
    });
  });

  it('[MIO-11] export, then import into a fresh relay: the same experiments, runs, params, tags, full histories and artifact bytes', async () => {
    const { c, close } = await client(fresh.url);
    try {
      const summary = await importMlflow(c, FileStoreSource.open(out.path));
      expect(summary.skipped).toEqual([]);
    } finally {
      await close();
    }
    const [a, b] = await Promise.all([workspaceState(source.url), workspaceState(fresh.url)]);
    expect(b.experiments).toEqual(a.experiments);
    expect(Object.keys(b.runs).sort()).toEqual(Object.keys(a.runs).sort());
    for (const id of Object.keys(a.runs)) expect(comparable(b.runs[id]!), id).toEqual(comparable(a.runs[id]!));
    expect(b.runs[sdkRun]!.histories.score!.map((p) => p.value).slice(6, 10)).toEqual([2, NaN, 8 / 3, -Infinity]);
  });

  it('[MIO-10] --experiment exports only the experiments named (by name or id); an unknown one is refused', async () => {
    const { c, close } = await client(source.url);
    const only = temp('cairn-mio-only-');
    try {
      const s = await exportMlflow(c, only.path, { experiments: ['vision', '456'] });
      expect(s).toMatchObject({ experiments: 2, runs: 2 });
      expect(existsSync(join(only.path, '123', RUN_C, 'meta.yaml'))).toBe(true);
      expect(existsSync(join(only.path, '.trash', '456', 'meta.yaml'))).toBe(true);
      expect(existsSync(join(only.path, '0'))).toBe(false);
      await expect(exportMlflow(c, join(only.path, 'again'), { experiments: ['nope'] })).rejects.toThrow(/No experiment named or with id 'nope'/);
    } finally {
      await close();
      only.remove();
    }
  });

  it('[MIO-10] refuses a folder that is not empty', async () => {
    const { c, close } = await client(source.url);
    try {
      writeFileSync(join(out.path, 'stray.txt'), 'x');
      await expect(exportMlflow(c, out.path)).rejects.toThrow(/not an empty folder/);
    } finally {
      await close();
    }
  });
});

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as doc from '@/lib/doc';
import * as reg from '@/lib/registry';
import type { Sha256 } from '@/lib/domain';
import { FileStoreSource } from '@/server/mlflow-io/file-store-source';
import { importMlflow } from '@/server/mlflow-io/importer';
import { startTestRelay, type TestRelay } from '../relay/helpers/in-process';
import { client, temp, workspaceState } from './helpers';
import { PNG, RUN_A, RUN_B, RUN_C, RUN_D, buildSampleStore } from './store-fixture';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex') as Sha256;

describe('cairn import mlflow: file store', () => {
  let relay: TestRelay;
  const store = temp('cairn-mio-store-');
  beforeAll(async () => {
    relay = await startTestRelay();
    buildSampleStore(store.path);
  });
  afterAll(async () => {
    await relay?.dispose();
    store.remove();
  });

  const runImport = async () => {
    const { c, close } = await client(relay.url);
    try {
      return await importMlflow(c, FileStoreSource.open(store.path));
    } finally {
      await close();
    }
  };

  it('[MIO-1] [MIO-3] [MIO-4] a file store in MLflow’s layout arrives whole: experiments by name and id, runs with their ids, times, status, lifecycle, params, tags, inputs, histories and artifact bytes', async () => {
    const summary = await runImport();
    expect(summary.experiments).toEqual({ created: 2, reused: 1 });
    expect(summary.runs).toEqual({ created: 4, updated: 0, unchanged: 0 });
    expect(summary.points.written).toBe(10);
    expect(summary.artifacts.written).toBe(3);

    const state = await workspaceState(relay.url);
    expect(state.experiments).toEqual({
      Default: { id: '0', lifecycle: 'active', tags: {} },
      vision: { id: '123', lifecycle: 'active', tags: { 'mlflow.note.content': 'a note', owner: 'ana' } },
      old: { id: '456', lifecycle: 'deleted', tags: {} },
    });
    const a = state.runs[RUN_A]!;
    expect(a.run.info).toMatchObject({ runId: RUN_A, experimentId: '0', runName: 'bold-fox-123', status: 'FINISHED', startTime: 1_700_000_000_000, endTime: 1_700_000_100_000, lifecycleStage: 'active', userId: 'ana' });
    expect(a.run.params).toEqual({ lr: '0.01', 'opt/name': 'adam', empty: '' });
    expect(a.run.tags).toEqual({ 'mlflow.runName': 'bold-fox-123', 'mlflow.user': 'ana', 'mlflow.source.type': 'LOCAL', team: 'vision' });
    expect(a.histories.loss!.map((p) => p.value)).toEqual([0.9, NaN, Infinity, -Infinity, 1e-5, 0.5]);
    expect(a.histories.loss!.map((p) => [p.step, p.timestamp])).toEqual([[0, 1_700_000_000_001], [1, 1_700_000_000_002], [2, 1_700_000_000_003], [3, 1_700_000_000_004], [4, 1_700_000_000_005], [4, 1_700_000_000_006]]);
    expect(a.histories['eval/acc']).toEqual([{ step: 0, timestamp: 1_700_000_000_010, value: 0.25 }, { step: 1, timestamp: 1_700_000_000_011, value: 0.75 }]);
    expect(a.artifacts).toEqual({ 'model/weights.bin': Buffer.from(PNG).toString('hex'), 'notes.txt': Buffer.from('hello\n').toString('hex'), 'plots/a/b.txt': Buffer.from('deep').toString('hex') });
    expect(a.run.inputs).toEqual([{ dataset: { name: 'iris', digest: 'abc123', sourceType: 'local', source: '{"uri": "iris.csv"}', schema: '{"mlflow_colspec": []}' }, tags: { 'mlflow.data.context': 'training' } }]);

    const b = state.runs[RUN_B]!;
    expect(b.run.info).toMatchObject({ status: 'RUNNING', endTime: null, lifecycleStage: 'active' });
    expect(b.run.tags['mlflow.parentRunId']).toBe(RUN_A);
    expect(state.runs[RUN_C]!.run.info).toMatchObject({ experimentId: '123', status: 'KILLED', lifecycleStage: 'deleted' });
    expect(state.runs[RUN_C]!.run.params).toEqual({ seed: '7' });
    expect(state.runs[RUN_D]!.run.info).toMatchObject({ experimentId: '456', status: 'FAILED', lifecycleStage: 'active' });
    expect(state.runs[RUN_D]!.histories.x).toEqual([{ step: 0, timestamp: 1, value: 1 }]);
  });

  it('[MIO-8] damage in the store is skipped item by item with its reason (a model version without a source too)', async () => {
    const summary = await runImport();
    const why = summary.skipped.map((s) => `${s.reason} ${s.kind} ${s.item}`);
    expect(why).toContain('unreadable run 0/badrun');
    expect(why).toContain('unreadable run 0/notarun');
    expect(why).toContain(`invalid metric point ${RUN_A}/eval/acc:2`);
    expect(why).toContain('invalid model version clf/1');
    expect(summary.skipped.find((s) => s.item === '0/badrun')!.detail).toMatch(/meta\.yaml/);
  });

  it('[MIO-5] importing again writes nothing: every item is already present', async () => {
    const summary = await runImport();
    expect(summary.experiments).toEqual({ created: 0, reused: 3 });
    expect(summary.runs).toEqual({ created: 0, updated: 0, unchanged: 4 });
    expect(summary.params.written).toBe(0);
    expect(summary.tags.written).toBe(0);
    expect(summary.points).toEqual({ written: 0, present: 10 });
    expect(summary.artifacts).toMatchObject({ written: 0, present: 3 });
    expect(summary.inputs).toEqual({ written: 0, present: 1 });
  });

  it('[MIO-5] a param changed in the source is a conflict, never overwritten; a changed tag, a new point and a changed file are written', async () => {
    const dir = join(store.path, '0', RUN_A);
    writeFileSync(join(dir, 'params', 'lr'), '0.02');
    writeFileSync(join(dir, 'tags', 'team'), 'audio');
    writeFileSync(join(dir, 'metrics', 'loss'), '1700000000001 0.9 0\n1700000000002 nan 1\n1700000000003 inf 2\n1700000000004 -inf 3\n1700000000005 1e-05 4\n1700000000006 0.5 4\n1700000000007 0.25 5\n');
    writeFileSync(join(dir, 'artifacts', 'notes.txt'), 'changed\n');
    const summary = await runImport();
    expect(summary.skipped).toContainEqual(expect.objectContaining({ kind: 'param', item: `${RUN_A}/lr`, reason: 'conflict' }));
    expect(summary.runs.updated).toBe(1);
    expect(summary.points.written).toBe(1);
    expect(summary.artifacts.written).toBe(1);
    const a = (await workspaceState(relay.url)).runs[RUN_A]!;
    expect(a.run.params.lr).toBe('0.01');
    expect(a.run.tags.team).toBe('audio');
    expect(a.histories.loss!.at(-1)).toEqual({ step: 5, timestamp: 1_700_000_000_007, value: 0.25 });
    expect(a.histories.loss).toHaveLength(7);
    expect(Buffer.from(a.artifacts['notes.txt']!, 'hex').toString()).toBe('changed\n');
  });

  it('[MIO-6] deleted runs and experiments stay deleted on a rerun; a run a user deleted in the target is a conflict, not restored', async () => {
    const { c, close } = await client(relay.url);
    try {
      await c.deleteRun(RUN_B);
      await c.flush();
    } finally {
      await close();
    }
    const summary = await runImport();
    expect(summary.skipped).toContainEqual(expect.objectContaining({ kind: 'run', item: RUN_B, reason: 'conflict' }));
    const state = await workspaceState(relay.url);
    expect(state.runs[RUN_B]!.run.info.lifecycleStage).toBe('deleted');
    expect(state.runs[RUN_C]!.run.info.lifecycleStage).toBe('deleted');
    expect((state.experiments.old as { lifecycle: string }).lifecycle).toBe('deleted');
  });

  it('[MIO-5] a reference whose bytes never reached the relay is not “already present”: the file is uploaded again', async () => {
    const bare = await startTestRelay();
    try {
      const { c, close } = await client(bare.url);
      try {
        // What a killed import can leave: the run and the reference on the relay, the blob only in its journal.
        const held = await c.holdRun(RUN_A);
        c.withRun(RUN_A, () => {
          doc.startRun(c.ctx, { runId: RUN_A, experimentId: '0', runName: 'bold-fox-123', startTime: 1_700_000_000_000 });
          doc.logArtifactRef(c.ctx, { runId: RUN_A, ref: { path: 'notes.txt', size: 6, sha256: sha256('hello\n'), mediaType: 'text/plain', loggedAt: 1 } });
        });
        await held.release();
      } finally {
        await close();
      }
      expect((await fetch(`${bare.url}/blobs/${sha256('hello\n')}`)).status).toBe(404);
      const fresh = temp('cairn-mio-fresh-');
      try {
        buildSampleStore(fresh.path);
        const { c: c2, close: close2 } = await client(bare.url);
        try {
          await importMlflow(c2, FileStoreSource.open(fresh.path));
        } finally {
          await close2();
        }
      } finally {
        fresh.remove();
      }
      expect(Buffer.from(await (await fetch(`${bare.url}/blobs/${sha256('hello\n')}`)).arrayBuffer()).toString()).toBe('hello\n');
    } finally {
      await bare.dispose();
    }
  });

  it('[MIO-8] a missing folder or one that is not a file store is a clear error, before anything is written', () => {
    expect(() => FileStoreSource.open(join(store.path, 'nope'))).toThrow(/does not exist/);
    const empty = temp('cairn-mio-empty-');
    try {
      writeFileSync(join(empty.path, 'readme.txt'), 'hi');
      expect(() => FileStoreSource.open(empty.path)).toThrow(/is not an MLflow file store/);
      expect(() => FileStoreSource.open(join(empty.path, 'readme.txt'))).toThrow(/is not a folder/);
    } finally {
      empty.remove();
    }
  });

  it('[MIO-12] registered models arrive whole with their version numbers kept (deleted ones not read); the relay numbers the next one above them; a rerun finds them present', async () => {
    const { c, close } = await client(relay.url);
    try {
      const view = reg.readRegistry(c.ws);
      const m = view.modelByName('ranker')!;
      expect(m).toMatchObject({ description: 'ranks things', tags: { team: 'search' }, creationTime: 1_700_000_000_000, lastUpdatedTime: 1_700_000_009_000 });
      expect(m.aliases.map((a) => [a.alias, a.version])).toEqual([['champion', 4]]);
      const vs = view.versionsOf(m.modelId);
      expect(vs.map((v) => [v.version, v.stage, v.status, v.description, v.userId])).toEqual([
        [2, 'Production', 'READY', 'v2', 'ann'],
        [4, 'None', 'READY', 'v4', 'ann'],
      ]);
      expect(vs[0]!.tags).toEqual({ validated: 'yes' });
      expect(vs[0]!.runId).toBe(RUN_A);
      expect(view.modelByName('clf')!.latestVersions).toEqual([]);
      // A version registered now gets 5: numbers continue above the imported ones, never reusing one.
      const v = reg.createModelVersion(c.ctx, { name: 'ranker', source: `runs:/${RUN_A}/model` });
      await c.flush();
      const deadline = Date.now() + 10_000;
      while (reg.readRegistry(c.ws).versionById(v.versionId)?.version == null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(reg.readRegistry(c.ws).versionById(v.versionId)!.version).toBe(5);
    } finally {
      await close();
    }
    const again = await runImport();
    expect(again.registry.models).toEqual({ written: 0, present: 2 });
    expect(again.registry.versions).toEqual({ written: 0, present: 2 });
  });
});

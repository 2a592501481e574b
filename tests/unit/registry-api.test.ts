import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ensureWorkspace, logArtifactRef, memoryCtx, startRun } from '@/lib/doc';
import type { ArtifactRef } from '@/lib/domain';
import * as reg from '@/lib/registry';
import { SIGNAL_DEBOUNCE_MS } from '@/workers/topics';
import { REGISTRY_TOPIC } from '@/workers/registry-api';
import { freshDbName, storeDocs, workerServices } from '../shared/worker-service';

/*
 * components/registry/SPEC.md REGUI-W*: the data worker's registry functions, driven in Node (fake IndexedDB,
 * local-only: no relay numbers versions here, so numbered ones are seeded as a previous session stored them).
 */

const freshDb = () => freshDbName('registry-api');
const service = workerServices();
const tick = (ms = SIGNAL_DEBOUNCE_MS * 3) => new Promise((r) => setTimeout(r, ms));
const SHA = 'a'.repeat(64);

/** A run with a model folder (`model/MLmodel`) and a plain folder (`logs/`), and model "iris" with v1 (Production) and v2, numbered. */
async function seed(dbName: string): Promise<{ runId: string; v1: string; v2: string }> {
  let t = 1_700_000_000_000;
  const ctx = memoryCtx(new Y.Doc(), 'sdk', () => t++);
  ensureWorkspace(ctx);
  const run = startRun(ctx, { runName: 'train', startTime: 1_700_000_000_000 });
  for (const path of ['model/MLmodel', 'model/model.onnx', 'logs/train.log']) {
    logArtifactRef(ctx, { runId: run.runId, ref: { path, size: 3, sha256: SHA, mediaType: 'application/octet-stream', loggedAt: 1 } as ArtifactRef });
  }
  reg.createRegisteredModel(ctx, { name: 'iris', tags: { team: 'ml' } });
  const a = reg.createModelVersion(ctx, { name: 'iris', source: `runs:/${run.runId}/model`, runId: run.runId });
  const b = reg.createModelVersion(ctx, { name: 'iris', source: 's3://bucket/elsewhere' });
  reg.assignVersionNumbers(ctx);
  reg.transitionModelVersionStage(ctx, { name: 'iris', version: 1, stage: 'Production' });
  reg.createRegisteredModel(ctx, { name: 'Wine' });
  await storeDocs(dbName, ctx);
  return { runId: run.runId, v1: a.versionId, v2: b.versionId };
}

describe('the registry in the data worker', () => {
  it('[REGUI-W1] [REGUI-W8] lists models with latest per stage and aliases, filters by name or an MLflow filter, reads a model and a version by number or id; missing ones read as null', async () => {
    const db = freshDb();
    const { v1, v2 } = await seed(db);
    const api = await service(db);
    await api.setRegisteredModelAlias('iris', 'champion', 1);
    const all = await api.listRegisteredModels();
    expect(all.map((m) => m.name)).toEqual(['Wine', 'iris']);
    const iris = all.find((m) => m.name === 'iris')!;
    expect(iris.latestVersions.map((v) => [v.stage, v.version])).toEqual([
      ['Production', 1],
      ['None', 2],
    ]);
    expect(iris.aliases).toEqual([{ alias: 'champion', versionId: v1, version: 1 }]);
    expect(iris.tags).toEqual({ team: 'ml' });
    // REGUI-W8: plain text is a case-insensitive name match; an MLflow filter is searched as MLflow does.
    expect((await api.listRegisteredModels({ nameContains: 'IN' })).map((m) => m.name)).toEqual(['Wine']);
    expect(await api.listRegisteredModels({ nameContains: 'nothing' })).toEqual([]);
    expect((await api.listRegisteredModels({ nameContains: "tags.team = 'ml'" })).map((m) => m.name)).toEqual(['iris']);
    expect((await api.listRegisteredModels({ nameContains: "name LIKE 'W%'" })).map((m) => m.name)).toEqual(['Wine']);
    expect(await api.listRegisteredModels({ nameContains: "o'brien" })).toEqual([]);
    await expect(api.listRegisteredModels({ nameContains: "name === 'x'" })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    const detail = await api.getRegisteredModel('iris');
    expect(detail!.versions.map((v) => v.versionId)).toEqual([v1, v2]);
    expect((await api.getModelVersion('iris', 2))!.version.source).toBe('s3://bucket/elsewhere');
    expect((await api.getModelVersion('iris', { versionId: v1 }))!.version.version).toBe(1);
    expect(detail!.sameName).toBe(0);
    expect(await api.getRegisteredModel('nope')).toBeNull();
    expect(await api.getModelVersion('iris', 9)).toBeNull();
    expect(await api.getModelVersion('Wine', { versionId: v1 })).toBeNull();
    // What crosses the worker boundary is plain data.
    expect(structuredClone(detail)).toEqual(detail);
    await expect(api.listRegisteredModels({ bogus: 1 } as never)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(api.getModelVersion('iris', { versionId: 'not hex' })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });

  it('[REGUI-W1] two models created offline with one name: the owner is read by name and counts the other; a rename makes the other reachable', async () => {
    const db = freshDb();
    const ws = new Y.Doc();
    const first = memoryCtx(ws, 'alice', () => 1_000);
    ensureWorkspace(first);
    reg.createRegisteredModel(first, { name: 'twin', description: 'first' });
    const other = memoryCtx(new Y.Doc(), 'bob', () => 2_000);
    reg.createRegisteredModel(other, { name: 'twin', description: 'second' });
    Y.applyUpdate(ws, Y.encodeStateAsUpdate(other.ws));
    await storeDocs(db, first);
    const api = await service(db);
    const owner = await api.getRegisteredModel('twin');
    expect(owner).toMatchObject({ model: { description: 'first', nameConflict: false }, sameName: 1 });
    // Both are listed (ordered by name, then id): the later one marked.
    const listed = await api.listRegisteredModels();
    expect(listed.map((m) => [m.description, m.nameConflict]).sort()).toEqual([
      ['first', false],
      ['second', true],
    ]);
    await api.renameRegisteredModel('twin', 'twin-a');
    expect(await api.getRegisteredModel('twin')).toMatchObject({ model: { description: 'second', nameConflict: false }, sameName: 0 });
  });

  it('[REGUI-W2] every registry change signals the registry topic once per window and the reads show it; history carries outcomes', async () => {
    const db = freshDb();
    const { v1 } = await seed(db);
    const api = await service(db);
    // Observers attach on the first registry call; a read does it as a page's first query would.
    await api.listRegisteredModels();
    const seen: string[] = [];
    await api.subscribe(REGISTRY_TOPIC, (t) => seen.push(t));
    await api.setRegisteredModelTag('iris', 'owner', 'ann');
    await api.setModelVersionTag('iris', 1, 'k', 'v');
    await api.updateRegisteredModel('iris', 'flowers');
    await tick();
    expect(seen).toEqual([REGISTRY_TOPIC]);
    expect((await api.getRegisteredModel('iris'))!.model).toMatchObject({ description: 'flowers', tags: { team: 'ml', owner: 'ann' } });
    await api.transitionModelVersionStage('iris', 2, 'production', true);
    await tick();
    expect(seen.length).toBe(2);
    const versions = (await api.getRegisteredModel('iris'))!.versions;
    expect(versions.map((v) => v.stage)).toEqual(['Archived', 'Production']);
    const h = await api.getRegistryHistory('iris', v1);
    const stages = h.filter((e) => e.kind === 'version.stage');
    expect(stages.map((e) => [e.from, e.to, e.outcome])).toEqual([
      ['None', 'Production', 'superseded'],
      ['Production', 'Archived', 'current'],
    ]);
    // The model's whole history includes the create and every change, oldest first.
    const all = await api.getRegistryHistory('iris');
    expect(all[0]!.kind).toBe('model.create');
    expect(all.map((e) => e.at)).toEqual([...all.map((e) => e.at)].sort((a, b) => a - b));
    await expect(api.getRegistryHistory('nope')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('[REGUI-W3] registers a run model folder: creates the model when missing, source runs:/<run>/<folder>, pending; a folder without MLmodel writes nothing', async () => {
    const db = freshDb();
    const { runId } = await seed(db);
    const api = await service(db);
    const v = await api.registerModelFromRun(runId, 'model/', 'fresh');
    expect(v).toMatchObject({ name: 'fresh', version: null, status: 'PENDING_REGISTRATION', source: `runs:/${runId}/model`, runId, stage: 'None' });
    const fresh = await api.getRegisteredModel('fresh');
    expect(fresh!.versions.map((x) => x.versionId)).toEqual([v.versionId]);
    // Into an existing model: no second model of that name.
    await api.registerModelFromRun(runId, 'model', 'iris');
    expect((await api.getRegisteredModel('iris'))!.versions.length).toBe(3);
    expect((await api.listRegisteredModels()).filter((m) => m.name === 'iris').length).toBe(1);
    const before = await api.listRegisteredModels();
    await expect(api.registerModelFromRun(runId, 'logs', 'other')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('no logs/MLmodel') });
    await expect(api.registerModelFromRun('f'.repeat(32), 'model', 'other')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    await expect(api.registerModelFromRun(runId, 'model', 'bad/name')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    expect(await api.listRegisteredModels()).toEqual(before);
  });

  it('[REGUI-W4] model files say honestly why there is nothing to show: not a run source, no MLmodel in the folder, or the file could not be read', async () => {
    const db = freshDb();
    await seed(db);
    const api = await service(db);
    expect(await api.getModelVersionFiles('iris', 2)).toMatchObject({ state: 'no-source', signature: null, runId: null });
    // A version whose folder has no MLmodel (made by the registry command directly, as an MLflow client may).
    const ctxDb = freshDb();
    let t = 1_000;
    // A clock: versions created in one millisecond would be numbered in id order (random).
    const ctx = memoryCtx(new Y.Doc(), 'sdk', () => t++);
    ensureWorkspace(ctx);
    const run = startRun(ctx, { runName: 'bare' });
    reg.createRegisteredModel(ctx, { name: 'bare' });
    reg.createModelVersion(ctx, { name: 'bare', source: `runs:/${run.runId}/nothing`, runId: run.runId });
    reg.createModelVersion(ctx, { name: 'bare', source: `runs:/${'e'.repeat(32)}/model` });
    reg.assignVersionNumbers(ctx);
    await storeDocs(ctxDb, ctx);
    const other = await service(ctxDb);
    expect(await other.getModelVersionFiles('bare', 1)).toMatchObject({ state: 'no-mlmodel', runId: run.runId, artifactPath: 'nothing' });
    // This workspace is local-only: the MLmodel's bytes live on a relay, so reading them is an error with its reason.
    expect(await api.getModelVersionFiles('iris', 1)).toMatchObject({ state: 'error', message: expect.stringContaining('relay') });
    await expect(api.getModelVersionFiles('iris', 7)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('[REGUI-W5] compares 2 to 10 numbered versions: each with its run params and metrics, unknown numbers listed', async () => {
    const db = freshDb();
    await seed(db);
    const api = await service(db);
    const got = await api.compareModelVersions('iris', [2, 1, 5]);
    expect(got.entries.map((e) => e.version.version)).toEqual([2, 1]);
    expect(got.missing).toEqual([5]);
    expect(got.entries[1]!.run).toMatchObject({ runName: 'train', params: {}, metrics: {} });
    expect(got.entries[0]!.run).toBeNull();
    expect(structuredClone(got)).toEqual(got);
    await expect(api.compareModelVersions('iris', [1])).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('at least 2') });
    await expect(api.compareModelVersions('iris', Array.from({ length: 11 }, (_, i) => i + 1))).rejects.toMatchObject({ message: expect.stringContaining('at most 10') });
    await expect(api.compareModelVersions('nope', [1, 2])).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it("[REGUI-W6] refusals cross as {code, message} in lib/registry's words and change nothing; a pending version takes an alias but not a stage", async () => {
    const db = freshDb();
    const { runId } = await seed(db);
    const api = await service(db);
    const before = JSON.stringify(await api.listRegisteredModels());
    const refusals: [Promise<unknown>, string, RegExp][] = [
      [api.createRegisteredModel('iris'), 'RESOURCE_ALREADY_EXISTS', /Registered Model \(name=iris\) already exists\./],
      [api.renameRegisteredModel('iris', 'Wine'), 'RESOURCE_ALREADY_EXISTS', /already exists/],
      [api.setRegisteredModelAlias('iris', 'latest', 1), 'INVALID_PARAMETER_VALUE', /'latest' alias name \(case insensitive\) is reserved\./],
      [api.setRegisteredModelAlias('iris', 'v3', 1), 'INVALID_PARAMETER_VALUE', /Version alias name 'v3' is reserved\./],
      [api.transitionModelVersionStage('iris', 1, 'Gold', false), 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage: Gold/],
      [api.transitionModelVersionStage('iris', 1, 'Archived', true), 'INVALID_PARAMETER_VALUE', /not an Active stage/],
      [api.deleteRegisteredModel('nope'), 'RESOURCE_DOES_NOT_EXIST', /Registered Model with name=nope not found/],
      [api.setModelVersionTag('iris', 9, 'k', 'v'), 'RESOURCE_DOES_NOT_EXIST', /not found/],
    ];
    for (const [p, code, message] of refusals) {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, String(message)).toMatchObject({ code, message: expect.stringMatching(message) });
      // Plain data, not an Error (comlink would strip an Error's code).
      expect(err).not.toBeInstanceOf(Error);
    }
    expect(JSON.stringify(await api.listRegisteredModels())).toBe(before);
    const pending = await api.registerModelFromRun(runId, 'model', 'iris');
    await api.setRegisteredModelAlias('iris', 'challenger', { versionId: pending.versionId });
    expect((await api.getModelVersion('iris', { versionId: pending.versionId }))!.version.aliases).toEqual(['challenger']);
    // A pending version is edited offline like a numbered one (REG-N2): stage, description, tags.
    await api.transitionModelVersionStage('iris', { versionId: pending.versionId }, 'Staging', false);
    await api.updateModelVersion('iris', { versionId: pending.versionId }, 'made offline');
    await api.setModelVersionTag('iris', { versionId: pending.versionId }, 'k', 'v');
    expect((await api.getModelVersion('iris', { versionId: pending.versionId }))!.version).toMatchObject({ version: null, stage: 'Staging', description: 'made offline', tags: { k: 'v' } });
    // The rest of the commands do what lib/registry says.
    await api.renameRegisteredModel('Wine', 'Wine2');
    await api.deleteRegisteredModelTag('iris', 'team');
    await api.deleteModelVersion('iris', 2);
    await api.deleteRegisteredModelAlias('iris', 'challenger');
    await api.deleteRegisteredModel('Wine2');
    const after = await api.listRegisteredModels();
    expect(after.map((m) => m.name)).toEqual(['iris']);
    expect(after[0]!.tags).toEqual({});
    expect(after[0]!.aliases).toEqual([]);
    expect((await api.getRegisteredModel('iris'))!.versions.map((v) => v.version)).toEqual([1, null]);
  });
});

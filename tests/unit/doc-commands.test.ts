import { describe, expect, it } from 'vitest';
import { errorCode as code } from '../shared/error-code';
import * as Y from 'yjs';
import { CairnError, DEFAULT_EXPERIMENT_ID } from '@/lib/domain';
import * as doc from '@/lib/doc';

function replica(actor = 'a1', t0 = 1_700_000_000_000) {
  let t = t0;
  const ctx = doc.memoryCtx(new Y.Doc(), actor, () => ++t);
  doc.ensureWorkspace(ctx);
  return ctx;
}

/** What a sync does: each side gets what the other has, for the workspace doc and every run and metrics doc. */
function exchange(a: doc.MemoryCtx, b: doc.MemoryCtx): void {
  const pull = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
  for (const [x, y] of [[a, b], [b, a]] as const) {
    pull(x.ws, y.ws);
    for (const [id, d] of x.runDocs) pull(d, y.runDoc(id));
    for (const [id, d] of x.metricsDocs) pull(d, y.metricsDoc(id));
  }
}

const runs = (c: doc.MemoryCtx, opts: Parameters<typeof doc.listRuns>[1] = {}) => doc.listRuns(c.runDocs, opts);

describe('lib/doc commands', () => {
  it('[DOC-L1][DOC-E2] a workspace has a format version and the Default experiment', () => {
    const c = replica();
    expect(doc.wsMeta(c.ws).get('formatVersion')).toBe(doc.FORMAT_VERSION);
    const d = doc.getExperiment(c.ws, DEFAULT_EXPERIMENT_ID)!;
    expect(d.name).toBe('Default');
    expect(code(() => doc.deleteExperiment(c, '0'))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('[DOC-E1] experiment names are unique among active and deleted experiments', () => {
    const c = replica();
    const id = doc.createExperiment(c, { name: 'mnist' });
    expect(code(() => doc.createExperiment(c, { name: 'mnist' }))).toBe('RESOURCE_ALREADY_EXISTS');
    doc.deleteExperiment(c, id);
    expect(code(() => doc.createExperiment(c, { name: 'mnist' }))).toBe('RESOURCE_ALREADY_EXISTS');
    expect(code(() => doc.createExperiment(c, { name: '  ' }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.createExperiment(c, { name: 'x'.repeat(501) }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.createExperiment(c, { name: 'runs:/abc' }))).toBe('INVALID_PARAMETER_VALUE');
    const other = doc.createExperiment(c, { name: 'other' });
    expect(code(() => doc.renameExperiment(c, { experimentId: other, newName: 'mnist' }))).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('[DOC-E4][DOC-E5] soft delete and restore; deleted experiments refuse writes', () => {
    const c = replica();
    const id = doc.createExperiment(c, { name: 'e' });
    doc.deleteExperiment(c, id);
    expect(doc.listExperiments(c.ws).map((e) => e.experimentId)).not.toContain(id);
    expect(doc.listExperiments(c.ws, 'DELETED_ONLY').map((e) => e.experimentId)).toEqual([id]);
    expect(code(() => doc.deleteExperiment(c, id))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.startRun(c, { experimentId: id }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.renameExperiment(c, { experimentId: id, newName: 'f' }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.setExperimentTag(c, { experimentId: id, key: 'k', value: 'v' }))).toBe('INVALID_PARAMETER_VALUE');
    doc.restoreExperiment(c, id);
    expect(doc.getExperiment(c.ws, id)!.lifecycleStage).toBe('active');
    expect(code(() => doc.getExperiment(c.ws, 'nope') ?? doc.renameExperiment(c, { experimentId: '999', newName: 'z' }))).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('[DOC-E6] experiment tags set, overwrite and delete', () => {
    const c = replica();
    const id = doc.createExperiment(c, { name: 'e', tags: { team: 'a' } });
    doc.setExperimentTag(c, { experimentId: id, key: 'team', value: 'b' });
    expect(doc.getExperiment(c.ws, id)!.tags).toEqual({ team: 'b' });
    doc.deleteExperimentTag(c, { experimentId: id, key: 'team' });
    expect(doc.getExperiment(c.ws, id)!.tags).toEqual({});
    expect(code(() => doc.deleteExperimentTag(c, { experimentId: id, key: 'team' }))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(code(() => doc.setExperimentTag(c, { experimentId: id, key: 'k', value: 'x'.repeat(5001) }))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('[DOC-R1] startRun: RUNNING, generated or given name mirrored in mlflow.runName', () => {
    const c = replica();
    const r = doc.startRun(c, {});
    expect(r.status).toBe('RUNNING');
    expect(r.experimentId).toBe('0');
    expect(r.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(r.runName).toMatch(/^[a-z]+-[a-z]+-\d{3}$/);
    expect(doc.getRun(c, r.runId)!.tags['mlflow.runName']).toBe(r.runName);
    const n = doc.startRun(c, { runName: 'given' });
    expect(doc.getRun(c, n.runId)!.tags['mlflow.runName']).toBe('given');
    const t = doc.startRun(c, { tags: { 'mlflow.runName': 'from-tag' } });
    expect(t.runName).toBe('from-tag');
    expect(code(() => doc.startRun(c, { runName: 'a', tags: { 'mlflow.runName': 'b' } }))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('[DOC-R2] parent run and user are recorded as MLflow system tags', () => {
    const c = replica();
    const p = doc.startRun(c, {});
    const ch = doc.startRun(c, { parentRunId: p.runId, userId: 'ada' });
    const tags = doc.getRun(c, ch.runId)!.tags;
    expect(tags['mlflow.parentRunId']).toBe(p.runId);
    expect(tags['mlflow.user']).toBe('ada');
    expect(code(() => doc.startRun(c, { parentRunId: 'f'.repeat(32) }))).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('[DOC-R3] updateRun sets status, end time and name', () => {
    const c = replica();
    const r = doc.startRun(c, {});
    doc.updateRun(c, { runId: r.runId, status: 'FINISHED', endTime: 123, runName: 'renamed' });
    const got = doc.getRun(c, r.runId)!;
    expect(got.info).toMatchObject({ status: 'FINISHED', endTime: 123, runName: 'renamed' });
    expect(got.tags['mlflow.runName']).toBe('renamed');
    expect(code(() => doc.updateRun(c, { runId: r.runId, status: 'DONE' as never }))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('[DOC-R4][DOC-R5] deleted runs refuse every write and restore brings them back', () => {
    const c = replica();
    const r = doc.startRun(c, {});
    doc.deleteRun(c, r.runId);
    expect(doc.getRun(c, r.runId)!.info.deletedTime).not.toBeNull();
    expect(runs(c).length).toBe(0);
    expect(runs(c, { view: 'DELETED_ONLY' }).length).toBe(1);
    expect(code(() => doc.logParam(c, { runId: r.runId, key: 'a', value: '1' }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.setTag(c, { runId: r.runId, key: 'a', value: '1' }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.updateRun(c, { runId: r.runId, status: 'FAILED' }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.appendMetrics(c, c.metricsDoc(r.runId), r.runId, [{ key: 'm', value: 1, step: 0, timestamp: 1 }]))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.logInputs(c, { runId: r.runId, datasets: [{ dataset: { name: 'd', digest: 'x', sourceType: 'local', source: '' } }] }))).toBe('INVALID_PARAMETER_VALUE');
    expect(doc.metricChunks(c.metricsDoc(r.runId)).length).toBe(0);
    doc.restoreRun(c, r.runId);
    doc.logParam(c, { runId: r.runId, key: 'a', value: '1' });
    expect(doc.getRun(c, r.runId)!.params).toEqual({ a: '1' });
    expect(code(() => doc.logParam(c, { runId: 'f'.repeat(32), key: 'a', value: '1' }))).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('[DOC-P1][DOC-P2][DOC-P3] params are write-once: same value no-op, another value refused', () => {
    const c = replica();
    const r = doc.startRun(c, {});
    doc.logParam(c, { runId: r.runId, key: 'lr', value: '0.01' });
    const before = Y.encodeStateVector(c.runDoc(r.runId));
    doc.logParam(c, { runId: r.runId, key: 'lr', value: '0.01' });
    expect(Y.encodeStateVector(c.runDoc(r.runId))).toEqual(before);
    let err: CairnError | undefined;
    try {
      doc.logParam(c, { runId: r.runId, key: 'lr', value: '0.02' });
    } catch (e) {
      err = e as CairnError;
    }
    expect(err?.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err?.message).toContain('Changing param values is not allowed');
    expect(doc.getRun(c, r.runId)!.params).toEqual({ lr: '0.01' });
  });

  it('[DOC-P4] two offline writers racing on a param: one deterministic winner, the other kept as a conflict', () => {
    const a = replica('alice');
    const r = doc.startRun(a, {});
    const b = replica('bob');
    exchange(a, b);
    doc.logParam(a, { runId: r.runId, key: 'lr', value: '0.1' });
    doc.logParam(b, { runId: r.runId, key: 'lr', value: '0.2' });
    exchange(a, b);
    const ra = doc.getRun(a, r.runId)!;
    const rb = doc.getRun(b, r.runId)!;
    expect(ra.params).toEqual(rb.params);
    expect(ra.conflicts).toEqual(rb.conflicts);
    expect(ra.conflicts).toHaveLength(1);
    const c0 = ra.conflicts[0]!;
    expect(new Set([c0.keptValue, c0.rejectedValue])).toEqual(new Set(['0.1', '0.2']));
    expect(ra.params.lr).toBe(c0.keptValue);
    expect(doc.listConflicts(runs(a))).toEqual(ra.conflicts);
    expect(doc.listConflicts(runs(b))).toEqual(ra.conflicts);
  });

  it('[DOC-P5] a batch is refused whole', () => {
    const c = replica();
    const r = doc.startRun(c, {});
    expect(code(() => doc.logBatch(c, { runId: r.runId, params: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.logBatch(c, { runId: r.runId, params: [{ key: 'a', value: '1' }, { key: 'b', value: 'x'.repeat(6001) }] }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.logBatch(c, { runId: r.runId, params: [{ key: 'ok', value: '1' }], tags: [{ key: '../bad', value: '1' }] }))).toBe('INVALID_PARAMETER_VALUE');
    const many = Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, value: '1' }));
    expect(code(() => doc.logBatch(c, { runId: r.runId, params: many }))).toBe('INVALID_PARAMETER_VALUE');
    const run = doc.getRun(c, r.runId)!;
    expect(run.params).toEqual({});
    expect(Object.keys(run.tags).sort()).toEqual(['mlflow.runName']);
  });

  it('[DOC-T1][DOC-T2] tags overwrite, the last in a batch wins, runName tag renames, delete', () => {
    const c = replica();
    const r = doc.startRun(c, {});
    doc.logBatch(c, { runId: r.runId, tags: [{ key: 't', value: '1' }, { key: 't', value: '2' }, { key: 'mlflow.runName', value: 'nm' }] });
    let run = doc.getRun(c, r.runId)!;
    expect(run.tags.t).toBe('2');
    expect(run.info.runName).toBe('nm');
    doc.deleteTag(c, { runId: r.runId, key: 't' });
    run = doc.getRun(c, r.runId)!;
    expect(run.tags.t).toBeUndefined();
    expect(code(() => doc.deleteTag(c, { runId: r.runId, key: 't' }))).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('[DOC-M1][DOC-M3][DOC-M4] metrics append as chunks; NaN and ±Infinity kept; MLflow latest', () => {
    const c = replica();
    const r = doc.startRun(c, {});
    const metricsDoc = c.metricsDoc(r.runId);
    doc.appendMetrics(c, metricsDoc, r.runId, [
      { key: 'loss', value: 1, step: 0, timestamp: 10 },
      { key: 'loss', value: NaN, step: 1, timestamp: 11 },
      { key: 'loss', value: Infinity, step: 2, timestamp: 12 },
      { key: 'loss', value: -Infinity, step: 2, timestamp: 12 },
      { key: 'acc', value: 0.5, step: 0, timestamp: 10 },
    ]);
    expect(doc.metricChunks(metricsDoc).length).toBe(2);
    expect(doc.metricsMeta(metricsDoc).get('runId')).toBe(r.runId);
    expect(doc.metricsMeta(metricsDoc).get('formatVersion')).toBe(doc.FORMAT_VERSION);
    const h = doc.metricHistory(metricsDoc, 'loss');
    expect(h.map((p) => p.value)).toEqual([1, NaN, Infinity, -Infinity]);
    const s = doc.getRun(c, r.runId)!.metrics.loss!;
    expect(s).toMatchObject({ latest: Infinity, latestStep: 2, min: -Infinity, max: Infinity, count: 4 });
    // zod 4's z.number() refuses NaN and ±Infinity; the metric value schema must not.
    expect(doc.validatePoints([NaN, Infinity, -Infinity].map((value) => ({ key: 'x', value, step: 1, timestamp: 1 }))).map((p) => p.value)).toEqual([NaN, Infinity, -Infinity]);
    expect(() => doc.validatePoints([{ key: 'x', value: 1, step: 1.5, timestamp: 1 }])).toThrow(CairnError);
    expect(() => doc.validatePoints([{ key: 'x', value: 1, step: 1, timestamp: -1 }])).toThrow(CairnError);
    expect(() => doc.validatePoints([{ key: '/abs', value: 1, step: 1, timestamp: 1 }])).toThrow(CairnError);
  });

  it('[DOC-M2][DOC-L4] per-writer summary shares merge in the run doc; the workspace doc does not change with runs', () => {
    const a = replica('alice');
    const b = replica('bob');
    exchange(a, b);
    const wsBefore = Y.encodeStateVector(a.ws);
    const r = doc.startRun(a, {});
    exchange(a, b);
    doc.appendMetrics(a, a.metricsDoc(r.runId), r.runId, [{ key: 'm', value: 5, step: 1, timestamp: 1 }]);
    doc.appendMetrics(b, b.metricsDoc(r.runId), r.runId, [{ key: 'm', value: -1, step: 3, timestamp: 1 }, { key: 'm', value: 9, step: 2, timestamp: 1 }]);
    doc.logBatch(b, { runId: r.runId, params: [{ key: 'p', value: '1' }], tags: [{ key: 't', value: '1' }] });
    doc.logArtifactRef(a, { runId: r.runId, ref: { path: 'x.txt', size: 1, sha256: 'a'.repeat(64), mediaType: 'text/plain', loggedAt: 1 } as never });
    doc.logInputs(a, { runId: r.runId, datasets: [{ dataset: { name: 'd', digest: 'x', sourceType: 'local', source: '' } }] });
    doc.updateRun(a, { runId: r.runId, status: 'FINISHED' });
    doc.deleteRun(b, r.runId);
    exchange(a, b);
    const keys = [...doc.runMetrics(a.runDoc(r.runId)).keys()].sort();
    expect(keys).toEqual(['m\u0001alice', 'm\u0001bob']);
    expect(doc.getRun(a, r.runId)!.metrics.m).toMatchObject({ count: 3, min: -1, max: 9, latest: -1, latestStep: 3 });
    expect(doc.getRun(b, r.runId)!.metrics.m).toEqual(doc.getRun(a, r.runId)!.metrics.m);
    // Nothing of the run, its writes or its points reached the workspace doc.
    expect(Y.encodeStateVector(a.ws)).toEqual(wsBefore);
    expect(Y.encodeStateVector(b.ws)).toEqual(wsBefore);
    // A run doc grows with keys × writers (and flushes: DOC-M6), never with points.
    doc.restoreRun(a, r.runId);
    const size = (p: number) => {
      const c = replica('carol');
      const { runId } = doc.startRun(c, {});
      for (let i = 0; i < 20; i++) {
        const pts = Array.from({ length: p }, (_, j) => ({ key: 'm', value: j, step: i * p + j, timestamp: 5 }));
        doc.appendMetrics(c, c.metricsDoc(runId), runId, pts);
      }
      return { run: Y.encodeStateAsUpdate(c.runDoc(runId)).length, ws: Y.encodeStateAsUpdate(c.ws).length };
    };
    const few = size(1);
    const many = size(1000);
    expect(Math.abs(many.run - few.run)).toBeLessThan(100);
    // The same workspace doc either way; its random client id is a varuint of 1–5 bytes, so sizes may differ by that.
    expect(Math.abs(many.ws - few.ws)).toBeLessThanOrEqual(4);
  });

  it('[DOC-M5] points accepted while active are kept when another replica deleted the run', () => {
    const a = replica('alice');
    const r = doc.startRun(a, {});
    const b = replica('bob');
    exchange(a, b);
    // bob's SDK accepted a point while the run was active; alice deletes the run before bob's flush arrives.
    doc.deleteRun(a, r.runId);
    exchange(a, b);
    doc.appendMetricColumns(b, b.metricsDoc(r.runId), r.runId, new Map([['m', { steps: [1], timestamps: [1], values: [1] }]]), { allowDeleted: true });
    exchange(a, b);
    expect(doc.metricHistory(a.metricsDoc(r.runId), 'm')).toHaveLength(1);
    expect(doc.getRun(a, r.runId)!.metrics.m!.count).toBe(1);
    // New points for a run seen as deleted are refused.
    expect(code(() => doc.appendMetrics(b, b.metricsDoc(r.runId), r.runId, [{ key: 'm', value: 2, step: 2, timestamp: 2 }]))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('[DOC-A1] artifact references are validated and replaced per path', () => {
    const c = replica();
    const r = doc.startRun(c, {});
    const ref = { path: 'model/a.onnx', size: 3, sha256: 'a'.repeat(64), mediaType: 'application/onnx', loggedAt: 1 };
    doc.logArtifactRef(c, { runId: r.runId, ref: ref as never });
    doc.logArtifactRef(c, { runId: r.runId, ref: { ...ref, size: 4 } as never });
    expect(doc.getRun(c, r.runId)!.artifacts).toEqual([{ ...ref, size: 4 }]);
    expect(code(() => doc.logArtifactRef(c, { runId: r.runId, ref: { ...ref, path: '../etc/passwd' } as never }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.logArtifactRef(c, { runId: r.runId, ref: { ...ref, sha256: 'xyz' } as never }))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('[DOC-A2] deleting an artifact path removes it and what is below it as a folder, nothing else', () => {
    const c = replica();
    const r = doc.startRun(c, {});
    const ref = (path: string) => ({ path, size: 1, sha256: 'b'.repeat(64), mediaType: 'text/plain', loggedAt: 1 }) as never;
    for (const p of ['model/MLmodel', 'model/data/w.bin', 'model2/x', 'notes.txt']) doc.logArtifactRef(c, { runId: r.runId, ref: ref(p) });
    expect(doc.deleteArtifactRefs(c, { runId: r.runId, path: 'model' })).toBe(2);
    expect(doc.getRun(c, r.runId)!.artifacts.map((a) => a.path).sort()).toEqual(['model2/x', 'notes.txt']);
    expect(doc.deleteArtifactRefs(c, { runId: r.runId, path: 'missing' })).toBe(0);
    expect(doc.deleteArtifactRefs(c, { runId: r.runId, path: '' })).toBe(2);
    expect(doc.getRun(c, r.runId)!.artifacts).toEqual([]);
  });

  it('[DOC-E3] the same experiment name created offline twice: both kept, one owner, the other flagged', () => {
    const a = replica('alice', 1000);
    const b = replica('bob', 2000);
    const ia = doc.createExperiment(a, { name: 'same' });
    const ib = doc.createExperiment(b, { name: 'same' });
    exchange(a, b);
    for (const d of [a.ws, b.ws]) {
      const list = doc.listExperiments(d).filter((e) => e.name === 'same');
      expect(list).toHaveLength(2);
      expect(list.find((e) => e.experimentId === ia)!.nameConflict).toBeUndefined();
      expect(list.find((e) => e.experimentId === ib)!.nameConflict).toBe(true);
      expect(doc.getExperimentByName(d, 'same')!.experimentId).toBe(ia);
    }
  });

  it('[DOC-K1] "__proto__" is refused as a key; "constructor" stays plain data in every read view', () => {
    const c = replica();
    expect(code(() => doc.createExperiment(c, { name: 'p', tags: Object.fromEntries([['__proto__', 'x']]) }))).toBe('INVALID_PARAMETER_VALUE');
    const id = doc.createExperiment(c, { name: 'p', tags: { constructor: 'y' } });
    const r = doc.startRun(c, { experimentId: id });
    expect(code(() => doc.logParam(c, { runId: r.runId, key: '__proto__', value: '1' }))).toBe('INVALID_PARAMETER_VALUE');
    doc.logParam(c, { runId: r.runId, key: 'constructor', value: '1' });
    doc.setTag(c, { runId: r.runId, key: 'constructor', value: '2' });
    doc.appendMetrics(c, c.metricsDoc(r.runId), r.runId, [{ key: 'constructor', value: 3, step: 0, timestamp: 1 }]);
    doc.logInputs(c, { runId: r.runId, datasets: [{ dataset: { name: 'd', digest: 'x', sourceType: 'local', source: '' }, tags: { constructor: 'c' } }] });
    const e = doc.getExperiment(c.ws, id)!;
    const run = doc.getRun(c, r.runId)!;
    expect(Object.getOwnPropertyDescriptor(e.tags, 'constructor')?.value).toBe('y');
    expect(Object.getOwnPropertyDescriptor(run.params, 'constructor')?.value).toBe('1');
    expect(Object.getOwnPropertyDescriptor(run.tags, 'constructor')?.value).toBe('2');
    expect(Object.getOwnPropertyDescriptor(run.metrics, 'constructor')?.value.latest).toBe(3);
    expect(Object.getOwnPropertyDescriptor(run.inputs[0]!.tags, 'constructor')?.value).toBe('c');
    doc.logParam(c, { runId: r.runId, key: 'constructor', value: '1' });
  });


  // parseInput's refuseProtoKeys once looked 2 levels deep and never into arrays, so an input tag key `__proto__`
  // (logInputs: datasets[i].tags) reached zod, whose record silently dropped it.
  it('[DOC-K1][DOC-I1] "__proto__" as an input tag key is refused, not dropped', () => {
    const c = replica();
    const r = doc.startRun(c, {});
    const tags = Object.fromEntries([['__proto__', 'x']]);
    expect(code(() => doc.logInputs(c, { runId: r.runId, datasets: [{ dataset: { name: 'd', digest: 'x', sourceType: 'local', source: '' }, tags }] }))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('[DOC-L5] a peer that writes junk into the layout cannot break anyone else\'s views', () => {
    const c = replica();
    const good = doc.startRun(c, { runName: 'good' });
    const bad = doc.startRun(c, { runName: 'bad' });
    doc.logParam(c, { runId: bad.runId, key: 'lr', value: '1' });
    doc.appendMetrics(c, c.metricsDoc(good.runId), good.runId, [{ key: 'm', value: 1, step: 0, timestamp: 1 }]);
    // What a buggy or hostile client could send: wrong values inside a run doc, a run doc whose run is no map of
    // fields, garbage in meta, a garbage chunk.
    const peer = new Y.Doc();
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(c.runDoc(bad.runId)));
    peer.transact(() => {
      doc.runParams(peer).push(['not an entry', { key: 'lr', value: 7 }]);
      doc.runTags(peer).set('t', 42);
      doc.runMetrics(peer).set('x\u0001evil', 'nope');
      doc.runInputs(peer).set('d\u0001x', { name: 'd' });
      doc.runMeta(peer).set('formatVersion', 'garbage');
      doc.runMeta(peer).set('runId', good.runId);
    });
    Y.applyUpdate(c.runDoc(bad.runId), Y.encodeStateAsUpdate(peer));
    const junk = new Y.Doc();
    junk.getArray('run').push(['not a run']);
    Y.applyUpdate(c.runDoc('f'.repeat(32)), Y.encodeStateAsUpdate(junk));
    doc.metricChunks(c.metricsDoc(good.runId)).push([new Uint8Array([1, 9, 9, 9]), 'junk' as never]);
    const all = runs(c);
    expect(all.map((r) => r.info.runName).sort()).toEqual(['bad', 'good']);
    expect(all.find((r) => r.info.runName === 'bad')).toMatchObject({ params: { lr: '1' }, metrics: {}, inputs: [], conflicts: [] });
    expect(all.find((r) => r.info.runName === 'bad')!.tags).toEqual({ 'mlflow.runName': 'bad' });
    expect(doc.getRun(c, good.runId)!.metrics.m!.count).toBe(1);
    expect(doc.getRun(c, 'f'.repeat(32))).toBeUndefined();
    expect(doc.listConflicts(all)).toEqual([]);
    expect(doc.metricHistory(c.metricsDoc(good.runId), 'm')).toEqual([{ step: 0, timestamp: 1, value: 1 }]);
  });
});

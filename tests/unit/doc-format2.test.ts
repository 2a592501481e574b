import { describe, expect, it } from 'vitest';
import { errorCode as code } from '../shared/error-code';
import * as Y from 'yjs';
import * as doc from '@/lib/doc';
import { DATASET_CONTEXT_TAG, type ArtifactRef } from '@/lib/domain';
import { buildIndexes, datasetsOf } from '@/lib/run-index';
import { searchTable, tableFromRows } from '@/lib/search';

/*
 * Format 2's layout rules (lib/doc/SPEC.md): where things live (DOC-L1..DOC-L4, DOC-L9), dataset inputs (DOC-I1) and
 * the tombstone bound of summary shares (DOC-M6).
 */

const T0 = 1_700_000_000_000;

function replica(actor = 'a1', t0 = T0) {
  let t = t0;
  const c = doc.memoryCtx(new Y.Doc(), actor, () => ++t);
  doc.ensureWorkspace(c);
  return c;
}

const pull = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
function exchange(a: doc.MemoryCtx, b: doc.MemoryCtx): void {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    pull(x.ws, y.ws);
    for (const [id, d] of x.runDocs) pull(d, y.runDoc(id));
    for (const [id, d] of x.metricsDocs) pull(d, y.metricsDoc(id));
  }
}

/** Every item a doc's store holds (deleted ones included), with the root it sits under. */
function items(d: Y.Doc): Y.Item[] {
  const out: Y.Item[] = [];
  for (const structs of d.store.clients.values()) for (const s of structs) if (s instanceof Y.Item) out.push(s);
  return out;
}

const ref = (path: string): ArtifactRef => ({ path, size: 3, sha256: 'a'.repeat(64), mediaType: 'text/plain', loggedAt: 1 }) as ArtifactRef;
const dataset = (name: string, digest: string, over: Record<string, string> = {}) => ({ name, digest, sourceType: 'local', source: `{"uri":"/data/${name}"}`, ...over });

/** One of everything a run holds, through the commands. */
function busyRun(c: doc.MemoryCtx, experimentId?: string) {
  const r = doc.startRun(c, { ...(experimentId ? { experimentId } : {}), runName: 'busy', userId: 'ada' });
  doc.logBatch(c, { runId: r.runId, params: [{ key: 'lr', value: '0.1' }, { key: 'bs', value: '32' }], tags: [{ key: 'team', value: 'v' }] });
  doc.appendMetrics(c, c.metricsDoc(r.runId), r.runId, [
    { key: 'loss', value: 1, step: 0, timestamp: T0 },
    { key: 'loss', value: 0.5, step: 1, timestamp: T0 + 1 },
    { key: 'acc', value: 0.9, step: 1, timestamp: T0 + 1 },
  ]);
  doc.logArtifactRef(c, { runId: r.runId, ref: ref('model.bin') });
  doc.logInputs(c, { runId: r.runId, datasets: [{ dataset: dataset('train', 'd1'), tags: { [DATASET_CONTEXT_TAG]: 'training' } }] });
  doc.updateRun(c, { runId: r.runId, status: 'FINISHED', endTime: T0 + 9 });
  return r.runId;
}

describe('format 2 layout', () => {
  it('[DOC-L1] run docs and metrics docs carry the format version and their run id; a metrics doc of another run is refused', () => {
    const c = replica();
    const a = busyRun(c);
    const b = doc.startRun(c, {}).runId;
    expect(doc.runMeta(c.runDoc(a)).toJSON()).toEqual({ formatVersion: doc.FORMAT_VERSION, runId: a });
    expect(doc.metricsMeta(c.metricsDoc(a)).toJSON()).toEqual({ formatVersion: doc.FORMAT_VERSION, runId: a });
    expect(doc.FORMAT_VERSION).toBe(2);
    expect(code(() => doc.appendMetrics(c, c.metricsDoc(a), b, [{ key: 'm', value: 1, step: 0, timestamp: 1 }]))).toBe('INVALID_PARAMETER_VALUE');
    expect(doc.runMetrics(c.runDoc(b)).size).toBe(0);
  });

  it('[DOC-L2] nothing lib/doc writes is a nested Yjs type: every run doc value sits in a root type, experiments are flat', () => {
    const c = replica();
    const e = doc.createExperiment(c, { name: 'e', tags: { k: 'v' } });
    const id = busyRun(c, e);
    doc.deleteTag(c, { runId: id, key: 'team' });
    doc.deleteRun(c, id);
    doc.restoreRun(c, id);
    for (const d of [c.ws, ...c.runDocs.values(), ...c.metricsDocs.values()]) {
      for (const it of items(d)) {
        expect(it.content).not.toBeInstanceOf(Y.ContentType);
        expect(it.content).not.toBeInstanceOf(Y.ContentDoc);
        // Every item's parent is one of the doc's root types.
        expect([...d.share.values()]).toContain(it.parent);
      }
    }
    expect([...c.ws.share.keys()].sort()).toEqual(['exp', 'expTags', 'meta']);
    expect([...c.runDoc(id).share.keys()].sort()).toEqual(['artifacts', 'inputTags', 'inputs', 'meta', 'metrics', 'params', 'run', 'tags']);
  });

  it('[DOC-L2] two replicas writing into the same containers before they ever synced keep both writes; a nested type would not', () => {
    // Root types: two docs that share no history yet, both writing the same roots.
    const [x, y] = [new Y.Doc(), new Y.Doc()];
    doc.runTags(x).set('from-x', '1');
    doc.runParams(x).push([{ key: 'a', value: '1', actor: 'x', at: 1 }]);
    doc.runInputs(x).set('d\u00011', dataset('d', '1'));
    doc.runTags(y).set('from-y', '2');
    doc.runParams(y).push([{ key: 'b', value: '2', actor: 'y', at: 1 }]);
    doc.runInputs(y).set('e\u00012', dataset('e', '2'));
    pull(x, y);
    pull(y, x);
    for (const d of [x, y]) {
      expect(doc.runTags(d).toJSON()).toEqual({ 'from-x': '1', 'from-y': '2' });
      expect(doc.runParams(d).length).toBe(2);
      expect(doc.runInputs(d).size).toBe(2);
    }
    // What DOC-L2 avoids: the same nested container created on two replicas keeps one side's content only.
    const [p, q] = [new Y.Doc(), new Y.Doc()];
    for (const [d, k] of [[p, 'from-p'], [q, 'from-q']] as const) {
      const tags = new Y.Map<string>();
      d.getMap('runs').set('r', tags);
      tags.set(k, '1');
    }
    pull(p, q);
    pull(q, p);
    expect(Object.keys((p.getMap('runs').get('r') as Y.Map<string>).toJSON())).toHaveLength(1);

    // Through the commands: two offline writers of one run, each writing containers the run never held before.
    const a = replica('alice');
    const runId = doc.startRun(a, {}).runId;
    const b = replica('bob');
    exchange(a, b);
    doc.logInputs(a, { runId, datasets: [{ dataset: dataset('train', 'd1'), tags: { [DATASET_CONTEXT_TAG]: 'training' } }] });
    doc.logArtifactRef(a, { runId, ref: ref('a.txt') });
    doc.logParam(a, { runId, key: 'p', value: '1' });
    doc.logInputs(b, { runId, datasets: [{ dataset: dataset('eval', 'd2'), tags: { [DATASET_CONTEXT_TAG]: 'eval' } }] });
    doc.logArtifactRef(b, { runId, ref: ref('b.txt') });
    doc.logParam(b, { runId, key: 'q', value: '2' });
    exchange(a, b);
    const run = doc.getRun(a, runId)!;
    expect(doc.getRun(b, runId)).toEqual(run);
    expect(run.inputs.map((i) => i.dataset.name)).toEqual(['eval', 'train']);
    expect(run.artifacts.map((r) => r.path)).toEqual(['a.txt', 'b.txt']);
    expect(run.params).toEqual({ p: '1', q: '2' });

    // Experiments (the Default one included) are created by name on any replica: flat, both survive.
    const [e1, e2] = [replica('e1'), replica('e2')];
    const id1 = doc.createExperiment(e1, { name: 'one', tags: { t: '1' } });
    const id2 = doc.createExperiment(e2, { name: 'two', tags: { t: '2' } });
    exchange(e1, e2);
    for (const r of [e1, e2]) {
      expect(doc.listExperiments(r.ws).map((e) => e.experimentId).sort()).toEqual(['0', id1, id2].sort());
      expect(doc.getExperiment(r.ws, id1)!.tags).toEqual({ t: '1' });
      expect(doc.getExperiment(r.ws, id2)!.tags).toEqual({ t: '2' });
    }
  });

  it('[DOC-L3] metric points live only in the metrics doc: no chunk (no binary at all) in the workspace doc or the run doc', () => {
    const c = replica();
    const id = busyRun(c);
    const pts = Array.from({ length: 5000 }, (_, i) => ({ key: `k${i % 3}`, value: i, step: i, timestamp: T0 }));
    doc.appendMetrics(c, c.metricsDoc(id), id, pts);
    for (const d of [c.ws, c.runDoc(id)]) {
      expect(d.share.has('chunks')).toBe(false);
      for (const it of items(d)) expect(it.content).not.toBeInstanceOf(Y.ContentBinary);
    }
    const chunks = doc.metricChunks(c.metricsDoc(id)).toArray();
    expect(chunks.every((b) => b instanceof Uint8Array)).toBe(true);
    expect(chunks.reduce((n, b) => n + doc.decodeChunk(b).values.length, 0)).toBe(5003);
    const series = doc.readSeries(c.metricsDoc(id));
    expect([...series.keys()].sort()).toEqual(['acc', 'k0', 'k1', 'k2', 'loss']);
    expect(series.get('k0')!.values.length).toBe(1667);
    // The run doc knows the points only as summaries.
    expect(doc.getRun(c, id)!.metrics.k0).toMatchObject({ count: 1667, min: 0, max: 4998 });
    expect(Y.encodeStateAsUpdate(c.runDoc(id)).length).toBeLessThan(3000);
  });

  it('[DOC-L9] the run doc is the truth for its run: startRun writes only it, and a run doc not held reads as not found', () => {
    const a = replica('alice');
    const b = replica('bob');
    exchange(a, b);
    const wsBefore = Y.encodeStateVector(a.ws);
    const id = busyRun(a);
    expect(Y.encodeStateVector(a.ws)).toEqual(wsBefore);
    expect([...a.runDocs.keys()]).toEqual([id]);

    // bob has the workspace doc but not the run doc: no run, for readers and commands alike.
    pull(a.ws, b.ws);
    expect(doc.getRun(b, id)).toBeUndefined();
    expect(doc.listRuns(b.runDocs, { view: 'ALL' })).toEqual([]);
    expect(code(() => doc.setTag(b, { runId: id, key: 'k', value: 'v' }))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(code(() => doc.updateRun(b, { runId: id, status: 'KILLED' }))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(code(() => doc.appendMetrics(b, b.metricsDoc(id), id, [{ key: 'm', value: 1, step: 0, timestamp: 1 }]))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(code(() => doc.logInputs(b, { runId: id, datasets: [] }))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(code(() => doc.startRun(b, { parentRunId: id }))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(doc.metricChunks(b.metricsDoc(id)).length).toBe(0);

    // The run doc alone carries the whole run: a holder with an empty workspace doc reads it the same.
    const alone = doc.memoryCtx(new Y.Doc(), 'reader');
    pull(a.runDoc(id), alone.runDoc(id));
    expect(doc.getRun(alone, id)).toEqual(doc.getRun(a, id));
    pull(a.runDoc(id), b.runDoc(id));
    expect(doc.getRun(b, id)).toEqual(doc.getRun(a, id));
    expect(doc.startRun(b, { parentRunId: id }).runId).toMatch(/^[0-9a-f]{32}$/);

    // A run doc that holds a run refuses startRun with its id.
    expect(code(() => doc.startRun(a, { runId: id }))).toBe('RESOURCE_ALREADY_EXISTS');
    expect(doc.getRun(a, id)!.info.runName).toBe('busy');
  });

  it('[DOC-L9] commands resolve run docs through ctx.runDoc only, and the index lists what listRuns of the held docs reads', () => {
    const held = new Map<string, Y.Doc>();
    const asked: string[] = [];
    let t = T0;
    const c: doc.Ctx = {
      ws: new Y.Doc(),
      actor: 'host',
      now: () => ++t,
      runDoc: (runId) => {
        asked.push(runId);
        let d = held.get(runId);
        if (!d) held.set(runId, (d = new Y.Doc()));
        return d;
      },
    };
    doc.ensureWorkspace(c);
    const e = doc.createExperiment(c, { name: 'e' });
    const r1 = doc.startRun(c, { experimentId: e, runName: 'one' }).runId;
    const r2 = doc.startRun(c, { experimentId: e, runName: 'two', parentRunId: r1 }).runId;
    asked.length = 0;
    doc.setTag(c, { runId: r2, key: 'k', value: 'v' });
    doc.appendMetrics(c, new Y.Doc(), r2, [{ key: 'm', value: 1, step: 0, timestamp: 1 }]);
    expect(new Set(asked)).toEqual(new Set([r2]));
    expect(doc.readRun(r2, held.get(r2)!)!.tags).toMatchObject({ k: 'v', 'mlflow.parentRunId': r1 });
    expect(doc.getRun(c, r2)).toEqual(doc.readRun(r2, held.get(r2)!));
    doc.deleteRun(c, r1);
    const listed = doc.listRuns(held, { experimentIds: [e] });
    expect(listed.map((r) => r.info.runName)).toEqual(['two']);
    expect(doc.listRuns(held, { experimentIds: [e], view: 'DELETED_ONLY' }).map((r) => r.info.runName)).toEqual(['one']);
    expect(doc.listRuns(held, { experimentIds: ['0'], view: 'ALL' })).toEqual([]);
    const index = buildIndexes(doc.listRuns(held, { view: 'ALL' })).get(e)!;
    expect(index.allRows().map((r) => r.runId).sort()).toEqual([r1, r2].sort());
    expect(index.get(r2)!.parentRunId).toBe(r1);
  });
});

describe('dataset inputs', () => {
  it('[DOC-I1] log-inputs: identified by (name, digest), fields replaced on re-log, input tags set per key', () => {
    const c = replica();
    const { runId } = doc.startRun(c, {});
    doc.logInputs(c, {
      runId,
      datasets: [
        { dataset: dataset('train', 'd1', { schema: '{"a":1}', profile: '{"rows":3}' }), tags: { [DATASET_CONTEXT_TAG]: 'training', owner: 'ada' } },
        { dataset: dataset('train', 'd2') },
        { dataset: dataset('eval', 'd9'), tags: { [DATASET_CONTEXT_TAG]: 'eval' } },
      ],
    });
    let run = doc.getRun(c, runId)!;
    expect(run.inputs.map((i) => [i.dataset.name, i.dataset.digest])).toEqual([['eval', 'd9'], ['train', 'd1'], ['train', 'd2']]);
    expect(run.inputs[1]).toEqual({ dataset: dataset('train', 'd1', { schema: '{"a":1}', profile: '{"rows":3}' }), tags: { [DATASET_CONTEXT_TAG]: 'training', owner: 'ada' } });
    expect(run.inputs[2]!.tags).toEqual({});
    expect(doc.readInputs(c.runDoc(runId))).toEqual(run.inputs);

    // Re-logging (train, d1): its fields are replaced (schema and profile not given: gone), its tags set per key.
    doc.logInputs(c, { runId, datasets: [{ dataset: dataset('train', 'd1', { source: '{"uri":"/new"}' }), tags: { [DATASET_CONTEXT_TAG]: 'eval' } }] });
    run = doc.getRun(c, runId)!;
    expect(run.inputs).toHaveLength(3);
    expect(run.inputs[1]).toEqual({ dataset: dataset('train', 'd1', { source: '{"uri":"/new"}' }), tags: { [DATASET_CONTEXT_TAG]: 'eval', owner: 'ada' } });

    // The context is what the index records and search filters on as datasets.context.
    expect(datasetsOf(run)).toEqual([
      { name: 'eval', digest: 'd9', context: 'eval' },
      { name: 'train', digest: 'd1', context: 'eval' },
      { name: 'train', digest: 'd2', context: null },
    ]);
    const other = doc.startRun(c, {}).runId;
    doc.logInputs(c, { runId: other, datasets: [{ dataset: dataset('train', 'd2'), tags: { [DATASET_CONTEXT_TAG]: 'training' } }] });
    const rows = buildIndexes(doc.listRuns(c.runDocs)).get('0')!.allRows();
    const search = (filter: string) => {
      const r = searchTable(tableFromRows(rows), { filter });
      if (!r.ok) throw new Error(r.error.message);
      return [...r.rows].map((i) => rows[i]!.runId).sort();
    };
    expect(search("datasets.context = 'training'")).toEqual([other]);
    expect(search("datasets.context = 'eval'")).toEqual([runId]);
    expect(search("datasets.name = 'train'")).toEqual([runId, other].sort());
    expect(search("datasets.digest = 'd9'")).toEqual([runId]);
  });

  it('[DOC-I1] a dataset name or digest holding \\u0001 (the key separator) is refused: two datasets never share a key', () => {
    const c = doc.memoryCtx(new Y.Doc(), 'a1');
    doc.ensureWorkspace(c);
    const r = doc.startRun(c, {});
    const ds = (name: string, digest: string) => ({ dataset: { name, digest, sourceType: 'local', source: '' } });
    expect(() => doc.logInputs(c, { runId: r.runId, datasets: [ds('a\u0001b', 'c')] })).toThrow(/u0001/);
    expect(() => doc.logInputs(c, { runId: r.runId, datasets: [ds('a', 'b\u0001c')] })).toThrow(/u0001/);
    expect(doc.getRun(c, r.runId)!.inputs).toEqual([]);
  });

  it('[DOC-I1] limits refuse the whole call and write nothing; an empty list writes nothing; deleted and missing runs refuse', () => {
    const c = replica();
    const { runId } = doc.startRun(c, {});
    const d = c.runDoc(runId);
    const ok = { dataset: dataset('ok', 'd') };
    const long = (n: number) => 'x'.repeat(n);
    const bad: unknown[] = [
      { dataset: dataset(long(501), 'd') },
      { dataset: dataset('', 'd') },
      { dataset: dataset('n', long(37)) },
      { dataset: dataset('n', '') },
      { dataset: dataset('n', 'd', { sourceType: '' }) },
      { dataset: dataset('n', 'd', { sourceType: long(501) }) },
      { dataset: dataset('n', 'd', { source: long(65_536) }) },
      { dataset: dataset('n', 'd', { schema: long(1_048_576) }) },
      { dataset: { name: 'n', digest: 'd', sourceType: 'local' } },
      { dataset: dataset('n', 'd'), tags: { k: long(501) } },
      { dataset: dataset('n', 'd'), tags: { 'a//b': 'v' } },
      { dataset: dataset('n', 'd'), tags: { k: 5 } },
    ];
    const before = Y.encodeStateVector(d);
    for (const b of bad) expect(code(() => doc.logInputs(c, { runId, datasets: [ok, b as never] })), JSON.stringify(b).slice(0, 80)).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.logInputs(c, { runId, datasets: Array.from({ length: 1001 }, (_, i) => ({ dataset: dataset(`n${i}`, 'd') })) }))).toBe('INVALID_PARAMETER_VALUE');
    doc.logInputs(c, { runId, datasets: [] });
    expect(Y.encodeStateVector(d)).toEqual(before);
    // The largest allowed values are kept as they are.
    const big = dataset(long(500), long(36), { sourceType: long(500), source: long(65_535) });
    doc.logInputs(c, { runId, datasets: [{ dataset: big, tags: { [DATASET_CONTEXT_TAG]: long(500) } }] });
    expect(doc.getRun(c, runId)!.inputs).toEqual([{ dataset: big, tags: { [DATASET_CONTEXT_TAG]: long(500) } }]);
    doc.deleteRun(c, runId);
    expect(code(() => doc.logInputs(c, { runId, datasets: [ok] }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => doc.logInputs(c, { runId: 'f'.repeat(32), datasets: [ok] }))).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('[DOC-I1] two offline writers tagging one dataset: both keys kept; the same key converges on one value', () => {
    const a = replica('alice');
    const { runId } = doc.startRun(a, {});
    const b = replica('bob');
    exchange(a, b);
    doc.logInputs(a, { runId, datasets: [{ dataset: dataset('train', 'd1'), tags: { [DATASET_CONTEXT_TAG]: 'training', a: '1' } }] });
    doc.logInputs(b, { runId, datasets: [{ dataset: dataset('train', 'd1'), tags: { [DATASET_CONTEXT_TAG]: 'eval', b: '2' } }] });
    exchange(a, b);
    const inputs = doc.getRun(a, runId)!.inputs;
    expect(doc.getRun(b, runId)!.inputs).toEqual(inputs);
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.tags).toMatchObject({ a: '1', b: '2' });
    expect(['training', 'eval']).toContain(inputs[0]!.tags[DATASET_CONTEXT_TAG]);
  });
});

describe('summary tombstones', () => {
  /** Items under the run doc's `metrics` map: live and deleted (tombstones). */
  function metricItems(d: Y.Doc) {
    const m = doc.runMetrics(d);
    const under = items(d).filter((it) => it.parent === m);
    // Yjs may merge adjacent tombstones into one struct: count the items they stand for.
    const count = (xs: Y.Item[]) => xs.reduce((n, it) => n + it.length, 0);
    return { live: count(under.filter((it) => !it.deleted)), deleted: count(under.filter((it) => it.deleted)) };
  }

  function flushes(opts: { flushes: number; keys: number; points: number; writers?: string[] }) {
    const writers = (opts.writers ?? ['w']).map((w) => replica(w));
    const [first] = writers;
    const { runId } = doc.startRun(first!, {});
    for (const w of writers.slice(1)) pull(first!.runDoc(runId), w.runDoc(runId));
    for (let f = 0; f < opts.flushes; f++) {
      for (const w of writers) {
        const cols = new Map<string, doc.Column>();
        for (let k = 0; k < opts.keys; k++) {
          const steps = Array.from({ length: opts.points }, (_, i) => f * opts.points + i);
          cols.set(`metric_${k}`, { steps, timestamps: steps.map(() => T0 + f), values: steps.map((s) => Math.sin(s)) });
        }
        doc.appendMetricColumns(w, w.metricsDoc(runId), runId, cols);
      }
    }
    const d = first!.runDoc(runId);
    for (const w of writers.slice(1)) pull(w.runDoc(runId), d);
    return { d, runId, first: first! };
  }

  it('[DOC-M6] one share item replaced per key per flush: tombstones grow with flushes × keys, never with points', () => {
    const F = 60;
    const K = 12;
    const few = flushes({ flushes: F, keys: K, points: 1 });
    const many = flushes({ flushes: F, keys: K, points: 1000 });
    for (const { d } of [few, many]) expect(metricItems(d)).toEqual({ live: K, deleted: (F - 1) * K });
    expect(doc.getRun(many.first, many.runId)!.metrics.metric_0!.count).toBe(F * 1000);
    // Encoded, a tombstone costs a few bytes, the same whatever the points per flush. (The docs' client ids are random
    // and varuint-encoded, and the live shares hold other numbers: the sizes differ by a little, never by the points.)
    const [sFew, sMany] = [few.d, many.d].map((d) => Y.encodeStateAsUpdate(d).length);
    expect(Math.abs(sMany! - sFew!)).toBeLessThan(Math.max(200, 0.15 * sFew!));
    expect(sFew! / ((F - 1) * K)).toBeLessThan(16);
  });

  it('[DOC-M6] with several writers and flushes of some keys only, tombstones are Σ keys flushed − live shares ≤ flushes × keys', () => {
    const { d } = flushes({ flushes: 25, keys: 8, points: 50, writers: ['w1', 'w2', 'w3'] });
    expect(metricItems(d)).toEqual({ live: 3 * 8, deleted: 3 * (25 - 1) * 8 });

    const c = replica();
    const { runId } = doc.startRun(c, {});
    let flushed = 0;
    const F = 40;
    for (let f = 0; f < F; f++) {
      const keys = Array.from({ length: 1 + (f % 5) }, (_, k) => `k${(f + k) % 7}`);
      flushed += keys.length;
      doc.appendMetrics(c, c.metricsDoc(runId), runId, keys.flatMap((key) => Array.from({ length: 30 }, (_, i) => ({ key, value: i, step: f * 30 + i, timestamp: T0 }))));
    }
    const got = metricItems(c.runDoc(runId));
    expect(got.live).toBe(7);
    expect(got.deleted).toBe(flushed - got.live);
    expect(got.deleted).toBeLessThanOrEqual(F * 7);
  });
});

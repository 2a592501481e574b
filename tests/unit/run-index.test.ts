import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as doc from '@/lib/doc';
import { CairnError, type Run } from '@/lib/domain';
import {
  ExperimentIndex,
  IndexReplica,
  MAX_TOMBSTONES,
  buildIndexes,
  decodeIndex,
  encodeIndex,
  rowFromRun,
  sameRow,
  type IndexRow,
} from '@/lib/run-index';
import { mulberry32 } from '../shared/random';

const ROUNDS = Number(process.env.CAIRN_FUZZ_ROUNDS ?? 0) > 0 ? 200 : 20;
const T0 = 1_700_000_000_000;

function workspace() {
  let t = T0;
  const c = doc.memoryCtx(new Y.Doc(), 'w1', () => ++t);
  doc.ensureWorkspace(c);
  return c;
}

/** The runs of the run docs a holder has: what the index is fed with (format 2: no list of runs in the workspace doc). */
const allRuns = (c: doc.MemoryCtx): Run[] => doc.listRuns(c.runDocs, { view: 'ALL' });

function expectSameRows(a: IndexRow[], b: IndexRow[], what: string): void {
  expect(a.map((r) => r.runId), what).toEqual(b.map((r) => r.runId));
  a.forEach((r, i) => expect(sameRow(r, b[i]!), `${what}: row ${r.runId}`).toBe(true));
}

/** A random command; failures (a refused write) are part of the game, as in the convergence test. */
function randomCommand(c: doc.MemoryCtx, rnd: () => number, exps: string[], runs: string[]): void {
  const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const op = Math.floor(rnd() * 10);
  try {
    if (op === 0 || exps.length === 0) exps.push(doc.createExperiment(c, { name: `exp-${exps.length}-${Math.floor(rnd() * 1e6)}` }));
    else if (op <= 2 || runs.length === 0) runs.push(doc.startRun(c, { experimentId: pick(exps) }).runId);
    else if (op === 3) doc.logBatch(c, { runId: pick(runs), params: [{ key: `p${Math.floor(rnd() * 5)}`, value: String(Math.floor(rnd() * 10)) }] });
    else if (op === 4) doc.setTag(c, { runId: pick(runs), key: `t${Math.floor(rnd() * 3)}`, value: `v${Math.floor(rnd() * 4)}` });
    else if (op === 5) {
      const runId = pick(runs);
      doc.appendMetrics(c, c.metricsDoc(runId), runId, [{ key: `m${Math.floor(rnd() * 3)}`, value: rnd() < 0.1 ? NaN : rnd(), step: Math.floor(rnd() * 100), timestamp: T0 }]);
    } else if (op === 9) {
      const tags: Record<string, string> = rnd() < 0.7 ? { 'mlflow.data.context': pick(['training', 'eval']) } : {};
      doc.logInputs(c, { runId: pick(runs), datasets: [{ dataset: { name: pick(['mnist', 'cifar']), digest: pick(['a1', 'b2']), sourceType: 'local', source: '' }, tags }] });
    } else if (op === 6) doc.updateRun(c, { runId: pick(runs), status: pick(['FINISHED', 'FAILED', 'KILLED'] as const), endTime: T0 + 5 });
    else if (op === 7) doc.deleteRun(c, pick(runs));
    else doc.restoreRun(c, pick(runs));
  } catch (e) {
    if (!(e instanceof CairnError)) throw e;
  }
}

describe('experiment index (lib/run-index)', () => {
  it(`[IDX-2] kept up incrementally it equals a rebuild and a direct read of the runs (${ROUNDS} seeded rounds)`, () => {
    for (let seed = 1; seed <= ROUNDS; seed++) {
      const rnd = mulberry32(seed);
      const c = workspace();
      const exps: string[] = [];
      const runs: string[] = [];
      const live = new Map<string, ExperimentIndex>();
      for (let step = 0; step < 12; step++) {
        for (let i = 0; i < 10; i++) randomCommand(c, rnd, exps, runs);
        buildIndexes(allRuns(c), live);
        const rebuilt = buildIndexes(allRuns(c));
        for (const [exp, index] of rebuilt) {
          expectSameRows(live.get(exp)?.allRows() ?? [], index.allRows(), `seed ${seed} step ${step} exp ${exp}`);
          const direct = allRuns(c).filter((r) => r.info.experimentId === exp).map((r) => rowFromRun(r)).sort((a, b) => (a.runId < b.runId ? -1 : 1));
          expectSameRows(index.allRows(), direct, `seed ${seed} direct ${exp}`);
        }
      }
    }
  });

  it('[IDX-1] rows are plain data: keys like __proto__ or constructor stay keys, and nothing is shared with the run', () => {
    const c = workspace();
    const exp = doc.createExperiment(c, { name: 'plain' });
    const { runId } = doc.startRun(c, { experimentId: exp });
    doc.logBatch(c, { runId, params: [{ key: 'constructor', value: '1' }], tags: [{ key: 'toString', value: 'x' }] });
    doc.logInputs(c, { runId, datasets: [{ dataset: { name: 'constructor', digest: '__proto__', sourceType: 'local', source: '' }, tags: { 'mlflow.data.context': 'training' } }] });
    const run = doc.getRun(c, runId)!;
    const row = rowFromRun(run);
    expect(row.datasets).toEqual([{ name: 'constructor', digest: '__proto__', context: 'training' }]);
    expect(Object.keys(row.params)).toEqual(['constructor']);
    expect(row.params['constructor']).toBe('1');
    expect(structuredClone(row)).toEqual(row);
    run.params['constructor'] = 'changed';
    expect(row.params['constructor']).toBe('1');
  });

  it('[IDX-1] a key named __proto__ (from a run or from a peer\'s bytes) stays an own data key, and no prototype changes', () => {
    const odd = JSON.parse('{"__proto__": "p", "constructor": "c"}') as Record<string, string>;
    const row: IndexRow = {
      runId: 'a'.repeat(32), runName: 'r', experimentId: '1', userId: 'u', status: 'FINISHED', startTime: 1, endTime: 2, lifecycleStage: 'active',
      artifactUri: `mlflow-artifacts:/1/${'a'.repeat(32)}/artifacts`, parentRunId: null,
      params: odd, tags: odd, metrics: JSON.parse('{"__proto__": {"latest": 1, "min": 0, "max": 2, "count": 3}}') as IndexRow['metrics'], datasets: [],
    };
    const c = workspace();
    const { runId } = doc.startRun(c, { experimentId: doc.createExperiment(c, { name: 'odd' }) });
    const run = doc.getRun(c, runId)!;
    const fromRun = rowFromRun({ ...run, params: odd, tags: odd });
    for (const r of [fromRun, decodeIndex(encodeIndex({ epoch: 'e', fromSeq: 0, toSeq: 1, rows: [row], removed: [] })).rows[0]!]) {
      for (const rec of [r.params, r.tags]) {
        expect(Object.getPrototypeOf(rec)).toBe(Object.prototype);
        expect(Object.keys(rec).sort()).toEqual(['__proto__', 'constructor']);
        expect(Object.getOwnPropertyDescriptor(rec, '__proto__')).toMatchObject({ value: 'p', enumerable: true, writable: true });
        expect(rec['constructor']).toBe('c');
      }
    }
    const back = decodeIndex(encodeIndex({ epoch: 'e', fromSeq: 0, toSeq: 1, rows: [row], removed: [] })).rows[0]!;
    expect(Object.getPrototypeOf(back.metrics)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back.metrics, '__proto__')?.value).toEqual({ latest: 1, min: 0, max: 2, count: 3 });
    expect(({} as Record<string, unknown>)['latest']).toBeUndefined();
  });

  it('[IDX-3] a replica catches up with deltas: changed rows and removals after its seq, never the whole table', () => {
    const index = new ExperimentIndex('7');
    const row = (id: string, name: string): IndexRow => ({
      runId: id, runName: name, experimentId: '7', userId: 'u', status: 'RUNNING', startTime: 1, endTime: null, lifecycleStage: 'active',
      artifactUri: `mlflow-artifacts:/7/${id}/artifacts`, parentRunId: null, params: {}, tags: {}, metrics: {}, datasets: [],
    });
    for (let i = 0; i < 5; i++) index.upsert(row(`r${i}`, `n${i}`));
    const replica = new IndexReplica();
    expect(replica.apply(index.snapshot())).toBe(true);
    const at = index.seq;
    expect(index.upsert(row('r1', 'n1'))).toBe(false);
    expect(index.seq).toBe(at);
    index.upsert(row('r1', 'renamed'));
    index.remove('r3');
    index.upsert(row('r9', 'new'));
    const delta = index.deltaSince(at);
    expect(delta.rows.map((r) => r.runId)).toEqual(['r1', 'r9']);
    expect(delta.removed).toEqual(['r3']);
    expect(replica.apply(decodeIndex(encodeIndex(delta)))).toBe(true);
    expectSameRows(replica.allRows(), index.allRows(), 'after delta');
    // A delta that does not start where the replica is, or of another epoch: refused, the caller fetches a snapshot.
    expect(new IndexReplica().apply({ ...delta })).toBe(false);
    expect(replica.apply({ ...index.deltaSince(index.seq), epoch: 'other' })).toBe(false);
    // Asked with another epoch (the relay restarted), the index answers with a snapshot.
    expect(index.deltaSince(at, 'old-epoch').fromSeq).toBe(0);
    // A moved run leaves its old experiment's index.
    expect(index.upsert({ ...row('r2', 'n2'), experimentId: '8' })).toBe(true);
    expect(index.get('r2')).toBeUndefined();
  });

  it('[IDX-3] a reader behind the oldest remembered removal gets a snapshot', () => {
    const index = new ExperimentIndex('1');
    const base = { runName: 'n', experimentId: '1', userId: 'u', status: 'RUNNING' as const, startTime: 1, endTime: null, lifecycleStage: 'active' as const, artifactUri: 'x', parentRunId: null, params: {}, tags: {}, metrics: {}, datasets: [] };
    for (let i = 0; i < MAX_TOMBSTONES + 10; i++) index.upsert({ ...base, runId: `r${i}` });
    const early = 5;
    for (let i = 0; i < MAX_TOMBSTONES + 10; i++) index.remove(`r${i}`);
    const d = index.deltaSince(early);
    expect(d.fromSeq).toBe(0);
    expect(d.rows).toEqual([]);
    const replica = new IndexReplica();
    replica.apply({ epoch: index.epoch, fromSeq: 0, toSeq: early, rows: [{ ...base, runId: 'stale' }], removed: [] });
    replica.apply(d);
    expect(replica.allRows()).toEqual([]);
  });

  it('[IDX-4] the binary form round-trips exactly: NaN, -0, ±Infinity, odd keys, no end time, a custom artifact URI', () => {
    const row: IndexRow = {
      runId: 'a'.repeat(32), runName: 'ünïcødé run', experimentId: '12', userId: '', status: 'FAILED', startTime: 0, endTime: null,
      lifecycleStage: 'deleted', artifactUri: 's3://bucket/x', parentRunId: 'b'.repeat(32),
      params: { __proto__x: '1', constructor: '2', 'a b:c/d': '' },
      tags: { 'mlflow.runName': 'ünïcødé run' },
      metrics: { nan: { latest: NaN, min: NaN, max: NaN, count: 3 }, z: { latest: -0, min: -Infinity, max: Infinity, count: 0 } },
      datasets: [{ name: 'mnist', digest: 'abc', context: 'training' }, { name: 'eval', digest: 'def', context: null }],
    };
    const other: IndexRow = { ...row, runId: 'c'.repeat(32), artifactUri: `mlflow-artifacts:/12/${'c'.repeat(32)}/artifacts`, endTime: 2 ** 52, parentRunId: null };
    const back = decodeIndex(encodeIndex({ epoch: 'e1', fromSeq: 3, toSeq: 9, rows: [row, other], removed: ['gone'] }));
    expect(back.epoch).toBe('e1');
    expect(back.fromSeq).toBe(3);
    expect(back.toSeq).toBe(9);
    expect(back.removed).toEqual(['gone']);
    expect(sameRow(back.rows[0]!, row)).toBe(true);
    expect(sameRow(back.rows[1]!, other)).toBe(true);
    expect(Object.is(back.rows[0]!.metrics.z!.latest, -0)).toBe(true);
  });

  it('[IDX-4] bytes that are not an index are DATA_LOSS, never a throw of another kind or a wrong table', () => {
    const good = encodeIndex({ epoch: 'e', fromSeq: 0, toSeq: 1, rows: [], removed: [] });
    const cases = [new Uint8Array([]), new Uint8Array([9, 0, 0]), good.subarray(0, good.length - 1), new Uint8Array([...good, 0]), new Uint8Array([1, 0, 0, 1, 200, 1, 1, 0])];
    for (const bytes of cases) {
      expect(() => decodeIndex(bytes)).toThrow(CairnError);
      try {
        decodeIndex(bytes);
      } catch (e) {
        expect((e as CairnError).code).toBe('DATA_LOSS');
      }
    }
  });

  it('[IDX-4] a realistic sweep (20 params, 20 metric keys, 3 tags) encodes to at most 1 KB per run', () => {
    const rnd = mulberry32(42);
    const rows: IndexRow[] = [];
    for (let i = 0; i < 2_000; i++) {
      const runId = Math.floor(rnd() * 2 ** 52).toString(16).padStart(16, '0') + i.toString(16).padStart(16, '0');
      const params: Record<string, string> = {};
      for (let p = 0; p < 20; p++) params[`param_${p}`] = p < 10 ? String([0.1, 0.01, 0.001][Math.floor(rnd() * 3)]) : (rnd() * 10).toFixed(4);
      const metrics: IndexRow['metrics'] = {};
      for (let m = 0; m < 20; m++) metrics[`metric_${m}`] = { latest: rnd(), min: rnd() / 2, max: 1 + rnd(), count: 1000 };
      rows.push({
        runId, runName: `run-${i}`, experimentId: '3', userId: 'ada', status: 'FINISHED', startTime: T0 + i * 1000, endTime: T0 + i * 1000 + 60_000,
        lifecycleStage: 'active', artifactUri: `mlflow-artifacts:/3/${runId}/artifacts`, parentRunId: null, params,
        tags: { 'mlflow.runName': `run-${i}`, 'mlflow.user': 'ada', 'mlflow.source.name': 'train.py' }, metrics, datasets: [],
      });
    }
    const bytes = encodeIndex({ epoch: 'e', fromSeq: 0, toSeq: rows.length, rows, removed: [] });
    const perRun = bytes.length / rows.length;
    console.log(`run-index: ${rows.length} runs × (20 params, 20 metrics, 3 tags) → ${bytes.length} B, ${perRun.toFixed(0)} B/run`);
    expect(perRun).toBeLessThanOrEqual(1024);
    expect(decodeIndex(bytes).rows).toHaveLength(rows.length);
  });
});

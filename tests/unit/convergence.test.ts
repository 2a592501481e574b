import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CairnError } from '@/lib/domain';
import * as doc from '@/lib/doc';
import { mulberry32 } from '../shared/random';
import { buildIndexes, sameRow, type ExperimentIndex } from '@/lib/run-index';

/**
 * Seeded random convergence (STYLE habit 5): 3–5 replicas run random commands while a simulated network delivers
 * their updates in random order, with partitions. At the end every replica must hold the same state, and every write
 * a replica accepted must still be there (as a value or as a visible conflict). Seeds are fixed in CI;
 * `npm run test:fuzz` runs many more (CAIRN_FUZZ_ROUNDS).
 */
const ROUNDS = Number(process.env.CAIRN_FUZZ_ROUNDS ?? 10);
const OPS_PER_ROUND = 160;

interface Replica {
  ctx: doc.Ctx;
  runDocs: Map<string, Y.Doc>;
  online: boolean;
  indexes: Map<string, ExperimentIndex>;
}

interface Msg {
  to: number;
  doc: string;
  update: Uint8Array;
}

function simulate(seed: number) {
  const rnd = mulberry32(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const n = 3 + Math.floor(rnd() * 3);
  let clock = 1_700_000_000_000;
  const inFlight: Msg[] = [];
  const replicas: Replica[] = [];
  const accepted = { params: [] as { runId: string; key: string; value: string }[], points: new Map<string, number>(), experiments: new Set<string>(), runs: new Set<string>() };

  const runDocOf = (r: Replica, runId: string): Y.Doc => {
    let d = r.runDocs.get(runId);
    if (!d) {
      d = new Y.Doc();
      const me = replicas.indexOf(r);
      d.on('update', (u: Uint8Array, origin: unknown) => {
        if (origin === 'net') return;
        for (let j = 0; j < n; j++) if (j !== me) inFlight.push({ to: j, doc: runId, update: u });
      });
      r.runDocs.set(runId, d);
    }
    return d;
  };

  for (let i = 0; i < n; i++) {
    const ws = new Y.Doc();
    const r: Replica = { ctx: { ws, actor: `actor${i}`, now: () => (clock += 1 + Math.floor(rnd() * 5)) }, runDocs: new Map(), online: true, indexes: new Map() };
    ws.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin === 'net') return;
      for (let j = 0; j < n; j++) if (j !== i) inFlight.push({ to: j, doc: 'ws', update: u });
    });
    replicas.push(r);
    doc.ensureWorkspace(r.ctx);
  }

  const deliver = (m: Msg) => {
    const r = replicas[m.to]!;
    Y.applyUpdate(m.doc === 'ws' ? r.ctx.ws : runDocOf(r, m.doc), m.update, 'net');
  };

  const names = ['alpha', 'beta', 'gamma', 'delta'];
  const keys = ['lr', 'bs', 'opt'];
  const vals = ['1', '2', '3'];

  for (let op = 0; op < OPS_PER_ROUND; op++) {
    // Network: partitions come and go; online replicas exchange some in-flight messages in random order.
    if (rnd() < 0.05) {
      const r = pick(replicas);
      r.online = !r.online;
    }
    for (let k = Math.floor(rnd() * 6); k > 0 && inFlight.length; k--) {
      const idx = Math.floor(rnd() * inFlight.length);
      const m = inFlight[idx]!;
      const sender = m.doc; // messages wait while the receiver is partitioned
      void sender;
      if (!replicas[m.to]!.online) continue;
      inFlight.splice(idx, 1);
      deliver(m);
    }
    const r = pick(replicas);
    const c = r.ctx;
    const exps = doc.listExperiments(c.ws, 'ALL');
    const runs = doc.listRuns(c.ws, { view: 'ALL' });
    try {
      const dice = rnd();
      if (dice < 0.1) accepted.experiments.add(doc.createExperiment(c, { name: pick(names) + Math.floor(rnd() * 3) }));
      else if (dice < 0.14 && exps.length) doc.renameExperiment(c, { experimentId: pick(exps).experimentId, newName: pick(names) + Math.floor(rnd() * 9) });
      else if (dice < 0.17 && exps.length) doc.deleteExperiment(c, pick(exps).experimentId);
      else if (dice < 0.2 && exps.length) doc.restoreExperiment(c, pick(exps).experimentId);
      else if (dice < 0.32 && exps.length) accepted.runs.add(doc.startRun(c, { experimentId: pick(exps).experimentId }).runId);
      else if (dice < 0.5 && runs.length) {
        const run = pick(runs);
        const key = pick(keys);
        const value = pick(vals);
        doc.logParam(c, { runId: run.info.runId, key, value });
        accepted.params.push({ runId: run.info.runId, key, value });
      } else if (dice < 0.6 && runs.length) doc.setTag(c, { runId: pick(runs).info.runId, key: pick(keys), value: pick(vals) });
      else if (dice < 0.64 && runs.length) doc.deleteTag(c, { runId: pick(runs).info.runId, key: pick(keys) });
      else if (dice < 0.85 && runs.length) {
        const run = pick(runs);
        const cnt = 1 + Math.floor(rnd() * 40);
        const key = pick(['loss', 'acc']);
        const pts = Array.from({ length: cnt }, (_, i) => ({ key, value: rnd() < 0.05 ? NaN : rnd(), step: i, timestamp: clock }));
        doc.appendMetrics(c, runDocOf(r, run.info.runId), run.info.runId, pts);
        const k = `${run.info.runId}/${key}`;
        accepted.points.set(k, (accepted.points.get(k) ?? 0) + cnt);
      } else if (dice < 0.92 && runs.length) doc.updateRun(c, { runId: pick(runs).info.runId, status: pick(['FINISHED', 'FAILED', 'RUNNING'] as const) });
      else if (dice < 0.96 && runs.length) doc.deleteRun(c, pick(runs).info.runId);
      else if (runs.length) doc.restoreRun(c, pick(runs).info.runId);
    } catch (e) {
      if (!(e instanceof CairnError)) throw e; // refusals are expected; anything else is a bug
    }
  }

  // Each replica's experiment indexes as of the partitions, kept up incrementally through the heal (IDX-2).
  for (const r of replicas) r.indexes = buildIndexes(doc.listRuns(r.ctx.ws, { view: 'ALL' }));
  // Heal: everyone online, deliver everything in random order, then a full state exchange (what a reconnect does).
  for (const r of replicas) r.online = true;
  while (inFlight.length) deliver(inFlight.splice(Math.floor(rnd() * inFlight.length), 1)[0]!);
  for (const a of replicas)
    for (const b of replicas) {
      if (a === b) continue;
      Y.applyUpdate(b.ctx.ws, Y.encodeStateAsUpdate(a.ctx.ws, Y.encodeStateVector(b.ctx.ws)), 'net');
      for (const [id, d] of a.runDocs) Y.applyUpdate(runDocOf(b, id), Y.encodeStateAsUpdate(d, Y.encodeStateVector(runDocOf(b, id))), 'net');
    }
  for (const r of replicas) buildIndexes(doc.listRuns(r.ctx.ws, { view: 'ALL' }), r.indexes);
  return { replicas, accepted };
}

function view(r: Replica) {
  const ws = r.ctx.ws;
  const runs = doc.listRuns(ws, { view: 'ALL' }).sort((a, b) => a.info.runId.localeCompare(b.info.runId));
  const series = runs.map((run) => {
    const d = r.runDocs.get(run.info.runId);
    if (!d) return [run.info.runId, {}];
    const s = doc.readSeries(d);
    return [run.info.runId, Object.fromEntries([...s].sort().map(([k, v]) => [k, [Array.from(v.steps), Array.from(v.values).map(String)]]))];
  });
  const indexes = [...r.indexes].sort(([a], [b]) => a.localeCompare(b)).map(([exp, index]) => [exp, index.allRows()]);
  // A replica's incrementally kept indexes hold exactly what a rebuild from its runs holds.
  for (const [exp, fresh] of buildIndexes(runs)) {
    const kept = r.indexes.get(exp)?.allRows() ?? [];
    expect(kept.map((x) => x.runId)).toEqual(fresh.allRows().map((x) => x.runId));
    kept.forEach((row, i) => expect(sameRow(row, fresh.allRows()[i]!)).toBe(true));
  }
  return JSON.stringify({
    experiments: doc.listExperiments(ws, 'ALL').sort((a, b) => a.experimentId.localeCompare(b.experimentId)),
    runs,
    conflicts: doc.listConflicts(ws),
    series,
    indexes,
  });
}

describe('seeded random convergence', () => {
  it(`[DOC-P4][DOC-E3][DOC-M2][IDX-2] ${ROUNDS} seeds: replicas converge, keep every accepted write, and hold identical indexes`, () => {
    for (let seed = 1; seed <= ROUNDS; seed++) {
      const { replicas, accepted } = simulate(seed * 7919);
      const v0 = view(replicas[0]!);
      for (const r of replicas.slice(1)) {
        const v = view(r);
        if (v !== v0) {
          let i = 0;
          while (v[i] === v0[i]) i++;
          expect.fail(`seed ${seed}: replicas differ at ${i}: …${v0.slice(i - 200, i + 80)}… vs …${v.slice(i - 200, i + 80)}…`);
        }
      }
      const ws = replicas[0]!.ctx.ws;
      for (const id of accepted.experiments) expect(doc.getExperiment(ws, id), `seed ${seed} experiment ${id}`).toBeDefined();
      for (const id of accepted.runs) expect(doc.getRun(ws, id), `seed ${seed} run ${id}`).toBeDefined();
      for (const p of accepted.params) {
        const run = doc.getRun(ws, p.runId)!;
        const kept = run.params[p.key] === p.value || run.conflicts.some((c) => c.key === p.key && c.rejectedValue === p.value);
        expect(kept, `seed ${seed} param ${p.key}=${p.value}`).toBe(true);
      }
      for (const [k, count] of accepted.points) {
        const [runId, key] = k.split('/') as [string, string];
        const s = doc.readSeries(replicas[0]!.runDocs.get(runId)!).get(key);
        expect(s?.values.length, `seed ${seed} points ${k}`).toBe(count);
        expect(doc.getRun(ws, runId)!.metrics[key]!.count).toBe(count);
      }
    }
  });
});

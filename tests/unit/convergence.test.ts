import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CairnError, DATASET_CONTEXT_TAG, type ArtifactRef } from '@/lib/domain';
import * as doc from '@/lib/doc';
import { mulberry32 } from '../shared/random';
import { buildIndexes, sameRow, type ExperimentIndex } from '@/lib/run-index';

/**
 * Seeded random convergence (STYLE habit 5), format 2: 3–5 replicas run random commands while a simulated network
 * delivers their updates in random order, with partitions. Every doc travels on its own: the workspace doc, each run
 * doc, each metrics doc (a replica holds a run doc once it started the run or received an update of it). At the end
 * every replica must hold the same docs, the same runs and the same experiment indexes (lib/run-index over `listRuns`
 * of its run docs), and every write a replica accepted must still be there (as a value or as a visible conflict).
 * Seeds are fixed in CI; `npm run test:fuzz` runs many more (CAIRN_FUZZ_ROUNDS).
 */
const ROUNDS = Number(process.env.CAIRN_FUZZ_ROUNDS ?? 10);
const OPS_PER_ROUND = 160;

interface Replica {
  ctx: doc.MemoryCtx;
  online: boolean;
  indexes: Map<string, ExperimentIndex>;
  hooked: WeakSet<Y.Doc>;
}

/** `ws`, `run:<id>` or `metrics:<id>`. */
type DocName = string;

interface Msg {
  to: number;
  doc: DocName;
  update: Uint8Array;
}

function simulate(seed: number) {
  const rnd = mulberry32(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const n = 3 + Math.floor(rnd() * 3);
  let clock = 1_700_000_000_000;
  const inFlight: Msg[] = [];
  const replicas: Replica[] = [];
  const accepted = {
    params: [] as { runId: string; key: string; value: string }[],
    points: new Map<string, number>(),
    experiments: new Set<string>(),
    runs: new Set<string>(),
    artifacts: [] as { runId: string; path: string }[],
    inputs: [] as { runId: string; name: string; digest: string }[],
  };

  const broadcast = (from: number, name: DocName, update: Uint8Array) => {
    for (let j = 0; j < n; j++) if (j !== from) inFlight.push({ to: j, doc: name, update });
  };
  const hook = (r: Replica, name: DocName, d: Y.Doc): Y.Doc => {
    if (r.hooked.has(d)) return d;
    r.hooked.add(d);
    const me = replicas.indexOf(r);
    d.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'net') broadcast(me, name, u);
    });
    return d;
  };
  /** A replica's doc by name, created (empty) on first use and hooked to the network before anything is written. */
  const docOf = (r: Replica, name: DocName): Y.Doc => {
    if (name === 'ws') return r.ctx.ws;
    const [kind, id] = name.split(':') as ['run' | 'metrics', string];
    return hook(r, name, kind === 'run' ? r.ctx.runDoc(id) : r.ctx.metricsDoc(id));
  };
  /** Docs a command created behind our back (a lookup of a run this replica does not hold): hooked, sent if not empty. */
  const hookStray = (r: Replica) => {
    for (const [kind, docs] of [['run', r.ctx.runDocs], ['metrics', r.ctx.metricsDocs]] as const) {
      for (const [id, d] of docs) {
        if (r.hooked.has(d)) continue;
        hook(r, `${kind}:${id}`, d);
        const u = Y.encodeStateAsUpdate(d);
        if (Y.decodeStateVector(Y.encodeStateVector(d)).size > 0) broadcast(replicas.indexOf(r), `${kind}:${id}`, u);
      }
    }
  };

  for (let i = 0; i < n; i++) {
    const ws = new Y.Doc();
    const r: Replica = { ctx: doc.memoryCtx(ws, `actor${i}`, () => (clock += 1 + Math.floor(rnd() * 5))), online: true, indexes: new Map(), hooked: new WeakSet() };
    ws.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'net') broadcast(i, 'ws', u);
    });
    replicas.push(r);
    doc.ensureWorkspace(r.ctx);
  }

  const deliver = (m: Msg) => Y.applyUpdate(docOf(replicas[m.to]!, m.doc), m.update, 'net');
  const runsOf = (r: Replica) => doc.listRuns(r.ctx.runDocs, { view: 'ALL' });

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
      if (!replicas[m.to]!.online) continue; // messages wait while the receiver is partitioned
      inFlight.splice(idx, 1);
      deliver(m);
    }
    const r = pick(replicas);
    const c = r.ctx;
    const exps = doc.listExperiments(c.ws, 'ALL');
    const runs = runsOf(r);
    try {
      const dice = rnd();
      if (dice < 0.1) accepted.experiments.add(doc.createExperiment(c, { name: pick(names) + Math.floor(rnd() * 3) }));
      else if (dice < 0.14 && exps.length) doc.renameExperiment(c, { experimentId: pick(exps).experimentId, newName: pick(names) + Math.floor(rnd() * 9) });
      else if (dice < 0.17 && exps.length) doc.deleteExperiment(c, pick(exps).experimentId);
      else if (dice < 0.2 && exps.length) doc.restoreExperiment(c, pick(exps).experimentId);
      else if (dice < 0.3 && exps.length) {
        // Seeded run ids keep a seed's replay exact; the run doc is on the network before startRun writes it.
        const runId = hex(32);
        docOf(r, `run:${runId}`);
        const parent = runs.length && rnd() < 0.2 ? { parentRunId: pick(runs).info.runId } : {};
        accepted.runs.add(doc.startRun(c, { experimentId: pick(exps).experimentId, runId, ...parent }).runId);
      } else if (dice < 0.46 && runs.length) {
        const run = pick(runs);
        const key = pick(keys);
        const value = pick(vals);
        doc.logParam(c, { runId: run.info.runId, key, value });
        accepted.params.push({ runId: run.info.runId, key, value });
      } else if (dice < 0.55 && runs.length) doc.setTag(c, { runId: pick(runs).info.runId, key: pick(keys), value: pick(vals) });
      else if (dice < 0.59 && runs.length) doc.deleteTag(c, { runId: pick(runs).info.runId, key: pick(keys) });
      else if (dice < 0.78 && runs.length) {
        const run = pick(runs);
        const cnt = 1 + Math.floor(rnd() * 40);
        const key = pick(['loss', 'acc']);
        const pts = Array.from({ length: cnt }, (_, i) => ({ key, value: rnd() < 0.05 ? NaN : rnd(), step: i, timestamp: clock }));
        doc.appendMetrics(c, docOf(r, `metrics:${run.info.runId}`), run.info.runId, pts);
        const k = `${run.info.runId}/${key}`;
        accepted.points.set(k, (accepted.points.get(k) ?? 0) + cnt);
      } else if (dice < 0.82 && runs.length) {
        const runId = pick(runs).info.runId;
        const name = pick(['train', 'eval']);
        const digest = pick(['d1', 'd2']);
        doc.logInputs(c, { runId, datasets: [{ dataset: { name, digest, sourceType: 'local', source: pick(vals) }, tags: { [DATASET_CONTEXT_TAG]: pick(['training', 'eval']), [pick(keys)]: pick(vals) } }] });
        accepted.inputs.push({ runId, name, digest });
      } else if (dice < 0.85 && runs.length) {
        const runId = pick(runs).info.runId;
        const path = `out/${pick(keys)}.txt`;
        const ref = { path, size: Math.floor(rnd() * 100), sha256: 'ab'.repeat(32), mediaType: 'text/plain', loggedAt: clock } as ArtifactRef;
        doc.logArtifactRef(c, { runId, ref });
        accepted.artifacts.push({ runId, path });
      } else if (dice < 0.91 && runs.length) doc.updateRun(c, { runId: pick(runs).info.runId, status: pick(['FINISHED', 'FAILED', 'RUNNING'] as const) });
      else if (dice < 0.96 && runs.length) doc.deleteRun(c, pick(runs).info.runId);
      else if (runs.length) doc.restoreRun(c, pick(runs).info.runId);
    } catch (e) {
      if (!(e instanceof CairnError)) throw e; // refusals are expected; anything else is a bug
    }
    hookStray(r);
  }

  // Each replica's experiment indexes as of the partitions, kept up incrementally through the heal (IDX-2).
  for (const r of replicas) r.indexes = buildIndexes(runsOf(r));
  // Heal: everyone online, deliver everything in random order, then a full state exchange of every doc (a reconnect).
  for (const r of replicas) r.online = true;
  while (inFlight.length) deliver(inFlight.splice(Math.floor(rnd() * inFlight.length), 1)[0]!);
  const everyDoc = new Set<DocName>(['ws']);
  for (const r of replicas) {
    for (const id of r.ctx.runDocs.keys()) everyDoc.add(`run:${id}`);
    for (const id of r.ctx.metricsDocs.keys()) everyDoc.add(`metrics:${id}`);
  }
  for (const a of replicas)
    for (const b of replicas) {
      if (a === b) continue;
      for (const name of everyDoc) {
        const [from, to] = [docOf(a, name), docOf(b, name)];
        Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), 'net');
      }
    }
  for (const r of replicas) buildIndexes(runsOf(r), r.indexes);
  return { replicas, accepted };
}

/** Numbers as text, so NaN and ±Infinity compare as themselves in the JSON below. */
const exact = (_k: string, v: unknown) => (typeof v === 'number' ? `n:${Object.is(v, -0) ? '-0' : String(v)}` : v instanceof Uint8Array ? `b:${Array.from(v).join(',')}` : v);

/** A run doc's content through the layout: what a replica holds, not only what its readers make of it. */
function runDocContent(d: Y.Doc) {
  // Map keys sorted: a Y.Map's iteration order is the order this replica first saw each key.
  const sorted = (m: Y.Map<unknown>) => Object.fromEntries(Object.entries(m.toJSON()).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    sv: [...Y.decodeStateVector(Y.encodeStateVector(d))].sort(([a], [b]) => a - b),
    meta: sorted(doc.runMeta(d)),
    run: sorted(doc.runFields(d)),
    params: doc.runParams(d).toJSON(),
    tags: sorted(doc.runTags(d)),
    metrics: sorted(doc.runMetrics(d)),
    artifacts: sorted(doc.runArtifacts(d)),
    inputs: sorted(doc.runInputs(d)),
    inputTags: sorted(doc.runInputTags(d)),
  };
}

function view(r: Replica) {
  const { ws, runDocs, metricsDocs } = r.ctx;
  const runs = doc.listRuns(runDocs, { view: 'ALL' }).sort((a, b) => a.info.runId.localeCompare(b.info.runId));
  const docs = [...runDocs].filter(([, d]) => doc.readRunRecord(d)).sort(([a], [b]) => a.localeCompare(b)).map(([id, d]) => [id, runDocContent(d)]);
  const series = runs.map((run) => {
    const d = metricsDocs.get(run.info.runId);
    if (!d) return [run.info.runId, {}];
    const s = doc.readSeries(d);
    return [run.info.runId, Object.fromEntries([...s].sort().map(([k, v]) => [k, [Array.from(v.steps), Array.from(v.values)]]))];
  });
  const indexes = [...r.indexes].sort(([a], [b]) => a.localeCompare(b)).map(([exp, index]) => [exp, index.allRows()]);
  // A replica's incrementally kept indexes hold exactly what a rebuild from its runs holds.
  for (const [exp, fresh] of buildIndexes(runs)) {
    const kept = r.indexes.get(exp)?.allRows() ?? [];
    expect(kept.map((x) => x.runId)).toEqual(fresh.allRows().map((x) => x.runId));
    kept.forEach((row, i) => expect(sameRow(row, fresh.allRows()[i]!)).toBe(true));
  }
  return JSON.stringify(
    {
      experiments: doc.listExperiments(ws, 'ALL').sort((a, b) => a.experimentId.localeCompare(b.experimentId)),
      runs,
      conflicts: doc.listConflicts(runs),
      docs,
      series,
      indexes,
    },
    exact,
  );
}

describe('seeded random convergence', () => {
  it(`[DOC-P4][DOC-E3][DOC-M2][DOC-L2][DOC-I1][IDX-2] ${ROUNDS} seeds: replicas converge on the same run docs, keep every accepted write, and hold identical indexes`, () => {
    let runsSeen = 0;
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
      const c = replicas[0]!.ctx;
      for (const id of accepted.experiments) expect(doc.getExperiment(c.ws, id), `seed ${seed} experiment ${id}`).toBeDefined();
      for (const id of accepted.runs) expect(doc.getRun(c, id), `seed ${seed} run ${id}`).toBeDefined();
      runsSeen += accepted.runs.size;
      for (const p of accepted.params) {
        const run = doc.getRun(c, p.runId)!;
        const kept = run.params[p.key] === p.value || run.conflicts.some((x) => x.key === p.key && x.rejectedValue === p.value);
        expect(kept, `seed ${seed} param ${p.key}=${p.value}`).toBe(true);
      }
      for (const a of accepted.artifacts) expect(doc.getRun(c, a.runId)!.artifacts.map((x) => x.path), `seed ${seed}`).toContain(a.path);
      for (const i of accepted.inputs) {
        const inputs = doc.getRun(c, i.runId)!.inputs;
        expect(inputs.some((x) => x.dataset.name === i.name && x.dataset.digest === i.digest && x.tags[DATASET_CONTEXT_TAG]), `seed ${seed}`).toBe(true);
      }
      for (const [k, count] of accepted.points) {
        const [runId, key] = k.split('/') as [string, string];
        const s = doc.readSeries(c.metricsDocs.get(runId)!).get(key);
        expect(s?.values.length, `seed ${seed} points ${k}`).toBe(count);
        expect(doc.getRun(c, runId)!.metrics[key]!.count).toBe(count);
      }
    }
    expect(runsSeen).toBeGreaterThan(ROUNDS * 3);
    // `npm run test:fuzz`'s 400 seeds take ~55-65 s on the 2-core machine in a busy hour: the time scales with them.
  }, Math.max(60_000, ROUNDS * 400));
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as doc from '../../lib/doc';
import { buildIndexes, sameRow, type IndexRow } from '../../lib/run-index';
import { mulberry32 } from '../shared/random';
import { fetchIndexMessage } from './helpers/docs';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { RunWriter } from './helpers/run-writer';

/**
 * Seeded convergence through a real relay (issue 6): 3 writers, each with its own workspace doc, run docs and metrics
 * docs on their own rooms, run random commands while being cut off and reconnected at random. At the end every writer
 * holds the same runs and builds the same experiment indexes, and the relay's indexes (built from the run docs it
 * stored, RELAY-33) hold exactly those rows. `CAIRN_FUZZ_ROUNDS` runs more seeds (`npm run test:fuzz`).
 */
const ROUNDS = Math.max(1, Math.floor(Number(process.env.CAIRN_FUZZ_ROUNDS ?? 20) / 10));
const OPS = 60;
const WS = 'converge';

const byId = (a: { runId: string }, b: { runId: string }) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);

async function round(relay: TestRelay, seed: number): Promise<void> {
  const rnd = mulberry32(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const ws = `${WS}${seed}`;
  const writers = [0, 1, 2].map((i) => new RunWriter(relay.url, ws, `actor-${i}`));
  const online = writers.map(() => true);
  try {
    for (const w of writers) await w.ready();
    doc.ensureWorkspace(writers[0]!.ctx);
    await writers[0]!.flush();
    const known = new Set<string>();
    const held = (w: RunWriter) => [...w.runDocs.keys()].filter((id) => doc.readRun(id, w.runDocs.get(id)!));
    const attempt = (f: () => void) => {
      try {
        f();
      } catch (e) {
        // A refused command (deleted run, param conflict seen locally, name taken) wrote nothing: fine here.
        if (!(e instanceof Error) || !('code' in e)) throw e;
      }
    };
    for (let op = 0; op < OPS; op++) {
      const i = Math.floor(rnd() * writers.length);
      const w = writers[i]!;
      const r = rnd();
      if (r < 0.1) {
        // Partition: cut off, or back (reconnecting syncs every doc it holds).
        if (online[i]) w.disconnect();
        else await w.connect(relay.url);
        online[i] = !online[i];
      } else if (r < 0.18) {
        attempt(() => doc.createExperiment(w.ctx, { name: `e-${seed}-${op}` }));
      } else if (r < 0.35) {
        const exps = doc.listExperiments(w.ws).map((e) => e.experimentId);
        if (exps.length === 0) continue;
        attempt(() => known.add(doc.startRun(w.ctx, { experimentId: pick(exps), runName: `r${op}` }).runId));
      } else if (r < 0.45 && online[i] && known.size) {
        // Open a run someone else started (its run doc syncs from the relay).
        const id = pick([...known]);
        w.runDoc(id);
        w.metricsDoc(id);
      } else {
        const runs = held(w);
        if (runs.length === 0) continue;
        const id = pick(runs);
        const what = rnd();
        if (what < 0.3) attempt(() => doc.setTag(w.ctx, { runId: id, key: pick(['stage', 'note', 'owner']), value: `v${Math.floor(rnd() * 4)}` }));
        else if (what < 0.5) attempt(() => doc.logParam(w.ctx, { runId: id, key: pick(['lr', 'bs']), value: String(Math.floor(rnd() * 3)) }));
        else if (what < 0.75)
          attempt(() =>
            doc.appendMetrics(w.ctx, w.metricsDoc(id), id, [{ key: pick(['loss', 'acc']), value: rnd(), step: Math.floor(rnd() * 100), timestamp: 1_700_000_000_000 + op }]),
          );
        else if (what < 0.85) attempt(() => doc.updateRun(w.ctx, { runId: id, status: pick(['FINISHED', 'FAILED', 'RUNNING'] as const) }));
        else if (what < 0.93) attempt(() => doc.deleteRun(w.ctx, id));
        else attempt(() => doc.restoreRun(w.ctx, id));
      }
    }
    // Everyone back, every run held by everyone, everything persisted.
    for (const [i, w] of writers.entries()) if (!online[i]) await w.connect(relay.url);
    for (const w of writers) {
      for (const id of known) {
        w.runDoc(id);
        w.metricsDoc(id);
      }
    }
    for (const w of writers) await w.connect(relay.url);
    for (const w of writers) await w.flush();
    for (const w of writers) await w.connect(relay.url);

    const [first, ...rest] = writers.map((w) => w.runs().sort((a, b) => byId(a.info, b.info)));
    for (const other of rest) expect(other, `seed ${seed}`).toEqual(first);
    const indexes = writers.map((w) => buildIndexes(w.runs()));
    for (const [exp, index] of indexes[0]!) {
      const want = index.allRows();
      for (const other of indexes.slice(1)) expect(other.get(exp)!.allRows().map((r) => r.runId), `seed ${seed} exp ${exp}`).toEqual(want.map((r) => r.runId));
      const atRelay: IndexRow[] = (await fetchIndexMessage(relay.url, ws, exp)).rows.sort(byId);
      expect(atRelay.map((r) => r.runId), `seed ${seed}: relay index of ${exp}`).toEqual(want.map((r) => r.runId));
      atRelay.forEach((row, k) => expect(sameRow(row, want[k]!), `seed ${seed}: relay row ${row.runId}`).toBe(true));
    }
    expect(first!.length, `seed ${seed}: some runs were made`).toBeGreaterThan(0);
  } finally {
    for (const w of writers) w.destroy();
  }
}

describe('convergence through a real relay', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it(`[RELAY-33] [DOC-P4] ${ROUNDS} seeds: writers cut off and back end with the same runs and indexes, and the relay's index holds exactly those rows`, async () => {
    for (let s = 0; s < ROUNDS; s++) await round(relay, 1000 + s);
  }, 30_000 + ROUNDS * 5_000);
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ActiveRun, type CairnClient } from '@/lib/sdk';
import { openNodeJournal } from '@/lib/sdk/journal-node';
import { Closer, expectCairnError, freePort, relayHistory, relayRun, startTestRelay, tempDir, waitFor, type TestRelay } from './helpers';
import { SocketLab } from './socket-faults';

/** SDK rules of lib/doc format 2 (SPEC.md SDK-15..SDK-19, SDK-21) against real relays. */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts what the SDK fetches over HTTP (it calls the global fetch at call time). */
function watchFetch() {
  const original = globalThis.fetch;
  const calls: { url: string; bytes: number }[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const res = await original(input, init);
    const bytes = (await res.clone().arrayBuffer()).byteLength;
    calls.push({ url: String(input), bytes });
    return res;
  }) as typeof fetch;
  return { calls, restore: () => void (globalThis.fetch = original) };
}

/** Runs `f` over `items` with `n` in flight. */
async function pool<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await f(items[next++]!);
  }));
}

/** The journal of a data dir for a relay URL and workspace, as the SDK names it. */
async function journalState(dataDir: string, relayUrl: string, workspace: string) {
  const host = new URL(relayUrl).host.replace(/[^\w.-]/g, '_');
  const j = await openNodeJournal(join(dataDir, host, workspace));
  try {
    return await j.load();
  } finally {
    await j.close();
  }
}

describe('SDK on lib/doc format 2', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.dispose();
  });

  it('[SDK-15] connect downloads the workspace doc only: a 2,000-run workspace costs what a 10-run one does', async () => {
    const t = new Closer();
    try {
      const seed = async (workspace: string, n: number) => {
        const c = await t.client({ relay: relay.url, workspace });
        await c.createExperiment('sweep');
        const ids = Array.from({ length: n }, (_, i) => i);
        await pool(ids, 100, async (i) => {
          const run = await c.startRun({ experimentName: 'sweep', runName: `r${i}` });
          run.logParams({ lr: 0.001 * (i % 10), batch: 32 << i % 3, seed: i, optimizer: i % 2 ? 'adam' : 'sgd' });
          run.setTags({ team: 'vision', idx: i });
          run.logMetrics({ loss: 1 / (i + 1), acc: i / n }, { step: 0 });
          await run.end();
        });
        await c.close();
      };
      const t0 = Date.now();
      await Promise.all([seed('small', 10), seed('big', 2_000)]);
      const seedMs = Date.now() - t0;

      const measure = async (workspace: string) => {
        const lab = new SocketLab();
        const http = watchFetch();
        try {
          const start = performance.now();
          const c = t.track(await connect({ relay: relay.url, workspace, dataDir: t.dir(), WebSocket: lab.WebSocket }));
          const ms = performance.now() - start;
          expect(c.status).toBe('synced');
          await sleep(300); // anything still trickling in after the handshake counts too
          return { ms, bytes: lab.bytesIn + http.calls.reduce((n, x) => n + x.bytes, 0), sockets: lab.opened.length, fetches: http.calls.length, client: c };
        } finally {
          http.restore();
        }
      };
      // Warm up the relay's rooms (loading from SQLite) so the timing compares connects, not first loads.
      await measure('small');
      await measure('big');
      const small = await measure('small');
      const big = await measure('big');
      console.log(`[SDK-15] seeded 2,010 runs in ${seedMs} ms; connect: 10 runs ${small.bytes} B ${small.ms.toFixed(0)} ms, 2,000 runs ${big.bytes} B ${big.ms.toFixed(0)} ms`);
      for (const m of [small, big]) {
        expect(m.sockets).toBe(1); // the workspace room, nothing else
        expect(m.fetches).toBe(0);
      }
      expect(Math.abs(big.bytes - small.bytes)).toBeLessThanOrEqual(2_048);
      // A fresh client wrote nothing into a workspace the relay already had (no second copy of the Default experiment).
      for (const m of [small, big]) expect(m.client.ws.store.clients.has(m.client.ws.clientID)).toBe(false);
      expect(big.bytes).toBeLessThan(16 * 1024);
      // The runs are all there, for whoever asks.
      expect((await big.client.listRuns((await big.client.getExperimentByName('sweep'))!.experimentId)).length).toBe(2_000);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-21] a run’s docs are held live while it is logged to and let go at end(); reads of other runs are snapshots, no socket', async () => {
    const lab = new SocketLab();
    const t = new Closer();
    try {
      const other = await t.client({ relay: relay.url, workspace: 'on-demand' });
      const parent = await other.startRun({ experimentName: 'demand', runName: 'parent' });
      parent.logMetric('m', 1, { step: 0 });
      await parent.end();

      const a = await t.client({ relay: relay.url, workspace: 'on-demand', WebSocket: lab.WebSocket });
      expect(lab.opened.length).toBe(1);
      const child = await a.startRun({ experimentName: 'demand', parentRunId: parent.id });
      expect(child.info.status).toBe('RUNNING');
      expect((await a.getRun(child.id))!.tags['mlflow.parentRunId']).toBe(parent.id);
      await waitFor(() => lab.opened.length === 2, 'a socket for the child’s run doc');
      await sleep(50);
      expect(lab.opened.length).toBe(2);
      child.logMetric('loss', 0.5, { step: 1 });
      await child.flush();
      expect(lab.opened.length).toBe(3); // + its metrics doc, with its first points

      // Another client's run: read by snapshots (GET /docs), no socket opened.
      const http = watchFetch();
      try {
        expect((await a.getRun(parent.id))!.info.runName).toBe('parent');
        expect(await a.getMetricHistory(parent.id, 'm')).toEqual([expect.objectContaining({ step: 0, value: 1 })]);
      } finally {
        http.restore();
      }
      expect(lab.opened.length).toBe(3);
      expect(http.calls.map((c) => new URL(c.url).pathname).sort()).toEqual([`/docs/on-demand/run/${parent.id}`, `/docs/on-demand/run/${parent.id}/metrics`]);

      await child.end();
      await waitFor(() => lab.closed === 2, 'the ended run’s two sockets to close');
      expect((await relayRun(relay.url, 'on-demand', child.id))!.info.status).toBe('FINISHED');
      // Still readable after it was let go (journal, then the relay's copy).
      expect((await a.getRun(child.id))!.info.status).toBe('FINISHED');
      await expectCairnError(() => a.startRun({ experimentName: 'demand', parentRunId: 'ab'.repeat(16) }), 'RESOURCE_DOES_NOT_EXIST');
      expect(await a.getRun('cd'.repeat(16))).toBeNull();
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-16] logInputs: datasets with their context reach other clients, are searchable, and a bad entry writes nothing', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: 'inputs' });
      const run = await a.startRun({ experimentName: 'data' });
      const train = { name: 'mnist', digest: 'd1g3st', sourceType: 'http', source: '{"url":"https://x/mnist"}', schema: '{"cols":["x"]}' };
      run.logInput(train, { context: 'training' });
      run.logInputs([{ dataset: { name: 'mnist-test', digest: 'e2', sourceType: 'local', source: '{}' }, tags: { 'mlflow.data.context': 'eval', note: 'held out' } }]);
      const before = JSON.stringify((await a.getRun(run.id))!.inputs);
      await expectCairnError(() => run.logInputs([{ dataset: { name: 'ok', digest: 'x', sourceType: 's', source: '' } }, { dataset: { name: 'bad', digest: 'y'.repeat(37), sourceType: 's', source: '' } }]), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(() => run.logInputs([{ dataset: { name: '', digest: 'x', sourceType: 's', source: '' } }]), 'INVALID_PARAMETER_VALUE');
      expect(JSON.stringify((await a.getRun(run.id))!.inputs)).toBe(before);
      await run.end();

      const b = await t.client({ relay: relay.url, workspace: 'inputs' });
      const seen = await b.getRun(run.id);
      expect(seen!.inputs).toEqual([
        { dataset: train, tags: { 'mlflow.data.context': 'training' } },
        { dataset: { name: 'mnist-test', digest: 'e2', sourceType: 'local', source: '{}' }, tags: { 'mlflow.data.context': 'eval', note: 'held out' } },
      ]);
      const exp = seen!.info.experimentId;
      expect((await b.searchRuns({ experimentIds: [exp], filter: "datasets.context = 'training'" })).runs.map((r) => r.info.runId)).toEqual([run.id]);
      expect((await b.searchRuns({ experimentIds: [exp], filter: "datasets.name = 'nope'" })).runs).toEqual([]);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-17] searchRuns and listRuns read the relay’s index (no run doc fetched), in the ListedRun shape, with this client’s unflushed writes over it', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: 'indexed' });
      const exp = await a.createExperiment('idx');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await a.startRun({ experimentId: exp, runName: `r${i}`, startTime: 1_700_000_000_000 + i });
        r.logParam('i', i);
        r.logMetric('loss', 1 / (i + 1), { step: 7, timestamp: 1_000 + i });
        r.logInput({ name: 'ds', digest: `d${i}`, sourceType: 'x', source: '{}' }, { context: i % 2 ? 'eval' : 'training' });
        await r.end();
        ids.push(r.id);
      }
      const b = await t.client({ relay: relay.url, workspace: 'indexed' });
      const http = watchFetch();
      let page;
      try {
        page = await b.searchRuns({ experimentIds: [exp], filter: 'metrics.loss < 0.4', orderBy: ['params.i ASC'] });
        // A snapshot, then one delta from its seq (a stored snapshot may be a little behind: server/relay RELAY-41).
        expect(http.calls.map((c) => new URL(c.url).pathname)).toEqual([`/index/indexed/${exp}`, `/index/indexed/${exp}`]);
        expect(new URL(http.calls[0]!.url).searchParams.get('since')).toBe('0');
        // Asked again: only what changed since (the client keeps the index and its sequence number).
        await b.searchRuns({ experimentIds: [exp] });
        expect(new URL(http.calls[2]!.url).searchParams.get('since')).not.toBe('0');
      } finally {
        http.restore();
      }
      expect(page.stale).toBe(false);
      expect(page.runs.map((r) => r.info.runName)).toEqual(['r2', 'r3', 'r4']);
      const r4 = page.runs[2]!;
      expect(r4.metrics.loss).toEqual({ key: 'loss', latest: 0.2, min: 0.2, max: 0.2, count: 1 });
      expect('latestStep' in r4.metrics.loss!).toBe(false);
      expect(r4.inputs).toEqual([{ dataset: { name: 'ds', digest: 'd4' }, tags: { 'mlflow.data.context': 'training' } }]);
      expect('artifacts' in r4).toBe(false);
      expect(r4.info).not.toHaveProperty('deletedTime');
      const full = await b.getRun(r4.info.runId);
      expect(full!.metrics.loss).toMatchObject({ latestStep: 7, latestTimestamp: 1_004 });
      expect((await b.listRuns(exp)).map((r) => r.info.runName)).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);

      // This client's own writes show before any flush: its open run docs are laid over the relay's rows.
      const live = await b.startRun({ experimentId: exp, runName: 'live', startTime: 1_800_000_000_000 });
      live.setTag('phase', 'warmup');
      const mine = await b.searchRuns({ experimentIds: [exp], filter: "tags.phase = 'warmup'" });
      expect(mine.runs.map((r) => r.info.runName)).toEqual(['live']);
      await b.deleteRun(ids[0]!);
      expect((await b.listRuns(exp, 'DELETED_ONLY')).map((r) => r.info.runId)).toEqual([ids[0]]);
      await live.end();
      // Other clients see it once it is flushed (end() did), through the relay's index.
      expect((await a.searchRuns({ experimentIds: [exp], filter: "tags.phase = 'warmup'" })).runs.map((r) => r.info.runId)).toEqual([live.id]);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-18] offline, searchRuns/listRuns answer from the run docs the journal holds, flagged stale', async () => {
    const t = new Closer();
    const data = tempDir('cairn-relay-');
    t.add(data, (d) => d.remove());
    try {
      const port = await freePort();
      let r: TestRelay | null = await startTestRelay({ port, dataDir: data.path });
      const dataDir = t.dir();
      const c = t.track(await connect({ relay: r.url, workspace: 'stale', dataDir }));
      const exp = await c.createExperiment('off');
      await c.flush();
      const other = await t.client({ relay: r.url, workspace: 'stale' });
      const seen = await other.startRun({ experimentId: exp, runName: 'read-here' });
      await seen.end();
      const never = await other.startRun({ experimentId: exp, runName: 'never-held' });
      await never.end();
      for (let i = 0; i < 3; i++) {
        const run = await c.startRun({ experimentId: exp, runName: `mine${i}`, startTime: 1_700_000_000_000 + i });
        run.logMetric('acc', i / 10);
        await run.end();
      }
      expect(await c.getRun(seen.id)).not.toBeNull(); // now in c's journal too
      const online = await c.searchRuns({ experimentIds: [exp] });
      expect(online.stale).toBe(false);
      expect(online.runs).toHaveLength(5);
      await c.close();
      await r.dispose();
      r = null;

      const off = t.track(await connect({ relay: `http://127.0.0.1:${port}`, workspace: 'stale', dataDir }));
      const t0 = Date.now();
      const res = await off.searchRuns({ experimentIds: [exp], filter: 'metrics.acc >= 0.1', orderBy: ['metrics.acc DESC'] });
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(res.stale).toBe(true);
      expect(res.runs.map((x) => x.info.runName)).toEqual(['mine2', 'mine1']);
      const all = await off.searchRuns();
      expect(all.stale).toBe(true);
      expect(all.runs.map((x) => x.info.runName).sort()).toEqual(['mine0', 'mine1', 'mine2', 'read-here']);
      expect((await off.listRuns(exp)).map((x) => x.info.runName)).toEqual(['read-here', 'mine2', 'mine1', 'mine0']);
      // No relay at all: the same, stale.
      const local = await t.client({ relay: null });
      const lr = await local.startRun({ runName: 'solo' });
      await lr.end();
      expect(await local.searchRuns()).toMatchObject({ stale: true, runs: [expect.objectContaining({ info: expect.objectContaining({ runName: 'solo' }) })] });
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-19] a run ended offline reaches the relay at the next connect without any logging call; then no dirty mark is left', async () => {
    const t = new Closer();
    const data = tempDir('cairn-relay-');
    t.add(data, (d) => d.remove());
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      let r = await startTestRelay({ port, dataDir: data.path });
      const dataDir = t.dir();
      const a = t.track(await connect({ relay: url, workspace: 'dirty', dataDir }));
      const run: ActiveRun = await a.startRun({ experimentName: 'dirty' });
      run.logParam('lr', 0.1);
      run.logMetric('m', 1, { step: 0 });
      await run.flush();
      expect((await relayRun(url, 'dirty', run.id))!.info.status).toBe('RUNNING');
      await r.dispose();

      // Offline: the run ends and more points arrive; nothing can be acknowledged.
      run.logMetric('m', 2, { step: 1 });
      await expectCairnError(() => run.end('FAILED', { timeoutMs: 200 }), 'DEADLINE_EXCEEDED');
      await a.close({ timeoutMs: 100 });
      const st = await journalState(dataDir, url, 'dirty');
      expect([...st.dirty].sort()).toEqual([`run/${run.id}`, `run/${run.id}/metrics`]);

      r = t.add(await startTestRelay({ port, dataDir: data.path }), (x) => x.dispose());
      const b: CairnClient = t.track(await connect({ relay: url, workspace: 'dirty', dataDir }));
      // No call on b: its connect pushes what the journal says is not acknowledged.
      await waitFor(async () => (await relayRun(url, 'dirty', run.id))?.info.status === 'FAILED', 'the offline end to reach the relay', 15_000);
      await waitFor(async () => (await relayHistory(url, 'dirty', run.id, 'm'))?.length === 2, 'the offline point to reach the relay', 15_000);
      await b.flush({ timeoutMs: 10_000 });
      await b.close();
      expect((await journalState(dataDir, url, 'dirty')).dirty.size).toBe(0);
    } finally {
      await t.closeAll();
    }
  });
});

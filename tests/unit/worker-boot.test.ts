import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { appendMetrics, createExperiment, ensureWorkspace, memoryCtx, startRun, updateRun } from '@/lib/doc';
import { relayRemote } from '@/lib/engine';
import { EarlySnapshots, RoomConnection, metricsRoom, runRoom, type FetchLike } from '@/lib/relay-client';
import { LocalStore } from '@/lib/store';
import { metricsDocName, runDocName, saveSettings } from '@/lib/sync';
import { bootWorker } from '@/workers/boot';
import { createDataService, withWireErrors } from '@/workers/data-service';
import { startTestRelay, type TestRelay } from '../relay/helpers/in-process';
import { freshDbName } from '../shared/worker-service';

/**
 * components/charts/SPEC.md CHART-18: the data worker's first module asks the relay for a cold page's docs before the
 * rest of the worker has loaded; the doc engine's first fetch of each room takes that answer instead of asking again.
 */

/** A fetch that records every URL it was asked for (and the init's priority). */
function countingFetch(base: FetchLike = (u, i) => fetch(u, i)) {
  const calls: { url: string; priority: string | undefined }[] = [];
  const f: FetchLike = (url, init) => {
    calls.push({ url: String(url), priority: (init as { priority?: string } | undefined)?.priority });
    return base(url, init);
  };
  return {
    f,
    calls,
    docs: (room: string) => calls.filter((c) => new URL(c.url).pathname === `/docs/${room}`),
    /** The queries of the index requests of an experiment. */
    index: (experimentId: string) => calls.filter((c) => new URL(c.url).pathname.endsWith(`/index/${new URL(c.url).pathname.split('/')[2]}/${experimentId}`)).map((c) => new URL(c.url).search.slice(1)),
  };
}

describe('[CHART-18] EarlySnapshots', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const okFetch: FetchLike = async () => new Response(bytes);

  it('[CHART-18] an early answer is taken once, only for the same relay, token and room, at low priority', async () => {
    const c = countingFetch(okFetch);
    const early = new EarlySnapshots(c.f);
    early.start('http://relay.test:1/', 'ws/run/a/metrics', 'tok');
    early.start('http://relay.test:1', 'ws/run/a/metrics', 'tok'); // the same: not asked twice
    expect(c.calls).toHaveLength(1);
    expect(c.calls[0]!.priority).toBe('low');
    expect(early.take('http://relay.test:1', 'ws/run/a/metrics', null)).toBeNull();
    expect(early.take('http://other.test:1', 'ws/run/a/metrics', 'tok')).toBeNull();
    expect(early.take('http://relay.test:1', 'ws/run/b/metrics', 'tok')).toBeNull();
    const taken = early.take('ws://relay.test:1', 'ws/run/a/metrics', 'tok');
    expect([...(await taken!)]).toEqual([1, 2, 3]);
    expect(early.take('http://relay.test:1', 'ws/run/a/metrics', 'tok')).toBeNull();
    expect(early.size).toBe(0);
  });

  it('[CHART-18] an answer nobody took is dropped after its time', async () => {
    const early = new EarlySnapshots(okFetch, 20);
    early.start('http://relay.test:1', 'ws/run/a/metrics', null);
    expect(early.size).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(early.size).toBe(0);
    expect(early.take('http://relay.test:1', 'ws/run/a/metrics', null)).toBeNull();
  });

  it('[CHART-18] the engine fetch takes the early answer; one that failed is asked for again with the doc state', async () => {
    const relay = 'http://relay.test:1';
    const sv = new Uint8Array([0]);
    const asked: string[] = [];
    let failEarly = false;
    const f: FetchLike = async (url) => {
      asked.push(new URL(String(url)).pathname + new URL(String(url)).search);
      if (failEarly) return new Response(JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'boom' }), { status: 500 });
      return new Response(new Uint8Array([7]));
    };
    const early = new EarlySnapshots(f);
    early.start(relay, 'ws/run/a/metrics', null);
    const remote = relayRemote({ relay, token: null, fetch: f, early });
    expect([...(await remote.fetchMissing('ws/run/a/metrics', sv))]).toEqual([7]);
    expect(asked).toEqual(['/docs/ws/run/a/metrics']);
    // Taken: the next fetch of the room asks the relay, with the doc's state vector.
    await remote.fetchMissing('ws/run/a/metrics', sv);
    expect(asked[1]).toBe('/docs/ws/run/a/metrics?sv=AA');

    failEarly = true;
    early.start(relay, 'ws/run/b/metrics', null);
    await new Promise((r) => setTimeout(r, 10));
    failEarly = false;
    expect([...(await remote.fetchMissing('ws/run/b/metrics', sv))]).toEqual([7]);
    expect(asked.slice(2)).toEqual(['/docs/ws/run/b/metrics', '/docs/ws/run/b/metrics?sv=AA']);
  });
});

describe('[CHART-18] bootWorker against a real relay', () => {
  let relay: TestRelay;
  const conns: RoomConnection[] = [];
  beforeAll(async () => {
    relay = await startTestRelay({ storage: 'memory' });
  });
  afterAll(async () => {
    await relay.dispose();
  });
  afterEach(() => {
    for (const c of conns.splice(0)) c.destroy();
  });

  /** Finished runs of `points` loss points each, written to the relay by an SDK-like writer. */
  async function finishedRuns(workspace: string, runs: number, points: number) {
    const ctx = memoryCtx(new Y.Doc(), 'sdk');
    ensureWorkspace(ctx);
    const experimentId = createExperiment(ctx, { name: `boot-${Date.now()}` });
    const ids: string[] = [];
    const ws = new RoomConnection(ctx.ws, { relay: relay.url, room: workspace, WebSocketPolyfill: WebSocket });
    conns.push(ws);
    for (let r = 0; r < runs; r++) {
      const run = startRun(ctx, { experimentId });
      appendMetrics(ctx, ctx.metricsDoc(run.runId), run.runId, Array.from({ length: points }, (_, i) => ({ key: 'loss', value: r + 1 / (1 + i), step: i, timestamp: 1_000 + i })));
      updateRun(ctx, { runId: run.runId, status: 'FINISHED' });
      const rc = new RoomConnection(ctx.runDoc(run.runId), { relay: relay.url, room: runRoom(workspace, run.runId), WebSocketPolyfill: WebSocket });
      const mc = new RoomConnection(ctx.metricsDoc(run.runId), { relay: relay.url, room: metricsRoom(workspace, run.runId), WebSocketPolyfill: WebSocket });
      conns.push(rc, mc);
      await Promise.all([rc.flush(), mc.flush()]);
      ids.push(run.runId);
    }
    await ws.flush();
    return { experimentId, ids, ctx };
  }

  it('[CHART-18] a cold compare page: its metrics docs are asked for at boot (not the ones stored here), and the charts use those answers', async () => {
    const workspace = `boot-${process.pid}-${Date.now()}`;
    const { experimentId, ids, ctx } = await finishedRuns(workspace, 3, 500);
    const dbName = freshDbName('worker-boot');
    // A profile that has the third run's metrics already (a warm visit for that one) and saved the relay.
    const pre = await LocalStore.open({ name: dbName, mergeUpdates: Y.mergeUpdates });
    await saveSettings(pre, { relayUrl: relay.url, workspace });
    await pre.appendUpdate(metricsDocName(workspace, ids[2]!), Y.encodeStateAsUpdate(ctx.metricsDoc(ids[2]!)));
    pre.close();

    const c = countingFetch();
    let mainLoading = 0;
    const boot = bootWorker({
      name: `cairn-page:/compare/?experiment=${experimentId}&runs=${ids.join(',')}`,
      origin: null,
      fetch: c.f,
      dbName,
      beforeFetches: () => mainLoading++,
    });
    expect(await boot.started, 'two metrics docs and the index').toBe(3);
    expect(mainLoading, 'the main module starts loading before the early fetches').toBe(1);
    expect(c.index(experimentId)).toEqual(['since=0&epoch=']);
    expect(c.docs(metricsRoom(workspace, ids[0]!))).toHaveLength(1);
    expect(c.docs(metricsRoom(workspace, ids[1]!))).toHaveLength(1);
    expect(c.docs(metricsRoom(workspace, ids[2]!)), 'held locally: the engine asks with its state vector').toHaveLength(0);
    expect(c.calls.every((x) => !x.url.includes('/run/') || !x.url.endsWith(`/run/${ids[0]}`)), 'compare reads statuses from the index, not run docs').toBe(true);

    const api = withWireErrors(createDataService({ fetch: c.f, dbName, WebSocketPolyfill: WebSocket, boot }));
    try {
      await api.init(null);
      expect((await api.getSettings()).relayUrl).toBe(relay.url);
      const out = await api.getRunsSeries(ids, 'loss', { buckets: 100 });
      expect(out.map((r) => r.series?.count)).toEqual([500, 500, 500]);
      expect(out.map((r) => r.series?.last?.[1])).toEqual([1 / 500, 1 + 1 / 500, 2 + 1 / 500]);
      // The early answers were used: one GET per cold metrics doc in all.
      expect(c.docs(metricsRoom(workspace, ids[0]!))).toHaveLength(1);
      expect(c.docs(metricsRoom(workspace, ids[1]!))).toHaveLength(1);
      // The index from scratch was the early one (the delta after it is asked as after any snapshot).
      await api.compareRuns(experimentId, ids);
      expect(c.index(experimentId).filter((q) => q.startsWith('since=0&'))).toHaveLength(1);
      expect(boot.early.size).toBe(0);
    } finally {
      await api.dispose();
    }
  });

  it('[CHART-18] an experiment page asks for its index at boot, and the host takes it; not when the index is saved here', async () => {
    const workspace = `boot-exp-${process.pid}-${Date.now()}`;
    const { experimentId, ids } = await finishedRuns(workspace, 2, 10);
    const dbName = freshDbName('worker-boot');
    const pre = await LocalStore.open({ name: dbName, mergeUpdates: Y.mergeUpdates });
    await saveSettings(pre, { relayUrl: relay.url, workspace });
    pre.close();
    const c = countingFetch();
    const boot = bootWorker({ name: `cairn-page:/experiment/?id=${experimentId}`, origin: null, fetch: c.f, dbName });
    expect(await boot.started).toBe(1);
    expect(c.index(experimentId)).toEqual(['since=0&epoch=']);
    expect(c.calls.filter((x) => x.url.includes('/docs/'))).toEqual([]);
    const api = withWireErrors(createDataService({ fetch: c.f, dbName, WebSocketPolyfill: WebSocket, boot, cacheSaveDelayMs: 10 }));
    try {
      await api.init(null);
      const page = await api.listRunsPage(experimentId, 10);
      expect(page.total).toBe(2);
      expect(page.runs.map((r) => r.info.runId).sort()).toEqual([...ids].sort());
      expect(c.index(experimentId).filter((q) => q.startsWith('since=0&')), 'the early snapshot was the one used').toHaveLength(1);
      // The index is saved for the next visit (WRK-10): a later boot of the same page asks for nothing.
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await api.dispose();
    }
    const again = countingFetch();
    const warm = bootWorker({ name: `cairn-page:/experiment/?id=${experimentId}`, origin: null, fetch: again.f, dbName });
    expect(await warm.started).toBe(0);
    expect(again.calls).toEqual([]);
    (await warm.store).close();
  });

  it('[STORE-P1, CHART-18] a warm run page: boot reads its stored docs ahead, and the chart is drawn from that one read', async () => {
    const workspace = `boot-warm-${process.pid}-${Date.now()}`;
    const { ids, ctx } = await finishedRuns(workspace, 1, 300);
    const runId = ids[0]!;
    const dbName = freshDbName('worker-boot');
    const pre = await LocalStore.open({ name: dbName, mergeUpdates: Y.mergeUpdates });
    await saveSettings(pre, { relayUrl: relay.url, workspace });
    await pre.appendUpdate(metricsDocName(workspace, runId), Y.encodeStateAsUpdate(ctx.metricsDoc(runId)));
    await pre.appendUpdate(runDocName(workspace, runId), Y.encodeStateAsUpdate(ctx.runDoc(runId)));
    pre.close();
    const proto = LocalStore.prototype as unknown as { readUpdates(this: LocalStore, doc: string): Promise<unknown> };
    const original = proto.readUpdates;
    const reads: string[] = [];
    const spy = vi.spyOn(proto, 'readUpdates').mockImplementation(function (this: LocalStore, doc: string) {
      reads.push(doc);
      return original.call(this, doc);
    });
    const c = countingFetch();
    const boot = bootWorker({ name: `cairn-page:/run/?id=${runId}`, origin: null, fetch: c.f, dbName });
    const api = withWireErrors(createDataService({ fetch: c.f, dbName, WebSocketPolyfill: WebSocket, boot }));
    try {
      expect(await boot.started, 'everything is held here: no early fetch').toBe(0);
      expect(reads, 'read at boot, before the data service exists').toEqual([runDocName(workspace, runId), metricsDocName(workspace, runId)]);
      await api.init(null);
      const out = await api.getRunsSeries([runId], 'loss', { buckets: 100 });
      expect(out[0]!.series?.count).toBe(300);
      expect(reads.filter((d) => d === metricsDocName(workspace, runId)), 'the metrics doc was read once: at boot').toHaveLength(1);
    } finally {
      spy.mockRestore();
      await api.dispose();
    }
  });

  it('[CHART-18] a cold run page asks for its run doc and metrics doc at boot; a page without a hint or a relay asks for nothing', async () => {
    const workspace = `boot-run-${process.pid}-${Date.now()}`;
    const { ids } = await finishedRuns(workspace, 1, 50);
    const dbName = freshDbName('worker-boot');
    const pre = await LocalStore.open({ name: dbName, mergeUpdates: Y.mergeUpdates });
    await saveSettings(pre, { relayUrl: relay.url, workspace });
    pre.close();
    const c = countingFetch();
    const boot = bootWorker({ name: `cairn-page:/run/?id=${ids[0]}`, origin: null, fetch: c.f, dbName });
    expect(await boot.started).toBe(2);
    expect(c.docs(runRoom(workspace, ids[0]!))).toHaveLength(1);
    expect(c.docs(metricsRoom(workspace, ids[0]!))).toHaveLength(1);
    (await boot.store).close();

    const none = countingFetch();
    const other = bootWorker({ name: 'cairn-page:/settings/', origin: null, fetch: none.f, dbName });
    expect(await other.started).toBe(0);
    expect(none.calls).toEqual([]);
    (await other.store).close();

    const local = freshDbName('worker-boot');
    const off = bootWorker({ name: `cairn-page:/run/?id=${ids[0]}`, origin: null, fetch: none.f, dbName: local });
    expect(await off.started, 'no relay configured: local-only').toBe(0);
    expect(none.calls).toEqual([]);
    (await off.store).close();
  });
});

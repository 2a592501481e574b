import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMetrics, ensureWorkspace, logBatch, memoryCtx, readRun, startRun, updateRun, type MemoryCtx } from '@/lib/doc';
import { ExperimentIndex, encodeIndex, rowFromRun } from '@/lib/run-index';
import { CairnError } from '@/lib/domain';
import { createDataClient } from '@/lib/react/data-client';
import { LocalStore } from '@/lib/store';
import { metricsDocName, runDocName, workspaceDocName, type FetchLike } from '@/lib/sync';
import { bootWorker } from '@/workers/boot';
import { createDataService, withWireErrors } from '@/workers/data-service';
import { SIGNAL_DEBOUNCE_MS } from '@/workers/topics';
import { WarmCache, cacheScope } from '@/workers/warm-cache';

let n = 0;
const freshDb = () => `cairn-worker-test-${process.pid}-${++n}`;
const noConfig: FetchLike = async () => new Response('nope', { status: 404 });

const services: { dispose(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.dispose();
});

async function service(dbName = freshDb(), fetchImpl: FetchLike = noConfig) {
  const api = withWireErrors(createDataService({ fetch: fetchImpl, dbName }));
  services.push(api);
  await api.init('http://app.test');
  return api;
}

const tick = (ms = SIGNAL_DEBOUNCE_MS * 3) => new Promise((r) => setTimeout(r, ms));

/** Writes every doc of a memory ctx into the store as a previous session (or a relay sync) would have. */
async function storeDocs(dbName: string, ctx: MemoryCtx) {
  const store = await LocalStore.open({ name: dbName, mergeUpdates: Y.mergeUpdates });
  await store.appendUpdate(workspaceDocName('default'), Y.encodeStateAsUpdate(ctx.ws));
  for (const [id, d] of ctx.runDocs) await store.appendUpdate(runDocName('default', id), Y.encodeStateAsUpdate(d));
  for (const [id, d] of ctx.metricsDocs) await store.appendUpdate(metricsDocName('default', id), Y.encodeStateAsUpdate(d));
  store.close();
}

/** Seeds the database with a finished run with `points` losses (its run doc and its metrics doc). */
async function seedRun(dbName: string, points: number) {
  const ctx = memoryCtx(new Y.Doc(), 'sdk');
  ensureWorkspace(ctx);
  const run = startRun(ctx, {});
  const batch = 10_000;
  for (let i = 0; i < points; i += batch) {
    const pts = Array.from({ length: Math.min(batch, points - i) }, (_, j) => ({ key: 'loss', value: 1 / (i + j + 1), step: i + j, timestamp: 1 }));
    appendMetrics(ctx, ctx.metricsDoc(run.runId), run.runId, pts);
  }
  appendMetrics(ctx, ctx.metricsDoc(run.runId), run.runId, [{ key: 'acc', value: NaN, step: 0, timestamp: 1 }]);
  updateRun(ctx, { runId: run.runId, status: 'FINISHED' });
  await storeDocs(dbName, ctx);
  return run.runId;
}

describe('data worker service', () => {
  it('[WRK-1] runs commands and queries; subscribers get one debounced signal per burst', async () => {
    const api = await service();
    const signals: string[] = [];
    await api.subscribe('experiments', (t) => void signals.push(t));
    const id = await api.createExperiment('first', { team: 'a' });
    await api.renameExperiment(id, 'renamed');
    await tick();
    expect(signals).toEqual(['experiments']);
    expect((await api.listExperiments()).map((e) => e.name)).toEqual(['Default', 'renamed']);
    expect(await api.getExperiment(id)).toMatchObject({ name: 'renamed', tags: { team: 'a' } });
    expect(await api.getExperiment('999')).toBeNull();
    await api.deleteExperiment(id);
    expect((await api.listExperiments('DELETED_ONLY')).map((e) => e.experimentId)).toEqual([id]);
    await api.restoreExperiment(id);
    expect(await api.getStatus()).toMatchObject({ state: 'offline', relay: null, workspace: 'default' });
    expect(await api.getPresence()).toEqual([]);
  });

  it('[WRK-2] errors cross as plain { code, message, details }; the client turns them back into CairnError', async () => {
    const api = await service();
    await api.createExperiment('dup');
    const raw = await api.createExperiment('dup').catch((e: unknown) => e);
    expect(raw).not.toBeInstanceOf(Error);
    expect(raw).toMatchObject({ code: 'RESOURCE_ALREADY_EXISTS', message: expect.stringContaining('dup') });
    expect(structuredClone(raw)).toEqual(raw);
    // The lib/react client over the same API (comlink's Remote is structurally this object).
    const client = createDataClient(api as never);
    const err = await client.createExperiment('dup').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe('RESOURCE_ALREADY_EXISTS');
    await expect(client.getRunMetrics('bad id!')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });

  it('[WRK-3] signals runs:<exp>, run:<id> and conflicts topics for run changes', async () => {
    const dbName = freshDb();
    const runId = await seedRun(dbName, 10);
    const api = await service(dbName);
    const signals: string[] = [];
    for (const t of ['runs:0', `run:${runId}`, 'conflicts', 'experiments']) await api.subscribe(t, (x) => void signals.push(x));
    await api.setRunTag(runId, 'note', 'hello');
    await tick();
    expect(signals.sort()).toEqual(['conflicts', `run:${runId}`, 'runs:0']);
    expect((await api.getRun(runId))?.tags.note).toBe('hello');
    expect((await api.listRuns('0')).map((r) => r.info.runId)).toEqual([runId]);
    await api.deleteRun(runId);
    expect(await api.listRuns('0')).toEqual([]);
    await api.restoreRun(runId);
    expect(await api.listConflicts()).toEqual([]);
  });

  it('[WRK-4] returns bucketed metric series (1M points → ≤ buckets) with min/max bands; short series unbucketed', async () => {
    const dbName = freshDb();
    const runId = await seedRun(dbName, 1_000_000);
    const api = await service(dbName);
    const t0 = performance.now();
    const series = await api.getRunMetrics(runId, 500);
    const ms = performance.now() - t0;
    expect(series.map((s) => s.key)).toEqual(['acc', 'loss']);
    const [acc, loss] = series;
    expect(acc).toMatchObject({ count: 1 });
    expect(acc!.min).toBeUndefined();
    expect(acc!.values[0]).toBeNaN();
    expect(loss!.count).toBe(1_000_000);
    expect(loss!.steps.length).toBe(500);
    expect(loss!.max![0]).toBe(1);
    expect(loss!.min!.at(-1)).toBeCloseTo(1e-6, 9);
    expect(ms).toBeLessThan(5_000);
    // Arrays own their buffers, so the worker can transfer them.
    const bufs = series.flatMap((s) => [s.steps, s.values, s.min, s.max].filter(Boolean).map((a) => a!.buffer));
    expect(new Set(bufs).size).toBe(bufs.length);
  });

  it('[WRK-5] a metrics subscription holds the run doc; settings changes switch workspace and signal everything', async () => {
    const api = await service();
    const signals: string[] = [];
    await api.subscribe('settings', (t) => void signals.push(t));
    await api.subscribe('experiments', (t) => void signals.push(t));
    await api.createExperiment('in-default');
    await api.saveSettings({ workspace: 'other', userName: 'Grace' });
    await tick();
    expect(signals).toContain('settings');
    expect(signals).toContain('experiments');
    expect(await api.getSettings()).toEqual({ relayUrl: null, workspace: 'other', token: null, userName: 'Grace' });
    expect((await api.listExperiments()).map((e) => e.name)).toEqual(['Default']);
    await api.saveSettings({ workspace: 'default' });
    expect((await api.listExperiments()).map((e) => e.name)).toContain('in-default');
    await expect(api.saveSettings({ relayUrl: 'not a url' })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    const sub = await api.subscribe('metrics:abc123', () => {});
    await api.unsubscribe(sub);
  });

  it('[WRK-6] a write that resolved survives the worker going away (new service, same database)', async () => {
    const dbName = freshDb();
    const a = withWireErrors(createDataService({ fetch: noConfig, dbName }));
    await a.init(null);
    const id = await a.createExperiment('kept');
    // No dispose: the tab was closed right after the command resolved.
    const b = await service(dbName);
    expect((await b.getExperiment(id))?.name).toBe('kept');
    await a.dispose();
  });

  it('[WRK-7] listRuns serves unchanged runs from its cache and re-reads a run once it changes', async () => {
    const db = freshDb();
    const runId = await seedRun(db, 10);
    const api = await service(db);
    const first = await api.listRuns('0');
    expect(first.map((r) => r.info.runId)).toEqual([runId]);
    expect(first[0]!.tags.note).toBeUndefined();
    await api.setRunTag(runId, 'note', 'changed');
    const second = await api.listRuns('0');
    expect(second[0]!.tags.note).toBe('changed');
    await api.deleteRun(runId);
    expect(await api.listRuns('0')).toEqual([]);
    expect((await api.listRuns('0', 'DELETED_ONLY'))[0]!.info.lifecycleStage).toBe('deleted');
  });

  it('[WRK-8] listRunsPage sends the first rows, the total, the deleted count and every metric column', async () => {
    const db = freshDb();
    const first = await seedRun(db, 5);
    const api = await service(db);
    expect(await api.listRunsPage('0', 10)).toMatchObject({ total: 1, deleted: 0, metricKeys: ['acc', 'loss'] });
    await api.deleteRun(first);
    const page = await api.listRunsPage('0', 10);
    expect(page).toEqual({ runs: [], total: 0, deleted: 1, metricKeys: [] });
    await api.restoreRun(first);
    const one = await api.listRunsPage('0', 0);
    expect(one.runs).toEqual([]);
    expect(one.total).toBe(1);
  });

  it('[WRK-9] listRunsPage with a query filters and orders in the worker (lib/search); a bad filter is a value with its position', async () => {
    const db = freshDb();
    const ctx = memoryCtx(new Y.Doc(), 'sdk', (() => { let t = 1_700_000_000_000; return () => ++t; })());
    ensureWorkspace(ctx);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const run = startRun(ctx, { runName: `r${i}`, startTime: 1_700_000_000_000 + i });
      logBatch(ctx, { runId: run.runId, params: [{ key: 'lr', value: String(10 ** -(i % 3)) }] });
      appendMetrics(ctx, ctx.metricsDoc(run.runId), run.runId, [{ key: 'acc', value: i / 10, step: 0, timestamp: 1 }]);
      ids.push(run.runId);
    }
    await storeDocs(db, ctx);
    const api = await service(db);
    const hit = await api.listRunsPage('0', 2, { filter: 'params.lr < 0.5 and metrics.acc >= 0.1', orderBy: ['metrics.acc ASC'] });
    expect(hit.total).toBe(4);
    expect(hit.runs.map((r) => r.info.runName)).toEqual(['r1', 'r2']);
    expect(hit.error).toBeUndefined();
    expect(hit.metricKeys).toEqual(['acc']);
    const bad = await api.listRunsPage('0', 10, { filter: 'metrics.acc >> 1' });
    expect(bad.runs).toEqual([]);
    expect(bad.error).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'filter', position: expect.any(Number) });
    // No query: the plain newest-first page, as before.
    expect((await api.listRunsPage('0', 10)).runs.map((r) => r.info.runName)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
    expect(structuredClone(bad)).toEqual(bad);
    await expect(api.listRunsPage('0', 10, { filter: 7 } as never)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    // The search table is reused while runs are unchanged, and never serves a changed run stale.
    expect((await api.listRunsPage('0', 10, { filter: "tags.note = 'x'" })).total).toBe(0);
    await api.setRunTag(ids[0]!, 'note', 'x');
    await tick();
    const tagged = await api.listRunsPage('0', 10, { filter: "tags.note = 'x'" });
    expect(tagged.runs.map((r) => r.info.runId)).toEqual([ids[0]]);
  });
});

describe('warm cache (WRK-10)', () => {
  it('[WRK-10] the worker saves the experiments list and first pages; a saved index answers runs pages, marked cached', async () => {
    const db = freshDb();
    let t = 1_700_000_000_000;
    const ctx = memoryCtx(new Y.Doc(), 'sdk', () => ++t);
    ensureWorkspace(ctx);
    const ids: string[] = [];
    const index = new ExperimentIndex('0', 'e1');
    for (let i = 0; i < 4; i++) {
      const run = startRun(ctx, { runName: `r${i}`, startTime: 1_700_000_000_000 + i });
      appendMetrics(ctx, ctx.metricsDoc(run.runId), run.runId, [{ key: 'acc', value: i / 4, step: 0, timestamp: 1 }]);
      index.upsert(rowFromRun(readRun(run.runId, ctx.runDoc(run.runId))!));
      ids.push(run.runId);
    }
    await storeDocs(db, ctx);
    const api = createDataService({ fetch: noConfig, dbName: db, cacheSaveDelayMs: 5 });
    await api.init('http://app.test');
    const live = await api.listRunsPage('0', 10);
    expect(live.cached).toBeUndefined();
    await api.listExperiments();
    await tick(100);

    const store = await LocalStore.open({ name: db, mergeUpdates: Y.mergeUpdates });
    try {
      const scope = cacheScope(null, 'default');
      expect((await store.getCache<unknown[]>(`experiments|${scope}`))?.length).toBe(1);
      const cache = new WarmCache(store, scope);
      // The saved first page answers the default query.
      expect(await store.getCache(`page|${scope}|0`)).toMatchObject({ total: 4 });
      const saved = await cache.runsPage('0', 2, {});
      expect(saved).toMatchObject({ cached: true, total: 4, deleted: 0, metricKeys: ['acc'] });
      expect(saved!.runs.map((r) => r.info.runName)).toEqual(['r3', 'r2']);
      expect(saved!.runs[0]!.metrics.acc).toMatchObject({ latest: 0.75, count: 1 });
      // A filter goes through the saved index (what lib/sync's ExperimentRuns saves of the relay's index).
      await store.putCache(`index|${scope}|0`, encodeIndex(index.snapshot()));
      const filtered = await cache.runsPage('0', 10, { filter: 'metrics.acc < 0.3' });
      expect(filtered!.runs.map((r) => r.info.runId)).toEqual([ids[1], ids[0]]);
      expect((await cache.runsPage('0', 10, { filter: 'metrics.acc >> 1' }))!.error).toMatchObject({ field: 'filter' });
      // Another workspace's scope has nothing: it never shows this one's runs.
      expect(await new WarmCache(store, cacheScope(null, 'other')).runsPage('0', 10, {})).toBeUndefined();
      expect(structuredClone(saved)).toEqual(saved);
    } finally {
      store.close();
      await api.dispose();
    }
  });
});

describe('cached answers first, only for a page that asks for them (WRK-12)', () => {
  /** A workspace of one run whose warm cache was saved by an earlier visit. */
  async function savedVisit() {
    const db = freshDb();
    const ctx = memoryCtx(new Y.Doc(), 'sdk', () => 1_700_000_000_000);
    ensureWorkspace(ctx);
    const run = startRun(ctx, { runName: 'r0', startTime: 1_700_000_000_000 });
    await storeDocs(db, ctx);
    const first = createDataService({ fetch: noConfig, dbName: db, cacheSaveDelayMs: 5 });
    await first.init('http://app.test');
    await first.listExperiments();
    await first.listRunsPage('0', 10);
    await tick(100);
    await first.dispose();
    return { db, runId: run.runId };
  }
  const bootFor = (page: string, db: string) => bootWorker({ name: `cairn-page:${page}`, origin: 'http://app.test', fetch: noConfig, dbName: db });

  it('[WRK-12] a run page opens its workspace at once: it asks nothing of the warm cache, so nothing is waited for', async () => {
    const { db, runId } = await savedVisit();
    // Without WRK-12 the load waited for a cached answer this page never asks for: here a minute, past the test's time.
    const api = createDataService({ fetch: noConfig, dbName: db, boot: bootFor(`/run/?id=${runId}`, db), cacheFirstWaitMs: 60_000 });
    services.push(api);
    await api.init('http://app.test');
    expect((await api.getRun(runId))?.info.runName).toBe('r0');
  });

  it('[WRK-12] an experiment page still has its first page answered from the saved cache while the workspace loads', async () => {
    const { db } = await savedVisit();
    const api = createDataService({ fetch: noConfig, dbName: db, boot: bootFor('/experiment/?id=0', db), cacheFirstWaitMs: 60_000 });
    services.push(api);
    const init = api.init('http://app.test');
    // The load waits for this page's cached answer (at most cacheFirstWaitMs), then goes on once it went out.
    const page = await api.listRunsPage('0', 10);
    expect(page).toMatchObject({ cached: true, total: 1 });
    await init;
    expect((await api.listRunsPage('0', 10)).cached).toBeUndefined();
  });
});

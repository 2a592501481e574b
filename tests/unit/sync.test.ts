import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { appendMetrics, createExperiment, encodeChunk, listExperiments, memoryCtx, metricChunks, readRun, startRun, updateRun } from '@/lib/doc';
import { ExperimentIndex, encodeIndex, rowFromRun } from '@/lib/run-index';
import { CairnError } from '@/lib/domain';
import { LocalStore } from '@/lib/store';
import {
  DocHost,
  DocPersistence,
  deriveStatus,
  peersOf,
  resolveSettings,
  formatKey,
  metricsDocName,
  runDocName,
  saveSettings,
  workspaceDocName,
  type EffectiveSettings,
  type FetchLike,
} from '@/lib/sync';
import { Awareness } from 'y-protocols/awareness';

let n = 0;
const openStore = () => LocalStore.open({ name: `cairn-sync-test-${process.pid}-${++n}`, mergeUpdates: Y.mergeUpdates });
const noFetch: FetchLike = async () => new Response('not found', { status: 404 });
const local = (over: Partial<EffectiveSettings> = {}): EffectiveSettings => ({
  relayUrl: null,
  workspace: 'default',
  token: null,
  userName: 'ada',
  actor: 'actor-a',
  relaySource: 'none',
  ...over,
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function openHost(store: LocalStore, over: Partial<EffectiveSettings> = {}, extra: Partial<Parameters<typeof DocHost.open>[0]> = {}) {
  const host = await DocHost.open({ store, settings: local(over), fetch: noFetch, ...extra });
  cleanups.push(() => host.destroy());
  return host;
}

describe('DocPersistence', () => {
  it('[SYNC-P1] whenPersisted settles only after every earlier update is stored', async () => {
    const store = await openStore();
    const doc = new Y.Doc();
    const p = new DocPersistence(store, 'd', doc);
    await p.load();
    for (let i = 0; i < 20; i++) doc.getMap('m').set(`k${i}`, i);
    await p.whenPersisted();
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, (await store.loadUpdates('d')).update!);
    expect(fresh.getMap('m').toJSON()).toEqual(doc.getMap('m').toJSON());
    // 20 transactions emitted synchronously were written as one batch, one row.
    expect(await store.countUpdates('d')).toBe(1);
  });

  it('[SYNC-P5] applyUpdate applies bytes held already with no update listener on the doc, stores those bytes, and stores nothing that adds nothing', async () => {
    const store = await openStore();
    const source = new Y.Doc();
    source.getMap('m').set('k', 'v');
    source.getArray('chunks').push([new Uint8Array(4096).fill(7)]);
    const bytes = Y.encodeStateAsUpdate(source);
    const doc = new Y.Doc();
    const p = new DocPersistence(store, 'd', doc);
    await p.load();
    // Yjs encodes an applied update again only when the doc has 'update' listeners when the transaction ends.
    const listening: number[] = [];
    const count = () => listening.push((doc as unknown as { _observers: Map<string, Set<unknown>> })._observers.get('update')?.size ?? 0);
    doc.on('afterTransaction', count);
    p.applyUpdate(bytes, 'relay');
    doc.off('afterTransaction', count);
    expect(listening).toEqual([0]);
    expect(doc.getMap('m').get('k')).toBe('v');
    await p.whenPersisted();
    expect([...(await store.loadUpdates('d')).update!]).toEqual([...bytes]);
    // The doc's own writes are stored as before (the listener is back).
    doc.getMap('m').set('k2', 1);
    await p.whenPersisted();
    const rows = await store.countUpdates('d');
    expect(rows).toBe(2);
    // The same bytes again add nothing: nothing is stored.
    p.applyUpdate(bytes, 'relay');
    await p.whenPersisted();
    expect(await store.countUpdates('d')).toBe(rows);
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, (await store.loadUpdates('d')).update!);
    expect(fresh.getMap('m').toJSON()).toEqual({ k: 'v', k2: 1 });
    expect(fresh.getArray('chunks').length).toBe(1);
    p.destroy();
    store.close();
  });

  it('[SYNC-P4] updates the relay already holds are stored a little later; a local write, whenPersisted or destroy stores them at once', async () => {
    const store = await openStore();
    const REMOTE = Symbol('remote');
    const remote = (doc: Y.Doc, k: string) => {
      const peer = new Y.Doc();
      peer.getMap('m').set(k, 1);
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(peer), REMOTE);
    };
    const settle = () => new Promise((r) => setTimeout(r, 30));
    const storedKeys = async (name: string) => {
      const { update } = await store.loadUpdates(name);
      const d = new Y.Doc();
      if (update) Y.applyUpdate(d, update);
      return Object.keys(d.getMap('m').toJSON()).sort();
    };
    const opts = { deferred: (o: unknown) => o === REMOTE, deferMs: 200 };

    // Deferred: nothing stored right away, everything once the delay passed.
    const a = new Y.Doc();
    const pa = new DocPersistence(store, 'a', a, undefined, undefined, opts);
    await pa.load();
    remote(a, 'r1');
    await settle();
    expect(await storedKeys('a')).toEqual([]);
    await new Promise((r) => setTimeout(r, 250));
    expect(await storedKeys('a')).toEqual(['r1']);

    // A local write does not wait, and takes the deferred ones along.
    remote(a, 'r2');
    a.getMap('m').set('local', 1);
    await settle();
    expect(await storedKeys('a')).toEqual(['local', 'r1', 'r2']);

    // whenPersisted (a flush, a shutdown) stores them now.
    remote(a, 'r3');
    await pa.whenPersisted();
    expect(await storedKeys('a')).toEqual(['local', 'r1', 'r2', 'r3']);

    // destroy (the doc is closed) writes what was waiting.
    remote(a, 'r4');
    pa.destroy();
    await pa.whenPersisted();
    expect(await storedKeys('a')).toEqual(['local', 'r1', 'r2', 'r3', 'r4']);

    // Without the option every update is stored at once, as before.
    const b = new Y.Doc();
    const pb = new DocPersistence(store, 'b', b);
    await pb.load();
    remote(b, 'r1');
    await settle();
    expect(await storedKeys('b')).toEqual(['r1']);
  });

  it('[SYNC-P2] does not store again what load() applied, and compacts past the threshold', async () => {
    const store = await openStore();
    const doc = new Y.Doc();
    const p = new DocPersistence(store, 'd', doc, 10);
    await p.load();
    for (let i = 0; i < 40; i++) {
      doc.getMap('m').set(`k${i}`, i);
      await p.whenPersisted(); // one row per update
    }
    expect(await store.countUpdates('d')).toBeLessThanOrEqual(11);
    const reopened = new Y.Doc();
    const p2 = new DocPersistence(store, 'd', reopened, 10);
    const before = await store.countUpdates('d');
    await p2.load();
    await p2.whenPersisted();
    expect(await store.countUpdates('d')).toBe(before);
    expect(reopened.getMap('m').toJSON()).toEqual(doc.getMap('m').toJSON());
  });

  it('[SYNC-P3] a failed write rejects its waiters and the next batch repairs the log with the full state', async () => {
    const store = await openStore();
    const doc = new Y.Doc();
    const p = new DocPersistence(store, 'd', doc);
    await p.load();
    const realAppend = store.appendUpdates.bind(store);
    let fail = true;
    store.appendUpdates = async (d, us) => {
      if (fail) throw new CairnError('RESOURCE_EXHAUSTED', 'quota');
      return realAppend(d, us);
    };
    doc.getMap('m').set('lost?', 1);
    await expect(p.whenPersisted()).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    fail = false;
    doc.getMap('m').set('next', 2);
    await p.whenPersisted();
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, (await store.loadUpdates('d')).update!);
    expect(fresh.getMap('m').toJSON()).toEqual({ 'lost?': 1, next: 2 });
  });
});

describe('DocHost (local-only)', () => {
  it('[SYNC-H1] opens with the Default experiment and reports offline, local-only', async () => {
    const host = await openHost(await openStore());
    expect(listExperiments(host.ws).map((e) => e.name)).toEqual(['Default']);
    expect(host.status()).toMatchObject({ state: 'offline', relay: null, workspace: 'default' });
  });

  it('[SYNC-H2] a command that resolved is in IndexedDB: a new host on the same database sees it', async () => {
    const store = await openStore();
    const host = await openHost(store);
    const id = await host.command((c) => createExperiment(c, { name: 'survives' }));
    // No destroy/flush in between: "the tab closed" right after the command resolved.
    const other = new Y.Doc();
    Y.applyUpdate(other, (await store.loadUpdates(workspaceDocName('default'))).update!);
    expect(listExperiments(other).find((e) => e.experimentId === id)?.name).toBe('survives');
    const host2 = await openHost(store);
    expect(listExperiments(host2.ws).map((e) => e.name)).toContain('survives');
  });

  it('[SYNC-H3] a refused command rejects with its CairnError code', async () => {
    const host = await openHost(await openStore());
    await host.command((c) => createExperiment(c, { name: 'dup' }));
    await expect(host.command((c) => createExperiment(c, { name: 'dup' }))).rejects.toMatchObject({ code: 'RESOURCE_ALREADY_EXISTS' });
  });

  it('[SYNC-H4] workspaces are separate documents', async () => {
    const store = await openStore();
    const a = await openHost(store, { workspace: 'a' });
    await a.command((c) => createExperiment(c, { name: 'only-in-a' }));
    const b = await openHost(store, { workspace: 'b' });
    expect(listExperiments(b.ws).map((e) => e.name)).toEqual(['Default']);
  });

  it('[SYNC-H5] reports which runs and experiments changed', async () => {
    const host = await openHost(await openStore());
    const changes: { experiments: boolean; runIds: string[] }[] = [];
    host.onWorkspaceChange((c) => changes.push({ experiments: c.experiments, runIds: [...c.runIds] }));
    const run = await host.startRun({});
    await host.runCommand(run.runId, (c) => updateRun(c, { runId: run.runId, status: 'FINISHED' }));
    await host.command((c) => createExperiment(c, { name: 'x' }));
    expect(changes[0]).toMatchObject({ runIds: [run.runId] });
    expect(changes.filter((c) => c.runIds.includes(run.runId)).length).toBeGreaterThanOrEqual(2);
    expect(changes.at(-1)!.experiments).toBe(true);
    // The run doc is the truth; the runs table reads the row built from it (no relay: this replica's rows only).
    expect((await host.runs.rows('0')).map((r) => [r.runId, r.status])).toEqual([[run.runId, 'FINISHED']]);
  });

  it('[SYNC-H7] a run started here is in its own run doc, in IndexedDB, and survives a reload (local-only)', async () => {
    const store = await openStore();
    const host = await openHost(store);
    const run = await host.startRun({ runName: 'kept' });
    await host.runCommand(run.runId, (c) => updateRun(c, { runId: run.runId, status: 'FINISHED' }));
    // "The tab closed": a raw read of the store has it, the workspace doc has nothing of it.
    const raw = new Y.Doc();
    Y.applyUpdate(raw, (await store.loadUpdates(runDocName('default', run.runId))).update!);
    expect(readRun(run.runId, raw)?.info).toMatchObject({ runName: 'kept', status: 'FINISHED' });
    expect(host.ws.getMap('runs').size).toBe(0);
    const host2 = await openHost(store);
    await waitUntil(() => host2.runs.row(run.runId) !== undefined);
    expect((await host2.runs.rows('0')).map((r) => r.runName)).toEqual(['kept']);
    expect((await host2.getRun(run.runId))?.info.status).toBe('FINISHED');
  });

  it('[SYNC-H6] refuses commands once the database was upgraded by another tab', async () => {
    const store = await openStore();
    const host = await openHost(store);
    (store as unknown as { markClosed(r: string): void }).markClosed('newer-schema-elsewhere');
    await expect(host.command((c) => createExperiment(c, { name: 'late' }))).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(listExperiments(host.ws).map((e) => e.name)).not.toContain('late');
  });
});

/** A finished run with `points` metric points: its run doc, metrics doc, and the relay's index row of it. */
function finishedRun(points: number) {
  const ctx = memoryCtx(new Y.Doc(), 'sdk');
  createExperiment(ctx, { name: 'e', experimentId: '1' });
  const run = startRun(ctx, { experimentId: '1' });
  appendMetrics(ctx, ctx.metricsDoc(run.runId), run.runId, Array.from({ length: points }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), step: i, timestamp: 1000 + i })));
  updateRun(ctx, { runId: run.runId, status: 'FINISHED', endTime: 5000 });
  const index = new ExperimentIndex('1', 'epoch-1');
  index.upsert(rowFromRun(readRun(run.runId, ctx.runDoc(run.runId))!));
  return { ctx, runId: run.runId, index };
}

/** A relay answering over HTTP only: the index, and rooms' snapshots (by state vector). */
function httpRelay(rooms: Map<string, Y.Doc>, index?: ExperimentIndex) {
  const fetched: string[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    const u = new URL(url);
    fetched.push(`${u.pathname}${u.search} ${(init?.headers as Record<string, string>)?.authorization ?? ''}`);
    if (u.pathname.startsWith('/index/') && index) {
      const since = Number(u.searchParams.get('since'));
      return new Response(encodeIndex(index.deltaSince(since, u.searchParams.get('epoch') ?? '')) as Uint8Array<ArrayBuffer>);
    }
    if (u.pathname.startsWith('/docs/')) {
      const d = rooms.get(decodeURIComponent(u.pathname.slice('/docs/'.length)));
      if (!d) return new Response('{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"no"}', { status: 404 });
      const sv = u.searchParams.get('sv');
      const bytes = sv ? Uint8Array.from(Buffer.from(sv, 'base64url')) : undefined;
      return new Response(Y.encodeStateAsUpdate(d, bytes) as Uint8Array<ArrayBuffer>);
    }
    return new Response('{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"no"}', { status: 404 });
  };
  return { fetched, fetchImpl };
}

describe('Run docs (through the doc engine)', () => {
  it('[SYNC-R1] a finished run is fetched as snapshots over HTTP (by state vector), stored, and never gets a socket', async () => {
    const store = await openStore();
    const { ctx, runId, index } = finishedRun(100);
    const rooms = new Map([
      [`default/run/${runId}`, ctx.runDoc(runId)],
      [`default/run/${runId}/metrics`, ctx.metricsDoc(runId)],
    ]);
    const { fetched, fetchImpl } = httpRelay(rooms, index);
    const settings = { relayUrl: 'http://127.0.0.1:9', token: 'tok' };
    const host = await openHost(store, settings, { fetch: fetchImpl, runDocs: { idleCloseMs: 5 }, WebSocketPolyfill: WebSocket });
    await host.runs.rows('1'); // the index says the run finished
    const h = host.acquireMetrics(runId);
    await h.loaded;
    expect(await h.whenSynced(5_000)).toBe(true);
    expect(metricChunks(h.doc).length).toBeGreaterThan(0);
    expect(host.engine.modeOf(`default/run/${runId}/metrics`)).toBe('snapshot');
    expect(host.engine.liveCount()).toBe(0);
    expect(fetched).toContain(`/docs/default/run/${runId}/metrics?sv=AA Bearer tok`);
    await host.whenPersisted();
    h.release();
    await waitUntil(() => host.engine.openCount() === 0);
    expect(await store.countUpdates(metricsDocName('default', runId))).toBeGreaterThan(0);
    // Opened again: the points come from IndexedDB at once; the fetch asks only for what is missing.
    const h2 = host.acquireMetrics(runId);
    await h2.loaded;
    expect(metricChunks(h2.doc).length).toBeGreaterThan(0);
    await h2.whenSynced(5_000);
    expect(fetched.filter((f) => f.includes('/metrics?sv=')).at(-1)).not.toContain('sv=AA ');
    h2.release();
  });

  it('[SYNC-R2] never more live sockets than the limit; the rest poll, and a freed slot promotes one', async () => {
    const store = await openStore();
    const ids = ['a', 'b', 'c'].map((c) => c.repeat(32));
    const host = await openHost(
      store,
      { relayUrl: 'http://127.0.0.1:9' }, // nothing listens: sockets keep retrying, which is fine here
      { runDocs: { maxLiveSockets: 2, idleCloseMs: 5, pollMs: 60_000 }, WebSocketPolyfill: WebSocket },
    );
    const handles = ids.map((id) => host.acquireRun(id));
    await Promise.all(handles.map((h) => h.loaded));
    await new Promise((r) => setTimeout(r, 10));
    expect(ids.map((id) => host.engine.modeOf(`default/run/${id}`))).toEqual(['live', 'live', 'poll']);
    handles[0]!.release();
    await waitUntil(() => host.engine.modeOf(`default/run/${ids[2]}`) === 'live');
    expect(host.engine.liveCount()).toBe(2);
    handles[1]!.release();
    handles[2]!.release();
    await waitUntil(() => host.engine.openCount() === 0);
  });

  it('[SYNC-R3] a doc released and re-acquired within the grace period stays open (same Y.Doc)', async () => {
    const host = await openHost(await openStore(), {}, { runDocs: { idleCloseMs: 200 } });
    const run = await host.startRun({});
    const a = host.acquireRun(run.runId);
    a.release();
    const b = host.acquireRun(run.runId);
    expect(b.doc).toBe(a.doc);
    expect(host.engine.modeOf(`default/run/${run.runId}`)).toBe('local');
    b.release();
  });
});

/** A format-1 workspace as the previous app stored it: runs nested in the workspace doc, chunks in run docs. */
function format1Store(runIds: string[]) {
  const ws = new Y.Doc();
  ws.getMap('meta').set('formatVersion', 1);
  const exp = ws.getMap('exp');
  exp.set('0\u0001name', 'Default');
  exp.set('0\u0001lifecycle', 'active');
  const runs = ws.getMap('runs');
  const chunks = new Map<string, Uint8Array>();
  runIds.forEach((id, i) => {
    const r = new Y.Map<unknown>();
    runs.set(id, r);
    for (const [k, v] of Object.entries({ experimentId: '0', name: `old-${i}`, userId: 'u', status: 'FINISHED', startTime: 1000 + i, endTime: 2000, lifecycle: 'active', deletedTime: null })) r.set(k, v);
    const params = new Y.Array<unknown>();
    r.set('params', params);
    params.push([{ key: 'lr', value: '0.1', actor: 'x', at: 1 }, { key: 'lr', value: '0.2', actor: 'y', at: 2 }]);
    const tags = new Y.Map<unknown>();
    r.set('tags', tags);
    tags.set('mlflow.runName', `old-${i}`);
    const metrics = new Y.Map<unknown>();
    r.set('metrics', metrics);
    metrics.set('loss\u0001x', { latest: 0.5, latestStep: 9, latestTimestamp: 1009, min: 0.5, max: 1, count: 10 });
    r.set('artifacts', new Y.Map());
    const runDoc = new Y.Doc();
    runDoc.getMap('meta').set('formatVersion', 1);
    runDoc.getMap('meta').set('runId', id);
    runDoc.getArray('chunks').push([encodeChunk('loss', Array.from({ length: 10 }, (_, s) => s), Array.from({ length: 10 }, (_, s) => 1000 + s), Array.from({ length: 10 }, (_, s) => 1 / (s + 1)), 0, 10)]);
    chunks.set(id, Y.encodeStateAsUpdate(runDoc));
  });
  return { ws: Y.encodeStateAsUpdate(ws), chunks };
}

describe('format 1 → 2 of this browser\'s store', () => {
  it('[SYNC-U1] runs move into run docs, points into metrics docs, the workspace doc drops them; nothing is lost; once', async () => {
    const store = await openStore();
    const ids = ['1'.repeat(32), '2'.repeat(32)];
    const f1 = format1Store(ids);
    await store.appendUpdate(workspaceDocName('default'), f1.ws);
    for (const [id, u] of f1.chunks) await store.appendUpdate(runDocName('default', id), u);
    const host = await openHost(store);
    expect(host.ws.getMap('runs').size).toBe(0);
    expect(await store.getSetting(formatKey('default'))).toBe(2);
    for (const [i, id] of ids.entries()) {
      const run = await host.getRun(id);
      expect(run?.info).toMatchObject({ runName: `old-${i}`, status: 'FINISHED', startTime: 1000 + i });
      expect(run?.params).toEqual({ lr: '0.1' });
      expect(run?.conflicts.map((c) => c.rejectedValue)).toEqual(['0.2']);
      expect(run?.metrics.loss).toMatchObject({ latest: 0.5, count: 10 });
      const m = host.acquireMetrics(id);
      await m.loaded;
      expect(metricChunks(m.doc).length).toBe(1);
      m.release();
    }
    // Local-only: every converted run is this replica's to push, so each is marked dirty.
    expect([...(await host.engine.dirtyNames())].filter((n) => n.endsWith(ids[0]!))).toEqual([`default/run/${ids[0]}`]);
    expect((await host.runs.rows('0')).map((r) => r.runName).sort()).toEqual(['old-0', 'old-1']);
    const rows = await store.countUpdates(runDocName('default', ids[0]!));
    await host.destroy();
    await openHost(store);
    expect(await store.countUpdates(runDocName('default', ids[0]!))).toBe(rows);
  });
});

describe('settings', () => {
  const configFetch = (body: unknown, status = 200): FetchLike => async () => new Response(JSON.stringify(body), { status });

  it('[SYNC-S1] uses /cairn-config.json when nothing is saved, local-only when it is absent', async () => {
    const store = await openStore();
    const s = await resolveSettings(store, 'http://app.test', configFetch({ relay: 'http://relay.test:8080', workspace: 'team' }));
    expect(s).toMatchObject({ relayUrl: 'http://relay.test:8080', workspace: 'team', relaySource: 'app-config', token: null });
    const none = await resolveSettings(store, 'http://app.test', noFetch);
    expect(none).toMatchObject({ relayUrl: null, workspace: 'default', relaySource: 'none' });
    expect(none.actor).toBe(s.actor); // generated once, kept
    expect(none.userName).toMatch(/^guest-/);
  });

  it('[SYNC-S2] saved settings win over the app config, and a saved null relay means local-only', async () => {
    const store = await openStore();
    await saveSettings(store, { relayUrl: '', workspace: 'mine', userName: ' Ada ' });
    const s = await resolveSettings(store, 'http://app.test', configFetch({ relay: 'http://relay.test', workspace: 'team' }));
    expect(s).toMatchObject({ relayUrl: null, workspace: 'mine', userName: 'Ada', relaySource: 'none' });
  });

  it('[SYNC-S3] refuses a bad relay URL or workspace with INVALID_PARAMETER_VALUE', async () => {
    const store = await openStore();
    await expect(saveSettings(store, { relayUrl: 'ftp://x' })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(saveSettings(store, { workspace: 'no spaces' })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    // A malformed app config is ignored, not trusted.
    const s = await resolveSettings(store, 'http://app.test', configFetch({ relay: 'javascript:alert(1)', workspace: '../x' }));
    expect(s).toMatchObject({ relayUrl: null, workspace: 'default' });
  });
});

describe('status and presence', () => {
  const conn = (state: 'connecting' | 'syncing' | 'synced' | 'error', extra: { error?: CairnError; readOnly?: boolean } = {}) => ({
    state,
    error: extra.error ?? null,
    readOnly: extra.readOnly ?? false,
  });

  it('[SYNC-ST1] derives offline, error with detail, read-only, and passes connection states through', () => {
    const base = { relay: 'http://r', workspace: 'w', online: true };
    expect(deriveStatus({ ...base, relay: null, conn: null }).state).toBe('offline');
    expect(deriveStatus({ ...base, online: false, conn: conn('connecting') })).toMatchObject({ state: 'offline', detail: 'the network is down' });
    expect(deriveStatus({ ...base, conn: conn('error', { error: new CairnError('UNAUTHENTICATED', 'unknown token') }) })).toMatchObject({
      state: 'error',
      detail: 'unauthenticated: unknown token',
    });
    expect(deriveStatus({ ...base, conn: conn('synced', { readOnly: true }) })).toMatchObject({ state: 'synced', readOnly: true });
    for (const s of ['connecting', 'syncing', 'synced'] as const) expect(deriveStatus({ ...base, conn: conn(s) }).state).toBe(s);
  });

  it('[SYNC-PR1] lists other clients only, with validated names and colors', () => {
    const a = new Awareness(new Y.Doc());
    a.setLocalStateField('user', { name: 'me', color: '#000' });
    a.states.set(11, { user: { name: 'zoe', color: 'red; background:url(x)' } });
    a.states.set(12, { user: { name: 'bob', color: '#123456' } });
    a.states.set(13, { cursor: 1 });
    a.states.set(14, { user: { name: 'x'.repeat(500) } });
    const peers = peersOf(a);
    expect(peers.map((p) => p.name.length > 64)).not.toContain(true);
    expect(peers.slice(0, 2)).toEqual([
      { clientId: 12, name: 'bob', color: '#123456' },
      { clientId: 14, name: 'x'.repeat(64), color: '#6b7280' },
    ]);
    expect(peers[2]).toEqual({ clientId: 11, name: 'zoe', color: '#6b7280' });
    a.destroy();
  });
});

async function waitUntil(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { appendMetrics, createExperiment, ensureWorkspace, listExperiments, startRun, updateRun, wsRuns, type Ctx } from '@/lib/doc';
import { CairnError } from '@/lib/domain';
import { LocalStore } from '@/lib/store';
import {
  DocHost,
  DocPersistence,
  deriveStatus,
  peersOf,
  resolveSettings,
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
    const changes: { experiments: boolean; runIds: string[]; status: string[] }[] = [];
    host.onWorkspaceChange((c) => changes.push({ experiments: c.experiments, runIds: [...c.runIds], status: [...c.statusRunIds] }));
    const run = await host.command((c) => startRun(c, {}));
    await host.command((c) => updateRun(c, { runId: run.runId, status: 'FINISHED' }));
    await host.command((c) => createExperiment(c, { name: 'x' }));
    expect(changes[0]).toMatchObject({ runIds: [run.runId] });
    expect(changes[1]).toMatchObject({ runIds: [run.runId], status: [run.runId] });
    expect(changes.at(-1)!.experiments).toBe(true);
  });

  it('[SYNC-H6] refuses commands once the database was upgraded by another tab', async () => {
    const store = await openStore();
    const host = await openHost(store);
    (store as unknown as { markClosed(r: string): void }).markClosed('newer-schema-elsewhere');
    await expect(host.command((c) => createExperiment(c, { name: 'late' }))).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(listExperiments(host.ws).map((e) => e.name)).not.toContain('late');
  });
});

/** A finished run with `points` metric points, written straight into the store as a relay snapshot would be. */
function finishedRun(points: number) {
  const ws = new Y.Doc();
  const ctx: Ctx = { ws, actor: 'sdk' };
  createExperiment(ctx, { name: 'e', experimentId: '1' });
  const run = startRun(ctx, { experimentId: '1' });
  const runDoc = new Y.Doc();
  appendMetrics(ctx, runDoc, run.runId, Array.from({ length: points }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), step: i, timestamp: 1000 + i })));
  updateRun(ctx, { runId: run.runId, status: 'FINISHED', endTime: 5000 });
  return { ws, runDoc, runId: run.runId };
}

describe('Run docs', () => {
  it('[SYNC-R1] a finished run is fetched once over HTTP, stored, and not fetched again; no socket', async () => {
    const store = await openStore();
    const { ws, runDoc, runId } = finishedRun(100);
    await store.appendUpdate(workspaceDocName('default'), Y.encodeStateAsUpdate(ws));
    const fetched: string[] = [];
    const fetchImpl: FetchLike = async (url, init) => {
      fetched.push(`${url} ${(init?.headers as Record<string, string>)?.authorization ?? ''}`);
      return new Response(Y.encodeStateAsUpdate(runDoc) as Uint8Array<ArrayBuffer>);
    };
    const settings = { relayUrl: 'http://127.0.0.1:9', token: 'tok' };
    const host = await openHost(store, settings, { fetch: fetchImpl, runDocs: { idleCloseMs: 5 }, WebSocketPolyfill: WebSocket });
    const h = host.acquireRun(runId);
    await h.loaded;
    await waitUntil(() => h.doc.getArray('chunks').length > 0);
    expect(host.runs.modeOf(runId)).toBe('snapshot');
    expect(host.runs.liveCount()).toBe(0);
    expect(fetched).toEqual([`http://127.0.0.1:9/docs/default/run/${runId}?sv=AA Bearer tok`]);
    await host.runs.whenPersisted();
    h.release();
    await waitUntil(() => host.runs.openCount() === 0);
    expect(await store.countUpdates(runDocName('default', runId))).toBeGreaterThan(0);
    // Opened again: served from IndexedDB, no second fetch.
    const h2 = host.acquireRun(runId);
    await h2.loaded;
    expect(h2.doc.getArray('chunks').length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(fetched).toHaveLength(1);
    h2.release();
  });

  it('[SYNC-R2] never more live run sockets than the limit; the rest poll, and a freed slot promotes one', async () => {
    const store = await openStore();
    const ws = new Y.Doc();
    const ctx: Ctx = { ws, actor: 'sdk' };
    ensureWorkspace(ctx);
    const ids = [0, 1, 2].map(() => startRun(ctx, {}).runId);
    await store.appendUpdate(workspaceDocName('default'), Y.encodeStateAsUpdate(ws));
    const host = await openHost(
      store,
      { relayUrl: 'http://127.0.0.1:9' }, // nothing listens: sockets keep retrying, which is fine here
      { runDocs: { maxLiveSockets: 2, idleCloseMs: 5, pollMs: 60_000 }, WebSocketPolyfill: WebSocket },
    );
    const handles = ids.map((id) => host.acquireRun(id));
    await Promise.all(handles.map((h) => h.loaded));
    expect(ids.map((id) => host.runs.modeOf(id))).toEqual(['live', 'live', 'poll']);
    handles[0]!.release();
    await waitUntil(() => host.runs.modeOf(ids[2]!) === 'live');
    expect(host.runs.liveCount()).toBe(2);
    handles[1]!.release();
    handles[2]!.release();
    await waitUntil(() => host.runs.openCount() === 0);
  });

  it('[SYNC-R3] a doc released and re-acquired within the grace period stays open (same Y.Doc)', async () => {
    const host = await openHost(await openStore(), {}, { runDocs: { idleCloseMs: 200 } });
    const run = await host.command((c) => startRun(c, {}));
    const a = host.acquireRun(run.runId);
    a.release();
    const b = host.acquireRun(run.runId);
    expect(b.doc).toBe(a.doc);
    expect(host.runs.modeOf(run.runId)).toBe('local');
    b.release();
    expect(wsRuns(host.ws).has(run.runId)).toBe(true);
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

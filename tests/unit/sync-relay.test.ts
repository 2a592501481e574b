import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { appendMetrics, createExperiment, listExperiments, memoryCtx, metricChunks, setTag, startRun, updateRun } from '@/lib/doc';
import { RoomConnection, metricsRoom, runRoom } from '@/lib/relay-client';
import { LocalStore } from '@/lib/store';
import { DocHost, type EffectiveSettings, type FetchLike } from '@/lib/sync';
import { openRelayDatabase } from '@/server/relay/database';
import { TokenStore } from '@/server/relay/token-store';
import { startTestRelay, type TestRelay } from '../relay/helpers/in-process';
import { waitFor } from '../relay/helpers/wait';
import { FIXTURE_EXPERIMENT, fixtureIds, format1Container, format1Fixture } from '../shared/format1-unit';
import { workspaceDocName } from '@/lib/sync';

/** Real relay on a loopback port, real sockets, DocHosts on fake-indexeddb: the browser data layer end to end. */

let n = 0;
const openStore = () => LocalStore.open({ name: `cairn-sync-relay-${process.pid}-${++n}`, mergeUpdates: Y.mergeUpdates });
const realFetch: FetchLike = (url, init) => fetch(url, init);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function host(relay: string, over: Partial<EffectiveSettings> = {}, given?: LocalStore, extra: Partial<Parameters<typeof DocHost.open>[0]> = {}) {
  const store = given ?? (await openStore());
  const settings: EffectiveSettings = {
    relayUrl: relay,
    workspace: 'team',
    token: null,
    userName: `user-${n}`,
    actor: `actor-${n}`,
    relaySource: 'saved',
    ...over,
  };
  const h = await DocHost.open({ store, settings, fetch: realFetch, WebSocketPolyfill: WebSocket, ...extra });
  cleanups.push(async () => {
    await h.destroy();
    if (!given) store.close();
  });
  return h;
}

/** An SDK-like writer: its own workspace replica, run docs and metrics docs, each live on the relay. */
function writer(relay: string, workspace: string) {
  const ctx = memoryCtx(new Y.Doc(), 'sdk');
  const wsConn = new RoomConnection(ctx.ws, { relay, room: workspace, WebSocketPolyfill: WebSocket });
  const conns = [wsConn];
  cleanups.push(() => conns.forEach((c) => c.destroy()));
  return {
    ctx,
    wsConn,
    /** Connects the run doc and the metrics doc of a run this writer holds. */
    connectRun(runId: string) {
      const run = new RoomConnection(ctx.runDoc(runId), { relay, room: runRoom(workspace, runId), WebSocketPolyfill: WebSocket });
      const metrics = new RoomConnection(ctx.metricsDoc(runId), { relay, room: metricsRoom(workspace, runId), WebSocketPolyfill: WebSocket });
      conns.push(run, metrics);
      return { flush: () => Promise.all([wsConn.flush(), run.flush(), metrics.flush()]) };
    },
  };
}

describe('DocHost against a real relay (open auth)', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay({ storage: 'memory' });
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[SYNC-RT1] two browsers converge through the relay, reach synced, and see each other present', async () => {
    const a = await host(relay.url);
    const b = await host(relay.url);
    await waitFor(() => a.status().state === 'synced' && b.status().state === 'synced', 'both synced');
    const id = await a.command((c) => createExperiment(c, { name: 'shared' }));
    await a.flushToRelay();
    await waitFor(() => listExperiments(b.ws).some((e) => e.experimentId === id), 'B sees A’s experiment');
    await waitFor(() => b.peers().some((p) => p.name === a.settings.userName), 'B sees A present');
    expect(b.peers().map((p) => p.name)).not.toContain(b.settings.userName);
    // Only one Default experiment after two fresh replicas both ran ensureWorkspace.
    expect(listExperiments(b.ws).filter((e) => e.name === 'Default')).toHaveLength(1);
  });

  it('[SYNC-RT2] a running run streams live over its socket; a finished run arrives as HTTP snapshots; the index lists it', async () => {
    const w = writer(relay.url, 'team');
    await waitFor(() => w.wsConn.state === 'synced', 'writer synced');
    const run = startRun(w.ctx, {});
    const link = w.connectRun(run.runId);
    appendMetrics(w.ctx, w.ctx.metricsDoc(run.runId), run.runId, [{ key: 'loss', value: 1, step: 0, timestamp: 1 }]);
    await link.flush();

    const viewer = await host(relay.url);
    await waitFor(() => viewer.status().state === 'synced', 'viewer synced');
    await waitFor(async () => (await viewer.runs.rows('0')).some((r) => r.runId === run.runId), 'the index lists the run');
    const h = viewer.acquireMetrics(run.runId);
    await h.loaded;
    await waitFor(() => viewer.engine.modeOf(metricsRoom('team', run.runId)) === 'live', 'a live metrics doc');
    await waitFor(() => metricChunks(h.doc).length === 1, 'first chunk');
    appendMetrics(w.ctx, w.ctx.metricsDoc(run.runId), run.runId, [{ key: 'loss', value: 0.5, step: 1, timestamp: 2 }]);
    await waitFor(() => metricChunks(h.doc).length === 2, 'live chunk');
    h.release();

    updateRun(w.ctx, { runId: run.runId, status: 'FINISHED', endTime: 3 });
    await link.flush();
    const late = await host(relay.url);
    await waitFor(async () => (await late.runs.rows('0')).find((r) => r.runId === run.runId)?.status === 'FINISHED', 'finished seen in the index');
    const h2 = late.acquireMetrics(run.runId);
    await h2.loaded;
    await waitFor(() => late.engine.modeOf(metricsRoom('team', run.runId)) === 'snapshot', 'a snapshot metrics doc');
    await waitFor(() => metricChunks(h2.doc).length === 2, 'snapshot chunks');
    expect(late.engine.liveCount()).toBe(0);
    h2.release();
  });

  it('[SYNC-RT6] a run started here while the relay is away shows at once, and reaches the relay when it is back', async () => {
    const store = await openStore();
    const away = await host('http://127.0.0.1:1', {}, store);
    const run = await away.startRun({ runName: 'made-offline' });
    await away.runCommand(run.runId, (c) => setTag(c, { runId: run.runId, key: 'where', value: 'plane' }));
    expect((await away.runs.rows('0')).map((r) => r.runName)).toContain('made-offline');
    await away.destroy();
    // Back: the same local replica on the real relay pushes the run doc by itself; a fresh peer sees it in the index.
    const back = await host(relay.url, {}, store);
    expect((await back.runs.rows('0')).map((r) => r.runName)).toContain('made-offline');
    const peer = await host(relay.url);
    await waitFor(async () => {
      await peer.runs.refresh('0').catch(() => false);
      return (await peer.runs.rows('0')).some((r) => r.runId === run.runId && r.tags.where === 'plane');
    }, 'peer sees the offline run');
    await waitFor(async () => !(await back.engine.dirtyNames()).has(runRoom('team', run.runId)), 'pushed and marked clean');
    expect((await peer.getRun(run.runId))?.info.runName).toBe('made-offline');
  });

  it('[SYNC-U2] a format-1 store with offline edits waits for the relay, then pushes only what is ahead onto the relay\'s runs', async () => {
    // What the relay had from this replica before it upgraded: a format-1 workspace (a client syncs it; the relay
    // converts it into run docs, RELAY-38).
    const old = format1Fixture(7001);
    const before = Y.encodeStateAsUpdate(old);
    const seed = new RoomConnection(old, { relay: relay.url, room: 'legacy', WebSocketPolyfill: WebSocket });
    cleanups.push(() => seed.destroy());
    await seed.flush();
    seed.destroy();
    const peer = await host(relay.url, { workspace: 'legacy' });
    await waitFor(async () => (await peer.runs.rows(FIXTURE_EXPERIMENT).catch(() => [])).some((r) => r.runId === fixtureIds.plain), 'relay converted');
    // Meanwhile on the relay (format 2): someone renamed `conflict`.
    await peer.runCommand(fixtureIds.conflict, (c) => updateRun(c, { runId: fixtureIds.conflict, runName: 'renamed-on-relay' }));
    await peer.flushToRelay();

    // This device: the same format-1 state, then offline edits the relay never saw.
    const local = new Y.Doc();
    Y.applyUpdate(local, before);
    format1Container<Y.Map<unknown>>(local, fixtureIds.plain, 'tags').set('offline', 'yes');
    format1Container<Y.Map<unknown>>(local, fixtureIds.twoWriters, 'tags').delete('stage');
    const store = await openStore();
    await store.appendUpdate(workspaceDocName('legacy'), Y.encodeStateAsUpdate(local));

    // The relay cannot be asked at first: nothing is converted, the workspace stays off the network.
    let down = true;
    const flaky: FetchLike = (url, init) => (down ? Promise.reject(new TypeError('fetch failed')) : realFetch(url, init));
    const h = await host(relay.url, { workspace: 'legacy' }, store, { fetch: flaky, runDocs: { upgradeRetryMs: 50 } });
    expect(h.status()).toMatchObject({ state: 'connecting', detail: expect.stringMatching(/older Cairn/) });
    expect(h.ws.getMap('runs').size).toBeGreaterThan(0);
    down = false;
    await waitFor(() => h.status().state === 'synced', 'upgraded and synced');
    expect(h.ws.getMap('runs').size).toBe(0);
    await waitFor(async () => (await h.engine.dirtyNames()).size === 0, 'pushed');
    const seen = async (id: string) => {
      const hd = peer.acquireRun(id, 'live');
      await hd.whenSynced(5_000);
      await new Promise((r) => setTimeout(r, 50));
      const run = await peer.getRun(id);
      hd.release();
      return run;
    };
    await waitFor(async () => (await seen(fixtureIds.plain))?.tags.offline === 'yes', 'the offline tag reached the relay');
    expect((await seen(fixtureIds.twoWriters))?.tags.stage).toBeUndefined();
    // Not edited here: the relay's newer name stands.
    expect((await seen(fixtureIds.conflict))?.info.runName).toBe('renamed-on-relay');
  });

  it('[SYNC-H8] a fresh replica writes nothing into a workspace the relay already has; offline it writes the Default experiment itself', async () => {
    const first = await host(relay.url, { workspace: 'h8' });
    await waitFor(() => first.status().state === 'synced', 'first synced');
    await waitFor(() => listExperiments(first.ws).some((e) => e.name === 'Default'), 'Default written by the first replica');
    await first.flushToRelay();
    const fresh = await host(relay.url, { workspace: 'h8' });
    await waitFor(() => fresh.status().state === 'synced', 'fresh synced');
    await waitFor(() => listExperiments(fresh.ws).some((e) => e.name === 'Default'), 'Default from the relay');
    await new Promise((r) => setTimeout(r, 50));
    expect(fresh.ws.store.clients.has(fresh.ws.clientID)).toBe(false);
    const away = await host('http://127.0.0.1:1', { workspace: 'h8' }, undefined, { runDocs: { ensureOfflineMs: 50 } });
    await waitFor(() => listExperiments(away.ws).some((e) => e.name === 'Default'), 'Default written offline');
  });

  it('[SYNC-RT3] an edit made while the relay was unreachable syncs when the same local replica connects', async () => {
    const store = await openStore();
    const away = await host('http://127.0.0.1:1', {}, store); // nothing listens there: stays connecting
    const id = await away.command((c) => createExperiment(c, { name: 'made-offline' }));
    expect(away.status().state).toBe('connecting');
    await away.destroy();
    // Settings changed to the real relay: a new host on the same IndexedDB.
    const back = await host(relay.url, {}, store);
    const peer = await host(relay.url);
    await waitFor(() => back.status().state === 'synced', 'back synced');
    await waitFor(() => listExperiments(peer.ws).some((e) => e.experimentId === id), 'peer sees the offline edit');
  });
});

describe('DocHost against a relay with tokens', () => {
  let relay: TestRelay;
  let readToken: string;
  let writeToken: string;
  beforeAll(async () => {
    relay = await startTestRelay({ auth: 'tokens', storage: 'memory' });
    const db = openRelayDatabase(relay.dataDir);
    const tokens = new TokenStore(db);
    readToken = tokens.create('team', 'read').token;
    writeToken = tokens.create('team', 'write').token;
    db.close();
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[SYNC-RT4] an unknown token ends in error with an "unauthenticated" detail and no reconnect loop', async () => {
    const h = await host(relay.url, { token: 'nope' });
    await waitFor(() => h.status().state === 'error', 'error state');
    expect(h.status().detail).toMatch(/^unauthenticated: /);
  });

  it('[SYNC-RT5] a read token syncs read-only; a write token syncs normally', async () => {
    const w = await host(relay.url, { token: writeToken });
    await waitFor(() => w.status().state === 'synced', 'writer synced');
    const id = await w.command((c) => createExperiment(c, { name: 'from-writer' }));
    await w.flushToRelay();
    const r = await host(relay.url, { token: readToken });
    await waitFor(() => r.status().readOnly === true, 'read-only flag');
    await waitFor(() => listExperiments(r.ws).some((e) => e.experimentId === id), 'reader sees data');
  });
});

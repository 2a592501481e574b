import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { appendMetrics, createExperiment, listExperiments, runChunks, startRun, updateRun, type Ctx } from '@/lib/doc';
import { RoomConnection, runRoom } from '@/lib/relay-client';
import { LocalStore } from '@/lib/store';
import { DocHost, type EffectiveSettings, type FetchLike } from '@/lib/sync';
import { openRelayDatabase } from '@/server/relay/database';
import { TokenStore } from '@/server/relay/token-store';
import { startTestRelay, type TestRelay } from '../relay/helpers/in-process';
import { waitFor } from '../relay/helpers/wait';

/** Real relay on a loopback port, real sockets, DocHosts on fake-indexeddb: the browser data layer end to end. */

let n = 0;
const openStore = () => LocalStore.open({ name: `cairn-sync-relay-${process.pid}-${++n}`, mergeUpdates: Y.mergeUpdates });
const realFetch: FetchLike = (url, init) => fetch(url, init);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function host(relay: string, over: Partial<EffectiveSettings> = {}, given?: LocalStore) {
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
  const h = await DocHost.open({ store, settings, fetch: realFetch, WebSocketPolyfill: WebSocket });
  cleanups.push(async () => {
    await h.destroy();
    if (!given) store.close();
  });
  return h;
}

/** An SDK-like writer: its own workspace replica and run doc, live on the relay. */
function writer(relay: string, workspace: string) {
  const ws = new Y.Doc();
  const ctx: Ctx = { ws, actor: 'sdk' };
  const wsConn = new RoomConnection(ws, { relay, room: workspace, WebSocketPolyfill: WebSocket });
  const conns = [wsConn];
  cleanups.push(() => conns.forEach((c) => c.destroy()));
  return {
    ctx,
    wsConn,
    runDoc(runId: string) {
      const d = new Y.Doc();
      const c = new RoomConnection(d, { relay, room: runRoom(workspace, runId), WebSocketPolyfill: WebSocket });
      conns.push(c);
      return { doc: d, conn: c };
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

  it('[SYNC-RT2] a running run streams live over its socket; a finished run arrives as one HTTP snapshot', async () => {
    const w = writer(relay.url, 'team');
    await waitFor(() => w.wsConn.state === 'synced', 'writer synced');
    const run = startRun(w.ctx, {});
    const rd = w.runDoc(run.runId);
    appendMetrics(w.ctx, rd.doc, run.runId, [{ key: 'loss', value: 1, step: 0, timestamp: 1 }]);
    await w.wsConn.flush();
    await rd.conn.flush();

    const viewer = await host(relay.url);
    await waitFor(() => viewer.status().state === 'synced', 'viewer synced');
    await waitFor(() => viewer.ws.getMap('runs').has(run.runId), 'viewer knows the run');
    const h = viewer.acquireRun(run.runId);
    await h.loaded;
    expect(viewer.runs.modeOf(run.runId)).toBe('live');
    await waitFor(() => runChunks(h.doc).length === 1, 'first chunk');
    appendMetrics(w.ctx, rd.doc, run.runId, [{ key: 'loss', value: 0.5, step: 1, timestamp: 2 }]);
    await waitFor(() => runChunks(h.doc).length === 2, 'live chunk');
    h.release();

    updateRun(w.ctx, { runId: run.runId, status: 'FINISHED', endTime: 3 });
    await w.wsConn.flush();
    await rd.conn.flush();
    const late = await host(relay.url);
    await waitFor(() => late.ws.getMap('runs').has(run.runId) && late.status().state === 'synced', 'late viewer synced');
    await waitFor(() => (late.ws.getMap('runs').get(run.runId) as Y.Map<unknown>).get('status') === 'FINISHED', 'finished seen');
    const h2 = late.acquireRun(run.runId);
    await h2.loaded;
    expect(late.runs.modeOf(run.runId)).toBe('snapshot');
    await waitFor(() => runChunks(h2.doc).length === 2, 'snapshot chunks');
    expect(late.runs.liveCount()).toBe(0);
    h2.release();
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

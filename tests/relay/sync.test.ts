import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectClient, frameType, rawClient, waitSynced } from './helpers/clients';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { waitFor } from './helpers/wait';

const RUN_ID = '0123456789abcdef0123456789abcdef';

describe('relay sync protocol', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[RELAY-2] two stock providers converge through the relay, both directions', async () => {
    const a = connectClient(relay.url, 'ws-sync');
    const b = connectClient(relay.url, 'ws-sync');
    try {
      await Promise.all([waitSynced(a), waitSynced(b)]);
      a.doc.getMap('m').set('from-a', 1);
      b.doc.getMap('m').set('from-b', 2);
      await waitFor(() => b.doc.getMap('m').get('from-a') === 1, 'a → b');
      await waitFor(() => a.doc.getMap('m').get('from-b') === 2, 'b → a');
      expect(a.doc.getMap('m').toJSON()).toEqual(b.doc.getMap('m').toJSON());
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('[RELAY-2] a late joiner receives existing state on connect', async () => {
    const a = connectClient(relay.url, 'ws-late');
    try {
      await waitSynced(a);
      a.doc.getArray<string>('log').push(['one', 'two']);
      expect(await a.flush()).toBe(0);
    } finally {
      a.destroy();
    }
    const late = connectClient(relay.url, 'ws-late');
    try {
      await waitSynced(late);
      await waitFor(() => late.doc.getArray('log').length === 2, 'state for late joiner');
      expect(late.doc.getArray('log').toArray()).toEqual(['one', 'two']);
    } finally {
      late.destroy();
    }
  });

  it('[RELAY-1] [RELAY-32] run and metrics rooms sync independently of their workspace room and of each other', async () => {
    const ws = connectClient(relay.url, 'ws-rooms');
    const run = connectClient(relay.url, `ws-rooms/run/${RUN_ID}`);
    const run2 = connectClient(relay.url, `ws-rooms/run/${RUN_ID}`);
    const metrics = connectClient(relay.url, `ws-rooms/run/${RUN_ID}/metrics`);
    const metrics2 = connectClient(relay.url, `ws-rooms/run/${RUN_ID}/metrics`);
    try {
      await Promise.all([waitSynced(ws), waitSynced(run), waitSynced(run2), waitSynced(metrics), waitSynced(metrics2)]);
      run.doc.getMap('m').set('k', 'run');
      metrics.doc.getMap('m').set('k', 'metrics');
      await waitFor(() => run2.doc.getMap('m').get('k') === 'run', 'run room sync');
      await waitFor(() => metrics2.doc.getMap('m').get('k') === 'metrics', 'metrics room sync');
      expect(ws.doc.getMap('m').get('k')).toBeUndefined();
      expect(run2.doc.getMap('m').get('k')).toBe('run');
    } finally {
      for (const c of [ws, run, run2, metrics, metrics2]) c.destroy();
    }
  });

  it('[RELAY-1] an invalid room name is closed with 4400 and a reason', async () => {
    for (const room of ['bad%20name', 'ws/other/x', `ws/run/${'x'.repeat(300)}`, '-leading-dash', `ws/run/${RUN_ID}/points`, `ws/run/${RUN_ID}/metrics/x`]) {
      const c = rawClient(relay.url, room);
      const closed = await c.closed;
      expect(closed.code, room).toBe(4400);
      expect(closed.reason, room).toMatch(/invalid room/);
      expect(c.frames, room).toHaveLength(0);
    }
  });

  it('[RELAY-2] on connect the relay sends sync step 1, and answers step 1 with step 2', async () => {
    const c = rawClient(relay.url, 'ws-raw');
    try {
      await c.opened;
      await waitFor(() => c.frames.length >= 1, 'first frame');
      const d = decoding.createDecoder(c.frames[0]!);
      expect(decoding.readVarUint(d)).toBe(0);
      expect(decoding.readVarUint(d)).toBe(0);
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()));
      c.ws.send(encoding.toUint8Array(e));
      await waitFor(() => c.frames.some((f) => f[0] === 0 && f[1] === 1), 'sync step 2 reply');
    } finally {
      c.ws.close();
    }
  });

  it('[RELAY-3] awareness is relayed to the other connections and removed when a peer leaves', async () => {
    const a = connectClient(relay.url, 'ws-aw');
    const b = connectClient(relay.url, 'ws-aw');
    try {
      await Promise.all([waitSynced(a), waitSynced(b)]);
      a.provider.awareness.setLocalStateField('user', { name: 'ada' });
      await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === 'ada', 'awareness a → b');
      // A third peer gets the current states on connect, without anyone re-announcing.
      const c = rawClient(relay.url, 'ws-aw');
      try {
        await waitFor(() => c.frames.some((f) => frameType(f) === 1), 'awareness on connect');
        // Query awareness (3) is answered with the full state.
        const before = c.frames.length;
        c.ws.send(new Uint8Array([3]));
        await waitFor(() => c.frames.slice(before).some((f) => frameType(f) === 1), 'awareness query reply');
      } finally {
        c.ws.close();
      }
      a.destroy();
      await waitFor(() => !b.provider.awareness.getStates().has(a.doc.clientID), 'awareness removed after a leaves');
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('[RELAY-5] a flush ack is status 0 and the update is in GET /docs when it arrives', async () => {
    const a = connectClient(relay.url, 'ws-flush');
    try {
      await waitSynced(a);
      a.doc.getText('t').insert(0, 'durable');
      expect(await a.flush()).toBe(0);
      const res = await fetch(`${relay.url}/docs/ws-flush`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      const doc = new Y.Doc();
      Y.applyUpdate(doc, new Uint8Array(await res.arrayBuffer()));
      expect(doc.getText('t').toString()).toBe('durable');
    } finally {
      a.destroy();
    }
  });

  it('[RELAY-16] GET /docs of a never-written room is an empty doc update', async () => {
    const res = await fetch(`${relay.url}/docs/ws-empty/run/${RUN_ID}`);
    expect(res.status).toBe(200);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body).toEqual(Y.encodeStateAsUpdate(new Y.Doc()));
    const bad = await fetch(`${relay.url}/docs/ws-empty/nope`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('[RELAY-16] GET /docs?sv= returns only what that state vector lacks', async () => {
    const a = connectClient(relay.url, 'ws-diff');
    try {
      await waitSynced(a);
      a.doc.getArray<number>('xs').push([1, 2, 3]);
      expect(await a.flush()).toBe(0);
      const mine = new Y.Doc();
      Y.applyUpdate(mine, new Uint8Array(await (await fetch(`${relay.url}/docs/ws-diff`)).arrayBuffer()));
      a.doc.getArray<number>('xs').push([4]);
      expect(await a.flush()).toBe(0);
      const sv = Buffer.from(Y.encodeStateVector(mine)).toString('base64url');
      const diff = new Uint8Array(await (await fetch(`${relay.url}/docs/ws-diff?sv=${sv}`)).arrayBuffer());
      const full = new Uint8Array(await (await fetch(`${relay.url}/docs/ws-diff`)).arrayBuffer());
      expect(diff.length).toBeLessThan(full.length);
      Y.applyUpdate(mine, diff);
      expect(mine.getArray<number>('xs').toArray()).toEqual([1, 2, 3, 4]);
      const bad = await fetch(`${relay.url}/docs/ws-diff?sv=%%%`);
      expect(bad.status).toBe(400);
      expect((await bad.json()).error_code).toBe('INVALID_PARAMETER_VALUE');
    } finally {
      a.destroy();
    }
  });
});

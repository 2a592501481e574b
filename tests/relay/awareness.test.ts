import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AWARENESS_BURST,
  AWARENESS_UPDATES_PER_SECOND,
  MAX_AWARENESS_IDS_PER_CONNECTION,
  MAX_AWARENESS_STATE_BYTES,
} from '../../server/relay/awareness-gate';
import { openRelayDatabase } from '../../server/relay/database';
import { TokenStore } from '../../server/relay/token-store';
import { connectClient, frameType, rawClient, waitSynced } from './helpers/clients';
import * as Y from 'yjs';
import { encodeFlushRequest } from '../../lib/relay-client/protocol';
import { awarenessFrame, readAwarenessFrame, syncUpdateFrame } from './helpers/hostile-updates';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { waitFor } from './helpers/wait';

const WS = 'presence';

/** Latest awareness state per client id as seen in a raw client's frames. */
function seen(frames: Uint8Array[]): Map<number, unknown> {
  const out = new Map<number, unknown>();
  for (const f of frames) if (frameType(f) === 1) for (const [id, state] of readAwarenessFrame(f)) out.set(id, state);
  return out;
}

describe('awareness limits', () => {
  let relay: TestRelay;
  let read: string;
  let write: string;
  beforeAll(async () => {
    relay = await startTestRelay({ auth: 'tokens' });
    const db = openRelayDatabase(relay.dataDir);
    const tokens = new TokenStore(db);
    read = tokens.create(WS, 'read').token;
    write = tokens.create(WS, 'write').token;
    db.close();
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[RELAY-27] a state over the size limit closes the sender 4400 and is never replayed to joiners', async () => {
    const c = rawClient(relay.url, WS, { token: write });
    await c.opened;
    c.ws.send(awarenessFrame([{ clientId: 4242, clock: 1, state: JSON.stringify({ pad: 'x'.repeat(MAX_AWARENESS_STATE_BYTES) }) }]));
    expect(await c.closed).toMatchObject({ code: 4400, reason: expect.stringMatching(/over the limit/) });
    const joiner = rawClient(relay.url, WS, { token: read });
    await joiner.opened;
    await waitFor(() => joiner.frames.length > 0, 'handshake');
    expect(seen(joiner.frames).has(4242)).toBe(false);
    joiner.ws.close();
  });

  it('[RELAY-27] a read token cannot send large frames at all (1009), whatever they hold', async () => {
    const c = rawClient(relay.url, WS, { token: read });
    await c.opened;
    c.ws.send(awarenessFrame([{ clientId: 1, clock: 1, state: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) }]));
    expect((await c.closed).code).toBe(1009);
  });

  it('[RELAY-27] a write token may send big document frames but not big presence (1009 while it arrives)', async () => {
    const c = rawClient(relay.url, WS, { token: write });
    await c.opened;
    const doc = new Y.Doc();
    doc.getMap('m').set('big', new Uint8Array(2 * 1024 * 1024).fill(3));
    c.ws.send(syncUpdateFrame(Y.encodeStateAsUpdate(doc)));
    c.ws.send(encodeFlushRequest(5));
    await waitFor(() => c.frames.some((f) => frameType(f) === 100), 'flush ack for the big update');
    expect([...c.frames.find((f) => frameType(f) === 100)!]).toEqual([100, 5, 0]);
    c.ws.send(awarenessFrame([{ clientId: 5151, clock: 1, state: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) }]));
    expect(await c.closed).toMatchObject({ code: 1009, reason: expect.stringMatching(/type 1 is over/) });
  });

  it("[RELAY-27] reusing another connection's awareness id does not overwrite their presence", async () => {
    const alice = connectClient(relay.url, WS, { token: write });
    const mallory = rawClient(relay.url, WS, { token: read });
    try {
      await waitSynced(alice);
      await mallory.opened;
      alice.provider.awareness.setLocalStateField('user', 'alice');
      const id = alice.provider.awareness.clientID;
      await waitFor(() => seen(mallory.frames).get(id), 'mallory sees alice');
      mallory.ws.send(awarenessFrame([{ clientId: id, clock: 1_000_000, state: JSON.stringify({ user: 'mallory' }) }]));
      mallory.ws.send(awarenessFrame([{ clientId: id, clock: 1_000_001, state: 'null' }]));
      const joiner = rawClient(relay.url, WS, { token: read });
      await joiner.opened;
      await waitFor(() => seen(joiner.frames).get(id), 'joiner gets the presence');
      expect(seen(joiner.frames).get(id)).toEqual({ user: 'alice' });
      expect(alice.provider.awareness.getStates().get(id)).toEqual({ user: 'alice' });
      joiner.ws.close();
    } finally {
      alice.destroy();
      mallory.ws.close();
    }
  });

  it('[RELAY-27] one connection holds at most a few ids, and a flood is rate limited but its last state arrives', async () => {
    const flooder = rawClient(relay.url, WS, { token: read });
    const observer = rawClient(relay.url, WS, { token: read });
    try {
      await Promise.all([flooder.opened, observer.opened]);
      const many = Array.from({ length: 10 }, (_, i) => ({ clientId: 9000 + i, clock: 1, state: JSON.stringify({ i }) }));
      flooder.ws.send(awarenessFrame(many));
      await waitFor(() => seen(observer.frames).size >= MAX_AWARENESS_IDS_PER_CONNECTION, 'some ids relayed');
      const before = observer.frames.filter((f) => frameType(f) === 1).length;
      const t0 = Date.now();
      const FRAMES = 300;
      for (let clock = 2; clock < FRAMES + 2; clock++) {
        flooder.ws.send(awarenessFrame([{ clientId: 9000, clock, state: JSON.stringify({ clock }) }]));
      }
      await waitFor(() => (seen(observer.frames).get(9000) as { clock?: number })?.clock === FRAMES + 1, 'the last state arrives');
      const elapsed = (Date.now() - t0) / 1000;
      const relayed = observer.frames.filter((f) => frameType(f) === 1).length - before;
      expect(relayed).toBeLessThanOrEqual(AWARENESS_BURST + Math.ceil(elapsed * AWARENESS_UPDATES_PER_SECOND) + 2);
      expect(relayed).toBeLessThan(FRAMES);
      const ids = [...seen(observer.frames).keys()].filter((id) => id >= 9000 && id < 9010);
      expect(ids.length).toBe(MAX_AWARENESS_IDS_PER_CONNECTION);
    } finally {
      flooder.ws.close();
      observer.ws.close();
    }
  });
});

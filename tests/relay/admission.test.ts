import * as decoding from 'lib0/decoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openRelayDatabase } from '../../server/relay/database';
import { encodeFlushRequest } from '../../lib/relay-client/protocol';
import { SqliteDocStore } from '../../server/relay/sqlite-doc-store';
import { TokenStore } from '../../server/relay/token-store';
import { connectClient, frameType, rawClient, waitSynced, type RawClient } from './helpers/clients';
import { clocksOf, rawUpdate, syncUpdateFrame } from './helpers/hostile-updates';
import { startTestRelay, tempDir, type TestRelay } from './helpers/in-process';
import { waitFor } from './helpers/wait';

const ROOM = 'team';
const GAPPED = 'team/run/0000000000000000000000000000000a';
const RESUME = 'team/run/0000000000000000000000000000000b';

async function fetchState(url: string, room: string, token?: string): Promise<Uint8Array> {
  const res = await fetch(`${url}/docs/${room}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

async function fetchMap(url: string, room: string, token?: string): Promise<Record<string, unknown>> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, await fetchState(url, room, token));
  return doc.getMap('m').toJSON();
}

/** Updates a doc produces while `fn` runs, one per transaction. */
function capture(doc: Y.Doc, fn: () => void): Uint8Array[] {
  const out: Uint8Array[] = [];
  const on = (u: Uint8Array) => out.push(u);
  doc.on('update', on);
  fn();
  doc.off('update', on);
  return out;
}

/** A doc that holds the room's state and writes under someone else's client id, as a squatter would. */
function squatterDoc(state: Uint8Array, asClient: number): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  doc.clientID = asClient;
  return doc;
}

let nextFlush = 1000;
async function rawFlush(c: RawClient): Promise<number> {
  const id = nextFlush++;
  c.ws.send(encodeFlushRequest(id));
  const status = await waitFor(() => {
    for (const f of c.frames) {
      if (frameType(f) !== 100) continue;
      const d = decoding.createDecoder(f);
      decoding.readVarUint(d);
      if (decoding.readVarUint(d) === id) return { status: decoding.readVarUint(d) };
    }
    return null;
  }, `flush ack ${id}`);
  return status.status;
}

describe('relay update admission, token mode', () => {
  const dir = tempDir();
  let relay: TestRelay;
  let victimToken: string;
  let attackerToken: string;

  beforeAll(async () => {
    relay = await startTestRelay({ auth: 'tokens', dataDir: dir.path });
    const db = openRelayDatabase(dir.path);
    const tokens = new TokenStore(db);
    victimToken = tokens.create(ROOM, 'write').token;
    attackerToken = tokens.create(ROOM, 'write').token;
    db.close();
  });
  afterAll(async () => {
    await relay.close();
    dir.remove();
  });

  it("[RELAY-24] a struct under another writer's client id at its next clock is refused; the victim's writes stay", async () => {
    const victim = connectClient(relay.url, ROOM, { token: victimToken });
    const attacker = rawClient(relay.url, ROOM, { token: attackerToken });
    try {
      await waitSynced(victim);
      await attacker.opened;
      victim.doc.getMap('m').set('v1', 1);
      expect(await victim.flush()).toBe(0);

      // Everything the attack needs is public to any reader: the victim's id and clock.
      const state = await fetchState(relay.url, ROOM, attackerToken);
      expect(clocksOf(state).get(victim.doc.clientID)).toBeGreaterThan(0);
      const evil = squatterDoc(state, victim.doc.clientID);
      const [update] = capture(evil, () => evil.getMap('m').set('evil', 1));
      attacker.ws.send(syncUpdateFrame(update!));
      expect(await rawFlush(attacker)).toBe(2);

      victim.doc.getMap('m').set('v2', 2);
      expect(await victim.flush()).toBe(0);
      expect(await fetchMap(relay.url, ROOM, victimToken)).toMatchObject({ v1: 1, v2: 2 });
      expect(await fetchMap(relay.url, ROOM, victimToken)).not.toHaveProperty('evil');
    } finally {
      victim.destroy();
      attacker.ws.close();
    }
  });

  it("[RELAY-24] a struct that leaves a gap in a client's clocks is refused, so the owner's next writes are not shadowed", async () => {
    const victim = connectClient(relay.url, GAPPED, { token: victimToken });
    const attacker = rawClient(relay.url, GAPPED, { token: attackerToken });
    try {
      await waitSynced(victim);
      await attacker.opened;
      victim.doc.getMap('m').set('a', 1);
      expect(await victim.flush()).toBe(0);
      const state = await fetchState(relay.url, GAPPED, attackerToken);
      const evil = squatterDoc(state, victim.doc.clientID);
      // Two transactions; only the second is sent: its clock starts one past what the room holds.
      const [, second] = capture(evil, () => {
        evil.getMap('m').set('skip', 1);
        evil.getMap('m').set('pending', 1);
      });
      attacker.ws.send(syncUpdateFrame(second!));
      expect(await rawFlush(attacker)).toBe(2);
      victim.doc.getMap('m').set('b', 2);
      victim.doc.getMap('m').set('c', 3);
      expect(await victim.flush()).toBe(0);
      const stored = await fetchMap(relay.url, GAPPED, victimToken);
      expect(stored).toEqual({ a: 1, b: 2, c: 3 });
    } finally {
      victim.destroy();
      attacker.ws.close();
    }
  });

  it('[RELAY-24] a client that reconnects resumes its own id; another socket of the same token may write it too', async () => {
    const c = connectClient(relay.url, RESUME, { token: victimToken });
    const twin = rawClient(relay.url, RESUME, { token: victimToken });
    try {
      await waitSynced(c);
      await twin.opened;
      c.doc.getMap('m').set('before', 1);
      expect(await c.flush()).toBe(0);
      c.provider.disconnect();
      c.doc.getMap('m').set('offline', 2);
      c.provider.connect();
      await waitSynced(c, 'resync after reconnect');
      expect(await c.flush()).toBe(0);
      // Same token = same party: a second tab forwarding this client's data is not squatting.
      const doc = squatterDoc(await fetchState(relay.url, RESUME, victimToken), c.doc.clientID);
      const [update] = capture(doc, () => doc.getMap('m').set('twin', 3));
      twin.ws.send(syncUpdateFrame(update!));
      expect(await rawFlush(twin)).toBe(0);
      expect(await fetchMap(relay.url, RESUME, victimToken)).toEqual({ before: 1, offline: 2, twin: 3 });
    } finally {
      // Receiving structs under its own id makes Yjs give the doc a new client id, after which y-websocket 3.1's
      // destroy() throws looking up the old id's awareness meta (it does so against any relay).
      c.doc.clientID = c.provider.awareness.clientID;
      c.destroy();
      twin.ws.close();
    }
  });

  it('[RELAY-6] [RELAY-24] after a restart the victim data is all there and the refused structs are not', async () => {
    await relay.close();
    relay = await startTestRelay({ auth: 'tokens', dataDir: dir.path });
    expect(await fetchMap(relay.url, ROOM, victimToken)).toEqual({ v1: 1, v2: 2 });
    expect(await fetchMap(relay.url, GAPPED, victimToken)).toEqual({ a: 1, b: 2, c: 3 });
  });
});

describe('relay update admission, open mode', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it("[RELAY-24] in open mode a connected client's id is its own; once it has left, another may forward its data", async () => {
    const owner = connectClient(relay.url, 'open-room');
    const other = rawClient(relay.url, 'open-room');
    try {
      await waitSynced(owner);
      await other.opened;
      owner.doc.getMap('m').set('mine', 1);
      expect(await owner.flush()).toBe(0);
      const doc = squatterDoc(await fetchState(relay.url, 'open-room'), owner.doc.clientID);
      const [update] = capture(doc, () => doc.getMap('m').set('forwarded', 2));
      other.ws.send(syncUpdateFrame(update!));
      expect(await rawFlush(other)).toBe(2);
      expect(await fetchMap(relay.url, 'open-room')).toEqual({ mine: 1 });
      owner.destroy();
      await waitFor(async () => (await rawFlush(other)) === 2, 'owner gone');
      other.ws.send(syncUpdateFrame(update!));
      expect(await rawFlush(other)).toBe(0);
      expect(await fetchMap(relay.url, 'open-room')).toEqual({ mine: 1, forwarded: 2 });
    } finally {
      owner.destroy();
      other.ws.close();
    }
  });

  it('[RELAY-25] an edit sent before its backlog is refused, the relay asks for a step 2, and the data then lands', async () => {
    const c = rawClient(relay.url, 'race');
    try {
      await c.opened;
      const doc = new Y.Doc();
      const updates = capture(doc, () => {
        doc.getMap('m').set('offline-1', 1);
        doc.getMap('m').set('offline-2', 2);
        doc.getMap('m').set('typed-at-once', 3);
      });
      const before = c.frames.length;
      c.ws.send(syncUpdateFrame(updates[2]!));
      expect(await rawFlush(c)).toBe(2);
      const step1 = await waitFor(() => c.frames.slice(before).find((f) => f[0] === 0 && f[1] === 0), 'a sync step 1 from the relay');
      expect(step1).toBeDefined();
      // The client's answer to that step 1: everything the relay lacks.
      c.ws.send(syncUpdateFrame(Y.encodeStateAsUpdate(doc, Y.encodeStateVector(new Y.Doc())), 1));
      expect(await rawFlush(c)).toBe(0);
      expect(await fetchMap(relay.url, 'race')).toEqual({ 'offline-1': 1, 'offline-2': 2, 'typed-at-once': 3 });
    } finally {
      c.ws.close();
    }
  });

  it('[RELAY-26] a hand-built struct whose origin is itself closes the sender with 4400 and stores nothing', async () => {
    const before = await fetchState(relay.url, 'hostile');
    const c = rawClient(relay.url, 'hostile');
    await c.opened;
    c.ws.send(syncUpdateFrame(rawUpdate([{ client: 77, clock: 0, structs: [{ kind: 'item', origin: [77, 0], values: ['x'] }] }])));
    const closed = await c.closed;
    expect(closed.code).toBe(4400);
    expect(closed.reason).toMatch(/not an earlier item/);
    expect(await fetchState(relay.url, 'hostile')).toEqual(before);
    expect(relay.logs.filter((l) => /TypeError|internal/.test(l))).toEqual([]);
  });

  it('[RELAY-26] structs that Yjs would park for ever (a cycle between two new clients) are rolled back, not stored', async () => {
    const writer = connectClient(relay.url, 'cycle');
    const c = rawClient(relay.url, 'cycle');
    try {
      await waitSynced(writer);
      await c.opened;
      writer.doc.getArray('a').push(['base']);
      expect(await writer.flush()).toBe(0);
      const before = await fetchState(relay.url, 'cycle');
      c.ws.send(
        syncUpdateFrame(
          rawUpdate([
            { client: 501, clock: 0, structs: [{ kind: 'item', origin: [502, 0], values: ['x'] }] },
            { client: 502, clock: 0, structs: [{ kind: 'item', origin: [501, 0], values: ['y'] }] },
          ]),
        ),
      );
      expect(await rawFlush(c)).toBe(2);
      expect(await fetchState(relay.url, 'cycle')).toEqual(before);
      writer.doc.getArray('a').push(['after']);
      expect(await writer.flush()).toBe(0);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, await fetchState(relay.url, 'cycle'));
      expect(doc.getArray('a').toJSON()).toEqual(['base', 'after']);
      expect(doc.store.pendingStructs).toBeNull();
    } finally {
      writer.destroy();
      c.ws.close();
    }
  });
});

describe('relay loading a stored log with an unloadable row', () => {
  it('[RELAY-26] the room loads everything else, says so in the log, and keeps the row aside', async () => {
    const dir = tempDir();
    const db = openRelayDatabase(dir.path);
    const store = new SqliteDocStore(db);
    const good = new Y.Doc();
    const updates = capture(good, () => {
      good.getMap('m').set('one', 1);
      good.getMap('m').set('two', 2);
    });
    store.append('legacy', updates[0]!);
    // What an older relay stored: decodes, but throws when applied.
    const bad = store.append('legacy', rawUpdate([{ client: 9, clock: 0, structs: [{ kind: 'item', origin: [9, 0], values: ['x'] }] }]));
    store.append('legacy', updates[1]!);
    db.close();

    const relay = await startTestRelay({ dataDir: dir.path });
    try {
      expect(await fetchMap(relay.url, 'legacy')).toEqual({ one: 1, two: 2 });
      expect(relay.logs.some((l) => l.includes(`row ${bad}`) && l.includes('doc_rejects'))).toBe(true);
      const check = openRelayDatabase(dir.path);
      expect(new SqliteDocStore(check).rejects('legacy')).toEqual([{ seq: bad, reason: expect.stringMatching(/cannot be applied/) }]);
      check.close();
    } finally {
      await relay.close();
      dir.remove();
    }
  });
});

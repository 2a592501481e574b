import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectClient, rawClient, waitSynced, type TestClient } from './helpers/clients';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { waitFor } from './helpers/wait';

/** Small cap so an oversized frame is cheap to build. */
const MAX_FRAME_BYTES = 256 * 1024;

function syncFrame(sub: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

async function storedDoc(url: string, room: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(`${url}/docs/${room}`)).arrayBuffer());
}

describe('relay frame validation', () => {
  let relay: TestRelay;
  // Two bystanders, one in another room and one in the attacked room, must keep syncing throughout.
  let other1: TestClient;
  let other2: TestClient;
  let sameRoom: TestClient;

  beforeAll(async () => {
    relay = await startTestRelay({ maxFrameBytes: MAX_FRAME_BYTES });
    other1 = connectClient(relay.url, 'bystanders');
    other2 = connectClient(relay.url, 'bystanders');
    sameRoom = connectClient(relay.url, 'victim');
    await Promise.all([waitSynced(other1), waitSynced(other2), waitSynced(sameRoom)]);
  });
  afterAll(async () => {
    other1.destroy();
    other2.destroy();
    sameRoom.destroy();
    await relay.dispose();
  });

  async function bystandersStillSync(tag: string): Promise<void> {
    other1.doc.getMap('m').set(tag, true);
    await waitFor(() => other2.doc.getMap('m').get(tag) === true, `other room still syncing after ${tag}`);
    expect(await sameRoom.flush()).toBe(0);
    expect(sameRoom.provider.wsconnected).toBe(true);
  }

  it('[RELAY-7] a malformed update closes only its connection with 4400 and persists nothing', async () => {
    const before = await storedDoc(relay.url, 'victim');
    const c = rawClient(relay.url, 'victim');
    await c.opened;
    c.ws.send(syncFrame(2, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])));
    const closed = await c.closed;
    expect(closed.code).toBe(4400);
    expect(closed.reason).toMatch(/^malformed update/);
    expect(await storedDoc(relay.url, 'victim')).toEqual(before);
    await bystandersStillSync('after-malformed-update');
  });

  it('[RELAY-7] garbage frames of every other kind close with 4400 and nothing else', async () => {
    const frames: [string, Uint8Array | string][] = [
      ['empty frame', new Uint8Array([])],
      ['unknown message type', new Uint8Array([42, 1, 2])],
      ['truncated sync', new Uint8Array([0])],
      ['unknown sync type', syncFrame(9, new Uint8Array([0]))],
      ['bad state vector', syncFrame(0, new Uint8Array([5, 1]))],
      ['bad awareness', new Uint8Array([1, 3, 1, 2, 3])],
      ['truncated flush', new Uint8Array([100])],
      ['text frame', 'hello'],
    ];
    for (const [label, frame] of frames) {
      const c = rawClient(relay.url, 'victim');
      await c.opened;
      c.ws.send(frame);
      const closed = await c.closed;
      expect(closed.code, label).toBe(4400);
    }
    await bystandersStillSync('after-garbage');
  });

  it('[RELAY-8] a frame over the size cap closes only that connection (1009)', async () => {
    const c = rawClient(relay.url, 'victim');
    await c.opened;
    const big = new Y.Doc();
    big.getArray('a').push([new Uint8Array(MAX_FRAME_BYTES + 1024)]);
    c.ws.send(syncFrame(2, Y.encodeStateAsUpdate(big)));
    const closed = await c.closed;
    expect(closed.code).toBe(1009);
    const stored = new Y.Doc();
    Y.applyUpdate(stored, await storedDoc(relay.url, 'victim'));
    expect(stored.getArray('a').length).toBe(0);
    await bystandersStillSync('after-oversized');
  });

  it('[RELAY-23] no frame made the process log an internal error', () => {
    expect(relay.logs.filter((l) => /internal|TypeError|RangeError/.test(l))).toEqual([]);
  });
});

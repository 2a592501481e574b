import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { mulberry32 } from '../shared/random';
import { connectClient, rawClient, waitSynced, type TestClient } from './helpers/clients';
import { awarenessFrame, rawUpdate, syncUpdateFrame, type RawStruct } from './helpers/hostile-updates';
import { startTestRelay, tempDir, type TestRelay } from './helpers/in-process';
import { waitFor } from './helpers/wait';

/**
 * The frame fuzzer (RELAY-7, RELAY-8, RELAY-23, RELAY-24, RELAY-27). Seeded: a failure names its seed and replays.
 * `npm test` sends a few thousand frames; `npm run test:fuzz` (CAIRN_FUZZ_FRAMES) many more.
 */
const FRAMES = Number(process.env.CAIRN_FUZZ_FRAMES ?? 2_500);
const SEED = Number(process.env.CAIRN_FUZZ_SEED ?? 20261201);
const MAX_FRAME_BYTES = 512 * 1024;
const TARGET = 'fuzzed';
const BYSTANDER_ROOM = 'bystanders';

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T,>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const bytes = (r: Rand, n: number) => Uint8Array.from({ length: n }, () => int(r, 256));

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

/** Context a generator may aim at: the legitimate writer's id and clock in the fuzzed room. */
interface Target {
  victim: number;
  victimClock: number;
}

function hostileStruct(r: Rand, t: Target): RawStruct {
  const id = (): [number, number] => [pick(r, [t.victim, 1, 2, 3, int(r, 2 ** 31)]), int(r, t.victimClock + 50)];
  switch (int(r, 6)) {
    case 0:
      return { kind: 'item', origin: id(), values: [int(r, 100)] };
    case 1:
      return { kind: 'item', rightOrigin: id(), values: ['r'] };
    case 2:
      return { kind: 'item', parentId: id(), parentSub: 'k', values: [null] };
    case 3:
      return { kind: 'gc', length: 1 + int(r, 1000) };
    case 4:
      return { kind: 'skip', length: 1 + int(r, 10) };
    default:
      // Root other than the bystanders' 'm', so an admitted struct cannot look like damage to their data.
      return { kind: 'item', parentRoot: pick(r, ['fuzz', 'x']), parentSub: pick(r, [undefined, 'a', 'b']), values: [r()] };
  }
}

function hostileUpdate(r: Rand, t: Target): Uint8Array {
  const clients = Array.from({ length: 1 + int(r, 3) }, () => {
    const client = pick(r, [t.victim, int(r, 2 ** 31), 7]);
    const clock = pick(r, [0, t.victimClock, t.victimClock + 1, int(r, 1000), 2 ** 40]);
    return { client, clock, structs: Array.from({ length: 1 + int(r, 4) }, () => hostileStruct(r, t)) };
  });
  // Squatting: the victim's own map key at its next clock.
  if (r() < 0.2) clients.push({ client: t.victim, clock: t.victimClock, structs: [{ kind: 'item', parentRoot: 'm', parentSub: 'legit-0', values: ['evil'] }] });
  const deletes = r() < 0.3 ? [{ client: pick(r, [t.victim, 9]), ranges: [[t.victimClock + int(r, 5), 1 + int(r, 5)] as [number, number]] }] : [];
  return rawUpdate(clients, deletes);
}

/** One frame from one of the fuzzer's families. */
function fuzzFrame(r: Rand, t: Target): Uint8Array {
  switch (int(r, 9)) {
    case 0:
      return bytes(r, int(r, 64));
    case 1: // truncated varints
      return Uint8Array.from([...bytes(r, int(r, 4)).map((b) => b | 0x80)]);
    case 2: // valid header, garbage update
      return frame((e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, pick(r, [0, 1, 2]));
        encoding.writeVarUint8Array(e, bytes(r, int(r, 200)));
      });
    case 3: // giant length prefix, few bytes behind it
      return frame((e) => {
        encoding.writeVarUint(e, pick(r, [0, 1]));
        if (r() < 0.5) encoding.writeVarUint(e, 2);
        encoding.writeVarUint(e, pick(r, [2 ** 31, 2 ** 40, 2 ** 52, MAX_FRAME_BYTES * 4]));
        encoding.writeUint8Array(e, bytes(r, 8));
      });
    case 4:
    case 5:
      return syncUpdateFrame(hostileUpdate(r, t), pick(r, [1, 2]));
    case 6: // awareness spam
      return awarenessFrame(
        Array.from({ length: int(r, 12) }, () => ({
          clientId: pick(r, [t.victim, int(r, 2 ** 31), 1]),
          clock: int(r, 2 ** 31),
          state: pick(r, ['{"user":"x"}', 'null', '{bad json', JSON.stringify({ pad: 'x'.repeat(int(r, 20_000)) })]),
        })),
      );
    case 7: // flush and query frames with junk after them
      return Uint8Array.from([pick(r, [100, 3]), ...bytes(r, int(r, 6))]);
    default: // step 1 with a random state vector
      return frame((e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint8Array(e, bytes(r, int(r, 20)));
      });
  }
}

describe('relay frame fuzzer', () => {
  const dir = tempDir();
  let relay: TestRelay;
  let victim: TestClient;
  let bystanderA: TestClient;
  let bystanderB: TestClient;

  beforeAll(async () => {
    relay = await startTestRelay({ dataDir: dir.path, maxFrameBytes: MAX_FRAME_BYTES });
    victim = connectClient(relay.url, TARGET);
    bystanderA = connectClient(relay.url, BYSTANDER_ROOM);
    bystanderB = connectClient(relay.url, BYSTANDER_ROOM);
    await Promise.all([waitSynced(victim), waitSynced(bystanderA), waitSynced(bystanderB)]);
  });
  afterAll(async () => {
    victim.destroy();
    bystanderA.destroy();
    bystanderB.destroy();
    await relay.close();
    dir.remove();
  });

  it(`[RELAY-23] ${FRAMES} seeded frames: relay alive, only 44xx/1009 closes, legit data intact, other rooms undisturbed`, async () => {
    const r = mulberry32(SEED);
    const codes = new Map<number, number>();
    let sent = 0;
    let legit = 0;
    while (sent < FRAMES) {
      // The victim keeps writing between attacks, so the attacks aim at a moving clock.
      victim.doc.getMap('m').set(`legit-${legit}`, legit);
      legit++;
      const t: Target = { victim: victim.doc.clientID, victimClock: Y.getState(victim.doc.store, victim.doc.clientID) };
      const sockets = Array.from({ length: 4 }, () => rawClient(relay.url, pick(r, [TARGET, TARGET, 'other-fuzz'])));
      await Promise.all(
        sockets.map(async (s) => {
          await s.opened;
          for (let i = 0, n = 1 + int(r, 4); i < n && s.ws.readyState === s.ws.OPEN; i++, sent++) s.ws.send(fuzzFrame(r, t));
          const closed = await Promise.race([s.closed, new Promise<null>((ok) => setTimeout(() => ok(null), 30))]);
          if (closed) codes.set(closed.code, (codes.get(closed.code) ?? 0) + 1);
          else s.ws.terminate();
        }),
      );
      if (legit % 25 === 0) {
        expect(await victim.flush(), `seed ${SEED}: victim flush after ${sent} frames`).toBe(0);
        bystanderA.doc.getMap('m').set(`tick-${legit}`, legit);
        await waitFor(() => bystanderB.doc.getMap('m').get(`tick-${legit}`) === legit, 'bystanders still sync');
      }
    }
    console.log(`fuzz: seed ${SEED}, ${sent} frames, ${legit} legit writes, closes ${JSON.stringify(Object.fromEntries(codes))}`);
    const bad = [...codes.keys()].filter((c) => !(c >= 4400 && c < 4500) && c !== 1009);
    expect(bad, `seed ${SEED}: close codes ${JSON.stringify([...codes])}`).toEqual([]);
    expect(relay.logs.filter((l) => /internal error|TypeError|RangeError|cannot be applied/.test(l))).toEqual([]);
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);

    expect(await victim.flush()).toBe(0);
    const expected = victim.doc.getMap('m').toJSON();
    expect(Object.keys(expected)).toHaveLength(legit);
    const served = new Y.Doc();
    Y.applyUpdate(served, new Uint8Array(await (await fetch(`${relay.url}/docs/${TARGET}`)).arrayBuffer()));
    expect(served.getMap('m').toJSON()).toEqual(expected);

    // What was stored loads again cleanly: nothing hostile got into the log.
    victim.provider.disconnect();
    await relay.close();
    relay = await startTestRelay({ dataDir: dir.path, maxFrameBytes: MAX_FRAME_BYTES });
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, new Uint8Array(await (await fetch(`${relay.url}/docs/${TARGET}`)).arrayBuffer()));
    expect(reloaded.getMap('m').toJSON()).toEqual(expected);
    expect(reloaded.store.pendingStructs).toBeNull();
    expect(relay.logs).toEqual([]);
  }, 30_000 + FRAMES * 6);
});

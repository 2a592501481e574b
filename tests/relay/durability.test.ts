import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectClient, waitSynced } from './helpers/clients';
import { buildCli, spawnRelay, type RelayProcess } from './helpers/cli-process';
import { tempDir } from './helpers/in-process';
import { waitFor } from './helpers/wait';

const UPDATES = 100;
const POINTS_PER_UPDATE = 1000;
/** Kill once this many updates are acknowledged: well inside the stream. */
const KILL_AFTER_ACKED = 40;
/** Updates in flight beyond the last ack, so the kill lands on unacknowledged work too. */
const WINDOW = 4;
const ROOM = 'durable/run/0123456789abcdef0123456789abcdef';

function chunk(index: number): Uint8Array {
  const values = new Float64Array(POINTS_PER_UPDATE);
  for (let j = 0; j < POINTS_PER_UPDATE; j++) values[j] = index * POINTS_PER_UPDATE + j;
  return new Uint8Array(values.buffer);
}

/** Points in a doc, checking every chunk is intact and chunks are in order (a persisted prefix of the stream). */
function countPoints(doc: Y.Doc): number {
  let n = 0;
  doc.getArray<Uint8Array>('points').forEach((bytes, i) => {
    const values = new Float64Array(bytes.slice().buffer);
    expect(values.length).toBe(POINTS_PER_UPDATE);
    expect(values[0]).toBe(i * POINTS_PER_UPDATE);
    expect(values[POINTS_PER_UPDATE - 1]).toBe((i + 1) * POINTS_PER_UPDATE - 1);
    n += values.length;
  });
  return n;
}

async function fetchDoc(url: string): Promise<Y.Doc> {
  const res = await fetch(`${url}/docs/${ROOM}`);
  expect(res.status).toBe(200);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await res.arrayBuffer()));
  return doc;
}

describe('relay durability (real process, real SQLite)', () => {
  let cli: string;
  const data = tempDir();
  const relays: RelayProcess[] = [];
  beforeAll(async () => {
    cli = await buildCli();
  });
  afterAll(async () => {
    for (const r of relays) await r.kill();
    data.remove();
  });

  it('[RELAY-6] SIGKILL in the middle of a 100k-point stream loses no acknowledged update', async () => {
    const first = await spawnRelay(cli, ['--port', '0', '--data', data.path, '--open']);
    relays.push(first);
    const client = connectClient(first.url, ROOM);
    try {
      await waitSynced(client);
      const points = client.doc.getArray<Uint8Array>('points');
      const flushToUpdate = new Map<number, number>();
      const ackedUpdates = () => {
        let last = -1;
        for (const [id, status] of client.acks) {
          if (status === 0) last = Math.max(last, flushToUpdate.get(id) ?? -1);
        }
        return last + 1;
      };
      let killed: Promise<void> | null = null;
      for (let i = 0; i < UPDATES; i++) {
        if (!killed && ackedUpdates() >= KILL_AFTER_ACKED) killed = first.kill();
        if (!killed) await waitFor(() => i - ackedUpdates() < WINDOW, 'ack window');
        // The client keeps logging after the relay died, as a training loop would.
        points.push([chunk(i)]);
        const id = client.requestFlush();
        if (id !== null) flushToUpdate.set(id, i);
      }
      await killed;
      // Freeze the client so the restarted relay is read before it resyncs; acks seen so far are final.
      client.provider.disconnect();
      const acked = ackedUpdates();
      expect(acked).toBeGreaterThanOrEqual(KILL_AFTER_ACKED);
      expect(acked).toBeLessThan(UPDATES);

      const second = await spawnRelay(cli, ['--port', String(first.port), '--data', data.path, '--open']);
      relays.push(second);
      const persisted = countPoints(await fetchDoc(second.url));
      expect(persisted).toBeGreaterThanOrEqual(acked * POINTS_PER_UPDATE);

      client.provider.connect();
      await waitSynced(client, 'client to resync with the restarted relay');
      expect(await client.flush()).toBe(0);
      expect(countPoints(await fetchDoc(second.url))).toBe(UPDATES * POINTS_PER_UPDATE);
      expect(await second.stop()).toBe(0);
    } finally {
      client.destroy();
    }
  });
});

import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectClient, waitSynced, type TestClient } from './helpers/clients';
import { buildCli, runCli, spawnRelay, spawnRelayWithFileLimit, type RelayProcess } from './helpers/cli-process';
import { tempDir } from './helpers/in-process';
import { mulberry32 } from '../shared/random';
import { waitFor } from './helpers/wait';

/**
 * Fault injection against a real relay process (SPEC.md RELAY-6, RELAY-30). The invariant after every fault:
 * every update whose flush was acknowledged is there after a restart, and nothing the relay served before the fault
 * is missing after it (it never serves what it has not stored).
 */

const ROOM = 'faults';
const CHUNK_BYTES = 64 * 1024;

/** Entries `<writer>:<n>` in the doc's 'log' map: which writes a doc holds. */
function entries(doc: Y.Doc): Set<string> {
  return new Set(doc.getMap('log').keys());
}

async function fetchEntries(url: string, room = ROOM): Promise<Set<string>> {
  const res = await fetch(`${url}/docs/${room}`);
  expect(res.status).toBe(200);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await res.arrayBuffer()));
  return entries(doc);
}

function missing(expected: Iterable<string>, actual: Set<string>): string[] {
  return [...expected].filter((k) => !actual.has(k));
}

/** Writes one entry and asks for a flush; resolves with true on ack 0, false if the socket closed first. */
async function writeAndFlush(c: TestClient, key: string, value: Uint8Array | number): Promise<boolean> {
  c.doc.getMap('log').set(key, value);
  const id = c.requestFlush();
  if (id === null) return false;
  try {
    await waitFor(() => c.acks.has(id) || !c.provider.wsconnected, `ack of ${key}`);
  } catch {
    return false;
  }
  return c.acks.get(id) === 0;
}

describe('fault injection on a real relay process', () => {
  let cli: string;
  const procs: RelayProcess[] = [];
  const dirs: { remove(): void }[] = [];
  beforeAll(async () => {
    cli = await buildCli();
  });
  afterAll(async () => {
    for (const p of procs) await p.kill();
    for (const d of dirs) d.remove();
  });

  it('[RELAY-30] a disk that fills at commit acknowledges nothing it did not save; all acked data is there once space is free', async () => {
    const data = tempDir();
    dirs.push(data);
    const full = await spawnRelayWithFileLimit(cli, ['--port', '0', '--data', data.path, '--open'], 2 * 1024 * 1024);
    procs.push(full);
    const client = connectClient(full.url, ROOM);
    const closes: number[] = [];
    client.provider.on('connection-close', (ev) => ev && closes.push(ev.code));
    const acked: string[] = [];
    const written: string[] = [];
    try {
      await waitSynced(client);
      for (let i = 0; i < 80 && closes.length === 0; i++) {
        const key = `w:${i}`;
        written.push(key);
        if (await writeAndFlush(client, key, new Uint8Array(randomBytes(CHUNK_BYTES)))) acked.push(key);
      }
      expect(closes[0], 'the relay closed the socket when the commit failed').toBe(1011);
      expect(acked.length).toBeGreaterThan(0);
      expect(acked.length).toBeLessThan(written.length);
      // What the relay serves now is what it stored: nothing of the failed write, all of the acked ones.
      const served = await fetchEntries(full.url);
      expect(missing(acked, served)).toEqual([]);
      expect(served.has(written.at(-1)!)).toBe(false);

      // A blob on the same full disk: a clear, retryable error, and nothing left behind.
      const blob = randomBytes(3 * 1024 * 1024);
      const sha = createHash('sha256').update(blob).digest('hex');
      const put = await fetch(`${full.url}/blobs/${sha}`, { method: 'PUT', body: blob });
      expect(put.status).toBe(503);
      expect(await put.json()).toMatchObject({ error_code: 'TEMPORARILY_UNAVAILABLE', details: { reason: 'EFBIG' } });
      expect((await fetch(`${full.url}/blobs/${sha}`)).status).toBe(404);

      client.provider.disconnect();
      await full.kill();
      const roomy = await spawnRelay(cli, ['--port', String(full.port), '--data', data.path, '--open']);
      procs.push(roomy);
      const after = await fetchEntries(roomy.url);
      expect(missing(acked, after)).toEqual([]);
      expect(missing(served, after)).toEqual([]);

      // With space again the client's own handshake delivers the rest, with no help.
      client.provider.connect();
      await waitSynced(client, 'resync with space');
      expect(await client.flush()).toBe(0);
      expect(missing(written, await fetchEntries(roomy.url))).toEqual([]);
      console.log(`faults: disk full at commit: ${written.length} writes, ${acked.length} acked, 0 acked lost, close ${closes[0]}`);
    } finally {
      client.destroy();
    }
  });

  it('[RELAY-30] --max-db-bytes: a full database refuses updates the same way, and the CLI reports a full disk', async () => {
    const data = tempDir();
    dirs.push(data);
    const capped = await spawnRelay(cli, ['--port', '0', '--data', data.path, '--open', '--max-db-bytes', String(1024 * 1024)]);
    procs.push(capped);
    const client = connectClient(capped.url, ROOM);
    const acked: string[] = [];
    let refused = false;
    try {
      await waitSynced(client);
      for (let i = 0; i < 40 && !refused; i++) {
        if (await writeAndFlush(client, `c:${i}`, new Uint8Array(randomBytes(CHUNK_BYTES)))) acked.push(`c:${i}`);
        else refused = true;
      }
      expect(refused).toBe(true);
      expect(missing(acked, await fetchEntries(capped.url))).toEqual([]);
      expect(capped.output()).toMatch(/storage failed: database or disk is full/);
    } finally {
      client.destroy();
    }
    await capped.kill();
    const again = await spawnRelay(cli, ['--port', '0', '--data', data.path, '--open']);
    procs.push(again);
    expect(missing(acked, await fetchEntries(again.url))).toEqual([]);
    await again.stop();

    // Token writes hit the same disk: the CLI fails loudly and no half-made token appears.
    const r = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 1; exec '${process.execPath}' '${cli}' token create --data '${data.path}' --workspace w --role write`], {
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toMatch(/cairn_/);
    expect(runCli(cli, ['token', 'list', '--data', data.path]).stdout).not.toMatch(/\bw\b/);
  });

  it('[RELAY-30] a store that throws on commit (a trigger added from outside): no ack, nothing served, delivered once it works', async () => {
    const data = tempDir();
    dirs.push(data);
    const relay = await spawnRelay(cli, ['--port', '0', '--data', data.path, '--open']);
    procs.push(relay);
    const client = connectClient(relay.url, ROOM);
    const closes: number[] = [];
    client.provider.on('connection-close', (ev) => ev && closes.push(ev.code));
    const outside = new Database(join(data.path, 'relay.sqlite'));
    try {
      await waitSynced(client);
      expect(await writeAndFlush(client, 'before', 1)).toBe(true);
      outside.exec(`
        CREATE TABLE inject (fail INTEGER NOT NULL);
        INSERT INTO inject VALUES (1);
        CREATE TRIGGER inject_fail BEFORE INSERT ON doc_updates WHEN (SELECT fail FROM inject)
        BEGIN SELECT RAISE(ABORT, 'injected commit failure'); END;
      `);
      expect(await writeAndFlush(client, 'during', 2)).toBe(false);
      expect(closes[0]).toBe(1011);
      expect([...(await fetchEntries(relay.url))]).toEqual(['before']);
      expect(relay.output()).toMatch(/storage failed: injected commit failure/);
      outside.exec('UPDATE inject SET fail = 0');
      await waitSynced(client, 'reconnect once the store works');
      expect(await client.flush()).toBe(0);
      client.provider.disconnect();
      await relay.kill();
      const again = await spawnRelay(cli, ['--port', '0', '--data', data.path, '--open']);
      procs.push(again);
      expect([...(await fetchEntries(again.url))].sort()).toEqual(['before', 'during']);
    } finally {
      outside.close();
      client.destroy();
    }
  });

  it('[RELAY-6] SIGKILL at random points while three clients write: every acknowledged write survives', async () => {
    const rounds = Number(process.env.CAIRN_FUZZ_ROUNDS ?? 0) > 0 ? 12 : 3;
    const rand = mulberry32(0xc0ffee);
    const data = tempDir();
    dirs.push(data);
    const acked = new Set<string>();
    const everWritten = new Set<string>();
    let relay = await spawnRelay(cli, ['--port', '0', '--data', data.path, '--open']);
    procs.push(relay);
    const clients = ['a', 'b', 'c'].map((name) => ({ name, c: connectClient(relay.url, ROOM), n: 0 }));
    let total = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        await Promise.all(clients.map(({ c }) => waitSynced(c, `round ${round} sync`)));
        const killAt = Date.now() + 100 + Math.floor(rand() * 400);
        let killed: Promise<void> | null = null;
        let servedBeforeKill: Set<string> | null = null;
        const writers = clients.map(async (w) => {
          while (Date.now() < killAt + 200) {
            const key = `${w.name}:${w.n++}`;
            everWritten.add(key);
            const size = rand() < 0.2 ? 16 * 1024 : 32;
            if (await writeAndFlush(w.c, key, new Uint8Array(size).fill(w.n & 0xff))) acked.add(key);
            else await new Promise((r) => setTimeout(r, 20));
            total++;
          }
        });
        const killer = (async () => {
          await new Promise((r) => setTimeout(r, killAt - Date.now()));
          servedBeforeKill = await fetchEntries(relay.url);
          killed = relay.kill();
          await killed;
        })();
        await Promise.all([...writers, killer]);
        for (const { c } of clients) c.provider.disconnect();
        const next = await spawnRelay(cli, ['--port', String(relay.port), '--data', data.path, '--open']);
        procs.push(next);
        relay = next;
        const persisted = await fetchEntries(relay.url);
        expect(missing(acked, persisted), `round ${round}: acked writes lost`).toEqual([]);
        expect(missing(servedBeforeKill!, persisted), `round ${round}: served but not stored`).toEqual([]);
        for (const { c } of clients) c.provider.connect();
      }
      await Promise.all(clients.map(({ c }) => waitSynced(c)));
      for (const { c } of clients) expect(await c.flush()).toBe(0);
      expect(missing(everWritten, await fetchEntries(relay.url))).toEqual([]);
      expect(total).toBeGreaterThan(rounds * 3);
      console.log(`faults: ${rounds} SIGKILL rounds, 3 writers, ${everWritten.size} writes, ${acked.size} acked before a kill, 0 acked lost`);
    } finally {
      for (const { c } of clients) c.destroy();
    }
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as doc from '@/lib/doc';
import { RoomConnection } from '@/lib/relay-client';
import { connect } from '@/lib/sdk';
import { REC_ACTOR, REC_CHECKPOINT, REC_FORMAT, recPoints, recSimple, recUpdate } from '@/lib/sdk/journal';
import { journalDoc } from '@/lib/sdk/format1';
import { openNodeJournal } from '@/lib/sdk/journal-node';
import { FIXTURE_EXPERIMENT, addFormat1Run, fixtureIds, format1Fixture, format1Keys, format1RunDoc, readFormat1Run, runFields } from '../shared/format1-unit';
import { openRelayDatabase } from '../../server/relay/database';
import { TokenStore } from '../../server/relay/token-store';
import { Closer, expectCairnError, freePort, relayHistory, relayRun, startTestRelay, tempDir, waitFor } from './helpers';

/**
 * SDK-20: journals written by the format-1 SDK, built by hand with Yjs (nested run Y.Maps under the workspace doc's
 * `runs`, chunks in `run/<id>`), opened by this SDK against format-2 relays. Everything the journal held reaches the
 * relay and reads back as format 1 read it.
 */

const ACTOR = 'format1-sdk-actor';
const SEP = '\u0001';
/** A run this (format-1) client was logging to when it stopped: 2 points are chunks, 2 only in the journal. */
const MINE = '9a'.repeat(16);

interface Fixture {
  /** The format-1 workspace doc the journal holds. */
  ws: Y.Doc;
  records: Uint8Array[];
}

function format1Journal(base?: Y.Doc): Fixture {
  const ws = new Y.Doc();
  Y.applyUpdate(ws, Y.encodeStateAsUpdate(base ?? format1Fixture()));
  addFormat1Run(ws, MINE, {
    fields: runFields(FIXTURE_EXPERIMENT, 'mine', { status: 'RUNNING', endTime: null }),
    params: [{ key: 'lr', value: '0.1', actor: ACTOR, at: 5 }],
    tags: { 'mlflow.runName': 'mine', 'mlflow.user': 'ada' },
    metrics: { [`loss${SEP}${ACTOR}`]: { latest: 0.5, latestStep: 1, latestTimestamp: 11, min: 0.5, max: 0.9, count: 2 } },
  });
  const chunks = format1RunDoc(MINE, [doc.encodeChunk('loss', [0, 1], [10, 11], [0.9, 0.5])]);
  const records = [
    recSimple(REC_FORMAT, 1),
    recSimple(REC_ACTOR, ACTOR),
    recUpdate('ws', Y.encodeStateAsUpdate(ws)),
    recUpdate(`run/${MINE}`, Y.encodeStateAsUpdate(chunks)),
    recSimple(REC_CHECKPOINT, 4),
    recPoints({ seq: 5, runId: MINE, keys: ['loss', 'loss'], values: [0.3, 0.2], steps: [2, 3], timestamps: [12, 13] }),
  ];
  return { ws, records };
}

const journalDir = (dataDir: string, relayUrl: string | null, workspace: string) =>
  join(dataDir, relayUrl ? new URL(relayUrl).host.replace(/[^\w.-]/g, '_') : 'local', workspace);

async function writeJournal(dir: string, records: Uint8Array[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const j = await openNodeJournal(dir);
  j.append(records);
  await j.close();
}

async function loadJournal(dir: string) {
  const j = await openNodeJournal(dir);
  try {
    return await j.load();
  } finally {
    await j.close();
  }
}

/** What format 1 read for run `id`, with MINE's two journaled points folded into its summary (they are chunks now). */
function expectedRun(f: Fixture, id: string) {
  const r = readFormat1Run(f.ws, id);
  if (!r || id !== MINE) return r;
  return { ...r, metrics: { loss: { key: 'loss', latest: 0.2, latestStep: 3, latestTimestamp: 13, min: 0.2, max: 0.9, count: 4 } } };
}

const MINE_HISTORY = [
  { step: 0, timestamp: 10, value: 0.9 },
  { step: 1, timestamp: 11, value: 0.5 },
  { step: 2, timestamp: 12, value: 0.3 },
  { step: 3, timestamp: 13, value: 0.2 },
];

/** Every key format 1 had under `runs` reads on the relay as format 1 read it (undefined where it read no run). */
async function expectOnRelay(url: string, workspace: string, f: Fixture): Promise<void> {
  for (const id of format1Keys(f.ws)) {
    if (!doc.isRunId(id)) continue;
    const seen = await relayRun(url, workspace, id);
    expect(seen === null ? 'unreachable' : seen, `run ${id}`).toEqual(expectedRun(f, id));
  }
  expect(await relayHistory(url, workspace, MINE, 'loss')).toEqual(MINE_HISTORY);
}

describe('SDK journal upgrade, format 1 → 2', () => {
  it('[SDK-20] relay reachable: every run it lacks becomes a run doc on it, points are delivered exactly once, the journal is format 2', async () => {
    const t = new Closer();
    try {
      const relay = t.add(await startTestRelay(), (r) => r.dispose());
      const f = format1Journal();
      const dataDir = t.dir();
      const dir = journalDir(dataDir, relay.url, 'up');
      await writeJournal(dir, f.records);

      const c = t.track(await connect({ relay: relay.url, workspace: 'up', dataDir }));
      expect(c.status).toBe('synced');
      // Nothing is called: the converted runs go out by themselves (SDK-19).
      await waitFor(async () => (await relayRun(relay.url, 'up', fixtureIds.plain))?.info.runName === 'plain', 'the converted runs to reach the relay', 15_000);
      await c.flush({ timeoutMs: 15_000 });
      await expectOnRelay(relay.url, 'up', f);
      expect((await c.getExperiment(FIXTURE_EXPERIMENT))?.name).toBe(`exp-${FIXTURE_EXPERIMENT}`);
      expect((await c.listRuns(FIXTURE_EXPERIMENT)).map((r) => r.info.runId).sort()).toEqual(
        [fixtureIds.plain, fixtureIds.conflict, fixtureIds.twoWriters, fixtureIds.garbled, MINE].sort(),
      );
      await c.close();

      const st = await loadJournal(dir);
      expect(st.format).toBe(2);
      expect(st.dirty.size).toBe(0);
      expect(st.points).toEqual([]);
      const ws = journalDoc(st, 'ws');
      expect(doc.hasFormat1Runs(ws)).toBe(false);
      expect(st.updates.has(`run/${MINE}/metrics`)).toBe(true);
      // A second client (another data dir) reads the same.
      const b = await t.client({ relay: relay.url, workspace: 'up' });
      expect(await b.getRun(MINE)).toEqual(expectedRun(f, MINE));
      expect(await b.getMetricHistory(MINE, 'loss')).toEqual(MINE_HISTORY);
      // Reopened, nothing is sent twice.
      const again = t.track(await connect({ relay: relay.url, workspace: 'up', dataDir }));
      await again.flush({ timeoutMs: 10_000 });
      expect(await relayHistory(relay.url, 'up', MINE, 'loss')).toEqual(MINE_HISTORY);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-20] with the relay’s state vector only what is ahead is written, onto the relay’s own conversion: its later changes stay', async () => {
    const t = new Closer();
    try {
      const relay = t.add(await startTestRelay(), (r) => r.dispose());
      // The relay got the format-1 workspace earlier (a format-1 client synced it; the relay converted it, RELAY-38).
      const base = format1Fixture();
      const seedDoc = new Y.Doc();
      Y.applyUpdate(seedDoc, Y.encodeStateAsUpdate(base));
      const seedConn = new RoomConnection(seedDoc, { relay: relay.url, room: 'ahead', WebSocketPolyfill: WebSocket });
      await seedConn.flush();
      seedConn.destroy();
      await waitFor(async () => (await relayRun(relay.url, 'ahead', fixtureIds.conflict))?.info.runName === 'conflict', 'the relay to convert the synced format-1 runs');
      // Since then someone tagged a run on the relay, and this (format-1) client, offline, tagged another one.
      const other = await t.client({ relay: relay.url, workspace: 'ahead' });
      await other.startRun({ runId: fixtureIds.conflict }).then(async (r) => {
        r.setTag('reviewed', 'yes');
        await r.end('FINISHED');
      });
      const f = format1Journal(base);
      const plainTags = f.ws.getMap<Y.Map<Y.Map<unknown>>>('runs').get(fixtureIds.plain)!.get('tags')!;
      f.ws.transact(() => plainTags.set('phase', 'offline'));
      f.records[2] = recUpdate('ws', Y.encodeStateAsUpdate(f.ws));

      const dataDir = t.dir();
      const dir = journalDir(dataDir, relay.url, 'ahead');
      await writeJournal(dir, f.records);
      const c = t.track(await connect({ relay: relay.url, workspace: 'ahead', dataDir }));
      await c.flush({ timeoutMs: 15_000 });

      expect((await relayRun(relay.url, 'ahead', fixtureIds.plain))!.tags.phase).toBe('offline');
      const conflict = (await relayRun(relay.url, 'ahead', fixtureIds.conflict))!;
      expect(conflict.tags.reviewed).toBe('yes');
      expect(conflict.params).toEqual(readFormat1Run(f.ws, fixtureIds.conflict)!.params);
      expect(conflict.conflicts).toEqual(readFormat1Run(f.ws, fixtureIds.conflict)!.conflicts);
      expect(await relayRun(relay.url, 'ahead', MINE)).toEqual(expectedRun(f, MINE));
      expect(await relayHistory(relay.url, 'ahead', MINE, 'loss')).toEqual(MINE_HISTORY);
      // Only the runs holding something the relay lacked were converted here.
      await c.close();
      const names = (await loadJournal(dir)).updates;
      expect(names.has(`run/${fixtureIds.plain}`)).toBe(true);
      expect(names.has(`run/${MINE}`)).toBe(true);
      expect(names.has(`run/${fixtureIds.twoWriters}`)).toBe(false);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-20] relay unreachable at the upgrade: logging works, nothing is converted or lost, and it finishes by itself once the relay is back', async () => {
    const t = new Closer();
    const data = tempDir('cairn-relay-');
    t.add(data, (d) => d.remove());
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const f = format1Journal();
      const dataDir = t.dir();
      const dir = journalDir(dataDir, url, 'later');
      await writeJournal(dir, f.records);

      const a = t.track(await connect({ relay: url, workspace: 'later', dataDir }));
      expect(a.status).toBe('connecting');
      await a.createExperiment('made-offline'); // the workspace doc holds a change of this session now
      const fresh = await a.startRun({ experimentId: FIXTURE_EXPERIMENT, runName: 'offline-new' });
      fresh.logMetric('m', 1, { step: 0 });
      await a.close({ timeoutMs: 200 });
      // Reopened, still offline: the journal is format 2, the format-1 runs and the pending points are still there.
      const st = await loadJournal(dir);
      expect(st.format).toBe(2);
      expect(doc.format1RunIds(journalDoc(st, 'ws')).sort()).toEqual(format1Keys(f.ws).filter((k) => doc.isRunId(k)).sort());
      expect(st.points.reduce((n, p) => n + p.keys.length, 0)).toBe(2);
      const b = t.track(await connect({ relay: url, workspace: 'later', dataDir }));

      const relay = t.add(await startTestRelay({ port, dataDir: data.path }), (r) => r.dispose());
      await waitFor(() => b.status === 'synced', 'the upgrade to finish and the workspace doc to connect', 20_000);
      await b.flush({ timeoutMs: 15_000 });
      await expectOnRelay(url, 'later', f);
      expect((await relayRun(url, 'later', fresh.id))!.info.runName).toBe('offline-new');
      expect(await relayHistory(url, 'later', fresh.id, 'm')).toHaveLength(1);
      expect((await b.listRuns(FIXTURE_EXPERIMENT)).map((r) => r.info.runName)).toContain('offline-new');
      expect((await (await t.client({ relay: url, workspace: 'later' })).getExperimentByName('made-offline'))).not.toBeNull();
      // The workspace doc went on the network only after its runs were converted: the relay never saw a format-1 run.
      expect(relay.logs.filter((l) => /format-1 run/.test(l))).toEqual([]);
      await b.close();
      const after = await loadJournal(dir);
      expect(after.dirty.size).toBe(0);
      expect(doc.hasFormat1Runs(journalDoc(after, 'ws'))).toBe(false);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-20] a refused token is still connect()’s answer (UNAUTHENTICATED) when the upgrade asks the relay first; the journal keeps everything', async () => {
    const t = new Closer();
    const data = tempDir('cairn-relay-');
    t.add(data, (d) => d.remove());
    try {
      const relay = t.add(await startTestRelay({ auth: 'tokens', dataDir: data.path }), (r) => r.dispose());
      const db = openRelayDatabase(data.path);
      const write = new TokenStore(db).create('guarded', 'write').token;
      db.close();
      const f = format1Journal();
      const dataDir = t.dir();
      const dir = journalDir(dataDir, relay.url, 'guarded');
      await writeJournal(dir, f.records);
      const t0 = Date.now();
      await expectCairnError(() => connect({ relay: relay.url, workspace: 'guarded', dataDir, token: 'not-a-token' }), 'UNAUTHENTICATED');
      expect(Date.now() - t0).toBeLessThan(4_000);
      expect(doc.format1RunIds(journalDoc(await loadJournal(dir), 'ws')).length).toBeGreaterThan(0);
      // With the right token the same journal upgrades and reaches the relay.
      const c = t.track(await connect({ relay: relay.url, workspace: 'guarded', dataDir, token: write }));
      await c.flush({ timeoutMs: 15_000 });
      expect(await relayRun(relay.url, 'guarded', MINE, write)).toEqual(expectedRun(f, MINE));
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-20] no relay: every run becomes a run doc here and reads as format 1 read it', async () => {
    const t = new Closer();
    try {
      const f = format1Journal();
      const dataDir = t.dir();
      await writeJournal(journalDir(dataDir, null, 'solo'), f.records);
      const c = t.track(await connect({ relay: null, workspace: 'solo', dataDir }));
      for (const id of format1Keys(f.ws).filter((k) => doc.isRunId(k))) expect(await c.getRun(id), `run ${id}`).toEqual(expectedRun(f, id) ?? null);
      expect(await c.getMetricHistory(MINE, 'loss')).toEqual(MINE_HISTORY);
      await c.close();
      expect(doc.hasFormat1Runs(journalDoc(await loadJournal(journalDir(dataDir, null, 'solo')), 'ws'))).toBe(false);
    } finally {
      await t.closeAll();
    }
  });
});

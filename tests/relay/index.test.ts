import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as doc from '../../lib/doc';
import { IndexReplica, rowFromRun, sameRow, type IndexMessage, type IndexRow } from '../../lib/run-index';
import { openRelayDatabase } from '../../server/relay/database';
import { SqliteDocStore } from '../../server/relay/sqlite-doc-store';
import { mulberry32 } from '../shared/random';
import { buildCli, runCli, spawnRelay, type RelayProcess } from './helpers/cli-process';
import { fetchIndexMessage } from './helpers/docs';
import { startTestRelay, tempDir, type TestRelay } from './helpers/in-process';
import { RunWriter } from './helpers/run-writer';
import { waitFor } from './helpers/wait';

const WS = 'indexed';
const readIndex = (url: string, exp: string, since = 0, epoch = ''): Promise<IndexMessage> => fetchIndexMessage(url, WS, exp, since, epoch);

const byId = (a: { runId: string }, b: { runId: string }) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);

/** The replica holds exactly the rows a direct read of the writer's run docs gives. */
function expectSameRows(rows: IndexRow[], writer: RunWriter, exp: string): void {
  const direct = writer.runs(exp).map((r) => rowFromRun(r)).sort(byId);
  expect(rows.map((r) => r.runId)).toEqual(direct.map((r) => r.runId));
  rows.forEach((r, i) => expect(sameRow(r, direct[i]!), r.runId).toBe(true));
}

describe('the relay serves experiment indexes fed from run docs', () => {
  let relay: TestRelay;
  let w: RunWriter;
  let exp: string;
  let exp2: string;
  const runIds: string[] = [];
  beforeAll(async () => {
    relay = await startTestRelay();
    w = new RunWriter(relay.url, WS);
    await w.ready();
    doc.ensureWorkspace(w.ctx);
    exp = doc.createExperiment(w.ctx, { name: 'sweep' });
    exp2 = doc.createExperiment(w.ctx, { name: 'other' });
    for (let i = 0; i < 5; i++) {
      const { runId } = doc.startRun(w.ctx, { experimentId: exp, runName: `r${i}` });
      doc.logBatch(w.ctx, { runId, params: [{ key: 'lr', value: String(0.1 * (i + 1)) }] });
      runIds.push(runId);
    }
    doc.appendMetrics(w.ctx, w.metricsDoc(runIds[0]!), runIds[0]!, [
      { key: 'loss', value: 0.5, step: 1, timestamp: 10 },
      { key: 'loss', value: 0.25, step: 2, timestamp: 20 },
    ]);
    await w.flush();
  });
  afterAll(async () => {
    w.destroy();
    await relay.dispose();
  });

  it('[RELAY-31] [RELAY-33] a snapshot holds exactly the rows of a direct read of the run docs; deltas carry only what changed', async () => {
    const snap = await readIndex(relay.url, exp);
    expect(snap.fromSeq).toBe(0);
    expectSameRows(snap.rows, w, exp);
    expect(snap.rows.find((r) => r.runId === runIds[0])!.metrics.loss).toEqual({ latest: 0.25, min: 0.25, max: 0.5, count: 2 });

    const replica = new IndexReplica();
    replica.apply(snap);
    doc.setTag(w.ctx, { runId: runIds[1]!, key: 'note', value: 'best' });
    doc.deleteRun(w.ctx, runIds[2]!);
    await w.flush();
    const delta = await readIndex(relay.url, exp, replica.seq, replica.epoch);
    expect(delta.fromSeq).toBe(replica.seq);
    expect(delta.rows.map((r) => r.runId).sort()).toEqual([runIds[1], runIds[2]].sort());
    expect(replica.apply(delta)).toBe(true);
    expectSameRows(replica.allRows(), w, exp);
    expect(replica.allRows().find((r) => r.runId === runIds[2])!.lifecycleStage).toBe('deleted');

    doc.updateRun(w.ctx, { runId: runIds[3]!, runName: 'renamed' });
    doc.logBatch(w.ctx, { runId: runIds[4]!, params: [{ key: 'extra', value: 'x' }] });
    // Points only (the metrics room): the run's row changes through its summary, in the run doc.
    doc.appendMetrics(w.ctx, w.metricsDoc(runIds[0]!), runIds[0]!, [{ key: 'loss', value: 0.1, step: 3, timestamp: 30 }]);
    await w.flush();
    const next = await readIndex(relay.url, exp, replica.seq, replica.epoch);
    expect(next.rows.map((r) => r.runId).sort()).toEqual([runIds[0], runIds[3], runIds[4]].sort());
    expect(replica.apply(next)).toBe(true);
    expectSameRows(replica.allRows(), w, exp);
    // Nothing changed: an empty delta.
    const idle = await readIndex(relay.url, exp, replica.seq, replica.epoch);
    expect(idle.rows).toEqual([]);
    expect(idle.removed).toEqual([]);
    expect(idle.toSeq).toBe(replica.seq);
  });

  it('[RELAY-33] a run that moves to another experiment leaves its old index (a tombstone) and joins the new one; an unreadable run doc leaves too', async () => {
    const a = new IndexReplica();
    a.apply(await readIndex(relay.url, exp));
    const b = new IndexReplica();
    b.apply(await readIndex(relay.url, exp2));
    expect(b.allRows()).toEqual([]);
    const moved = runIds[4]!;
    w.runDoc(moved).transact(() => doc.runFields(w.runDoc(moved)).set('experimentId', exp2));
    await w.flush();
    const da = await readIndex(relay.url, exp, a.seq, a.epoch);
    expect(da.removed).toEqual([moved]);
    expect(a.apply(da)).toBe(true);
    const db = await readIndex(relay.url, exp2, b.seq, b.epoch);
    expect(db.rows.map((r) => r.runId)).toEqual([moved]);
    expect(b.apply(db)).toBe(true);
    expectSameRows(a.allRows(), w, exp);
    expectSameRows(b.allRows(), w, exp2);
    // A peer garbles the run's experiment id: no readable run, it leaves every index.
    const garbled = runIds[3]!;
    w.runDoc(garbled).transact(() => doc.runFields(w.runDoc(garbled)).set('experimentId', 'not an id!'));
    await w.flush();
    const dg = await readIndex(relay.url, exp, a.seq, a.epoch);
    expect(dg.removed).toEqual([garbled]);
    expect(a.apply(dg)).toBe(true);
    expect(a.allRows().map((r) => r.runId)).not.toContain(garbled);
    // And comes back when repaired.
    w.runDoc(garbled).transact(() => doc.runFields(w.runDoc(garbled)).set('experimentId', exp));
    await w.flush();
    expect(a.apply(await readIndex(relay.url, exp, a.seq, a.epoch))).toBe(true);
    expectSameRows(a.allRows(), w, exp);
  });

  it('[RELAY-31] an experiment with no runs has an empty index whose epoch readers keep', async () => {
    const empty = doc.createExperiment(w.ctx, { name: 'empty' });
    await w.flush();
    const first = await readIndex(relay.url, empty);
    expect(first.rows).toEqual([]);
    const second = await readIndex(relay.url, empty, first.toSeq, first.epoch);
    expect(second.epoch).toBe(first.epoch);
  });

  it('[RELAY-31] bad paths, unknown experiments and bad sequence numbers get the JSON error shape', async () => {
    const cases: [string, number, string][] = [
      [`/index/${WS}/999`, 404, 'RESOURCE_DOES_NOT_EXIST'],
      [`/index/${WS}/not%20an%20id`, 400, 'INVALID_PARAMETER_VALUE'],
      [`/index/${WS}/${exp}?since=-1`, 400, 'INVALID_PARAMETER_VALUE'],
      [`/index/${WS}`, 400, 'INVALID_PARAMETER_VALUE'],
      [`/index/${WS}/%E0%A4%A`, 400, 'INVALID_PARAMETER_VALUE'],
    ];
    for (const [path, status, code] of cases) {
      const res = await fetch(`${relay.url}${path}`);
      expect(res.status, path).toBe(status);
      expect(await res.json(), path).toMatchObject({ error_code: code });
    }
  });
});

describe('the dirty marker before the fold', () => {
  it('[RELAY-34] a committed run update leaves its dirty marker in the database before any fold', async () => {
    // A fold delay longer than a flush on a loaded machine: the marker is looked at before the fold can run.
    const relay = await startTestRelay({ indexFoldDelayMs: 3_000 });
    const w = new RunWriter(relay.url, WS);
    try {
      await w.ready();
      doc.ensureWorkspace(w.ctx);
      const exp = doc.createExperiment(w.ctx, { name: 'marked' });
      const { runId } = doc.startRun(w.ctx, { experimentId: exp, runName: 'm' });
      await w.flush();
      const dirty = () => {
        const db = new Database(join(relay.dataDir, 'relay.sqlite'), { readonly: true });
        try {
          return (db.prepare('SELECT run_id FROM index_dirty WHERE workspace = ?').all(WS) as { run_id: string }[]).map((r) => r.run_id);
        } finally {
          db.close();
        }
      };
      expect(dirty()).toContain(runId);
      // Folded within the fold delay, without a reader asking.
      await waitFor(() => dirty().length === 0, 'the background fold');
    } finally {
      w.destroy();
      await relay.dispose();
    }
  });
});

describe('the run-dirty marker and the update commit together', () => {
  it('[RELAY-34] an append whose marker cannot be written is not stored either', () => {
    const dir = tempDir();
    const db = openRelayDatabase(dir.path);
    try {
      const store = new SqliteDocStore(db);
      store.setAppendHook(() => {
        throw new Error('marker write failed');
      });
      expect(() => store.append('w/run/r1', new Uint8Array([1, 2, 3]))).toThrow(/marker write failed/);
      expect(store.load('w/run/r1')).toEqual([]);
      store.setAppendHook(null);
      expect(store.append('w/run/r1', new Uint8Array([1, 2, 3]))).toBe(1);
    } finally {
      db.close();
      dir.remove();
    }
  });
});

describe('indexes across relay restarts and SIGKILL', () => {
  const data = tempDir();
  let cli: string;
  const procs: RelayProcess[] = [];
  beforeAll(async () => {
    cli = await buildCli();
  });
  afterAll(async () => {
    for (const p of procs) await p.kill();
    data.remove();
  });
  const start = async () => {
    const p = await spawnRelay(cli, ['--port', '0', '--data', data.path, '--open']);
    procs.push(p);
    return p;
  };

  it('[RELAY-34] [RELAY-6] after SIGKILL the numbering goes on: a reader catches up with a delta, no run missing, no stale row', async () => {
    let relay = await start();
    const w = new RunWriter(relay.url, WS);
    try {
      await w.ready();
      doc.ensureWorkspace(w.ctx);
      const exp = doc.createExperiment(w.ctx, { name: 'killed' });
      const ids = Array.from({ length: 8 }, (_, i) => doc.startRun(w.ctx, { experimentId: exp, runName: `k${i}` }).runId);
      await w.flush();
      const replica = new IndexReplica();
      replica.apply(await readIndex(relay.url, exp));
      const random = mulberry32(31);
      for (let round = 0; round < 6; round++) {
        // Acknowledged writes, then a kill: right away (the fold has not run), or after a reader or the fold saw them.
        for (let k = 0; k < 3; k++) {
          const id = ids[Math.floor(random() * ids.length)]!;
          doc.setTag(w.ctx, { runId: id, key: `t${round}`, value: String(k) });
        }
        if (round === 2) ids.push(doc.startRun(w.ctx, { experimentId: exp, runName: 'late' }).runId);
        if (round === 4) doc.deleteRun(w.ctx, ids[0]!);
        await w.flush();
        const when = random();
        if (when > 0.66) await new Promise((r) => setTimeout(r, 700));
        else if (when > 0.33) expect(replica.apply(await readIndex(relay.url, exp, replica.seq, replica.epoch))).toBe(true);
        w.disconnect();
        await relay.kill();
        relay = await start();
        const msg = await readIndex(relay.url, exp, replica.seq, replica.epoch);
        expect(msg.epoch, `round ${round}`).toBe(replica.epoch);
        expect(msg.fromSeq, `round ${round}: a delta`).toBe(replica.seq);
        expect(replica.apply(msg)).toBe(true);
        expectSameRows(replica.allRows(), w, exp);
        await w.connect(relay.url);
      }
    } finally {
      w.destroy();
    }
  }, 60_000);

  it('[RELAY-35] cairn relay reindex rebuilds from every run doc and prints its time; readers of the old epoch get a snapshot', async () => {
    const relay = await start();
    const w = new RunWriter(relay.url, WS);
    let exp: string;
    const before: IndexMessage[] = [];
    try {
      await w.ready();
      exp = doc.getExperimentByName(w.ws, 'killed')!.experimentId;
      before.push(await readIndex(relay.url, exp));
      // A relay serving the folder: refused.
      const refused = runCli(cli, ['relay', 'reindex', '--data', data.path]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/a relay \(pid \d+\) is serving/);
      w.disconnect();
    } finally {
      w.destroy();
    }
    expect(await relay.stop()).toBe(0);
    const r = runCli(cli, ['relay', 'reindex', '--data', data.path]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`index: workspace ${WS}: \\d+ runs in 1 experiments rebuilt in \\d+ ms`));
    expect(r.stdout).toMatch(/index: rebuilt 1 workspace\(s\), \d+ runs, in \d+ ms/);
    const one = runCli(cli, ['relay', 'reindex', '--data', data.path, '--workspace', WS]);
    expect(one.status, one.stderr).toBe(0);
    expect(runCli(cli, ['relay', 'reindex', '--data', data.path, '--workspace', 'bad/ws']).status).toBe(1);
    const again = await start();
    const snap = await readIndex(again.url, exp!, before[0]!.toSeq, before[0]!.epoch);
    expect(snap.fromSeq).toBe(0);
    expect(snap.epoch).not.toBe(before[0]!.epoch);
    expect(snap.rows.map((x) => x.runId)).toEqual(before[0]!.rows.map((x) => x.runId));
    snap.rows.forEach((row, i) => expect(sameRow(row, before[0]!.rows[i]!)).toBe(true));
  }, 30_000);

  it('[RELAY-35] a relay whose index tables are empty rebuilds them at start and logs the time', async () => {
    for (const p of procs) await p.kill();
    const db = new Database(join(data.path, 'relay.sqlite'));
    db.exec("DELETE FROM index_rows; DELETE FROM index_experiments; DELETE FROM index_removed; DELETE FROM relay_meta WHERE key = 'index_built'");
    db.close();
    const relay = await start();
    expect(relay.output()).toMatch(/index: rebuilt 1 workspace\(s\), 9 runs, in \d+ ms/);
    const w = new RunWriter(relay.url, WS);
    try {
      await w.connect(relay.url);
      const exp = doc.getExperimentByName(w.ws, 'killed')!.experimentId;
      const rows = (await readIndex(relay.url, exp)).rows;
      expect(rows).toHaveLength(9);
    } finally {
      w.destroy();
    }
  }, 30_000);
});

describe('index-changed notices on the workspace socket', () => {
  it('[RELAY-40] once a fold moved an experiment\'s index, every socket of its workspace room hears (experiment, seq, epoch)', async () => {
    const relay = await startTestRelay();
    const { RoomConnection } = await import('../../lib/relay-client');
    const { WebSocket } = await import('ws');
    const Y = await import('yjs');
    const w = new RunWriter(relay.url, 'noticed');
    const listener = new RoomConnection(new Y.Doc(), { relay: relay.url, room: 'noticed', WebSocketPolyfill: WebSocket });
    // A stock y-websocket client did not ask for notices: it gets none (it would log an unknown message type).
    const { connectClient } = await import('./helpers/clients');
    const stock = connectClient(relay.url, 'noticed');
    const stockTypes: number[] = [];
    stock.provider.messageHandlers[101] = () => void stockTypes.push(101);
    try {
      await w.ready();
      doc.ensureWorkspace(w.ctx);
      const exp = doc.createExperiment(w.ctx, { name: 'live' });
      await w.flush();
      await waitFor(() => listener.state === 'synced', 'listener synced');
      const heard: { experimentId: string; seq: number; epoch: string }[] = [];
      listener.onIndexChanged((n) => heard.push(n));
      const { runId } = doc.startRun(w.ctx, { experimentId: exp });
      await w.flush();
      await waitFor(() => heard.length > 0, 'a notice');
      const snap = await fetchIndexMessage(relay.url, 'noticed', exp, 0, '');
      expect(heard.at(-1)).toEqual({ experimentId: exp, seq: snap.toSeq, epoch: snap.epoch });
      expect(snap.rows.map((r) => r.runId)).toEqual([runId]);
      // A change that leaves the row as it was (the same tag again) folds to nothing: no notice.
      const n = heard.length;
      doc.setTag(w.ctx, { runId, key: 'k', value: 'v' });
      await w.flush();
      await waitFor(() => heard.length > n, 'a second notice');
      const m = heard.length;
      doc.setTag(w.ctx, { runId, key: 'k', value: 'v' });
      await w.flush();
      await new Promise((r) => setTimeout(r, 1_200));
      expect(heard.length).toBe(m);
      expect(stockTypes).toEqual([]);
    } finally {
      stock.provider.destroy();
      listener.destroy();
      w.destroy();
      await relay.dispose();
    }
  });
});

describe('stored snapshots', () => {
  it('[RELAY-41] a snapshot is stored: after a restart it is served as stored; a big one a little behind is served at once and the reader catches up by delta', async () => {
    const dir = tempDir();
    const { IndexReplica: Replica } = await import('../../lib/run-index');
    let relay = await startTestRelay({ dataDir: dir.path, indexStaleSnapshotBytes: 0 });
    const w = new RunWriter(relay.url, 'stored');
    try {
      await w.ready();
      doc.ensureWorkspace(w.ctx);
      const exp = doc.createExperiment(w.ctx, { name: 'big' });
      const ids = Array.from({ length: 5 }, (_, i) => doc.startRun(w.ctx, { experimentId: exp, runName: `r${i}` }).runId);
      await w.flush();
      const first = await fetchIndexMessage(relay.url, 'stored', exp);
      expect(first.rows.map((r) => r.runId).sort()).toEqual([...ids].sort());
      const rows = () => {
        const db = new Database(join(dir.path, 'relay.sqlite'), { readonly: true });
        try {
          return db.prepare('SELECT seq FROM index_snapshots WHERE workspace = ?').all('stored');
        } finally {
          db.close();
        }
      };
      expect(rows()).toEqual([{ seq: first.toSeq }]);

      // A change: the stored snapshot is now one behind. Served as it is (stale allowed here from 0 bytes)...
      doc.setTag(w.ctx, { runId: ids[0]!, key: 'note', value: 'later' });
      await w.flush();
      const behind = await fetchIndexMessage(relay.url, 'stored', exp);
      expect(behind.toSeq).toBe(first.toSeq);
      // ...and one delta from it brings the reader to the index as it is.
      const replica = new Replica();
      replica.apply(behind);
      expect(replica.apply(await fetchIndexMessage(relay.url, 'stored', exp, replica.seq, replica.epoch))).toBe(true);
      expect(replica.allRows().find((r) => r.runId === ids[0])!.tags.note).toBe('later');
      // Refreshed in the background: the stored one catches up.
      await waitFor(() => (rows()[0] as { seq: number }).seq > first.toSeq, 'stored snapshot refreshed');

      // A restart keeps the epoch and the stored bytes: the first read is the stored snapshot, not a re-assembly.
      w.disconnect();
      await relay.close();
      relay = await startTestRelay({ dataDir: dir.path, indexStaleSnapshotBytes: 0 });
      const again = await fetchIndexMessage(relay.url, 'stored', exp);
      expect(again.epoch).toBe(first.epoch);
      expect(again.rows.find((r) => r.runId === ids[0])!.tags.note).toBe('later');
    } finally {
      w.destroy();
      await relay.dispose();
      dir.remove();
    }
  });
});

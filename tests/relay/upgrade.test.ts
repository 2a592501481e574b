import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as doc from '../../lib/doc';
import { rowFromRun, sameRow } from '../../lib/run-index';
import {
  dumpRows,
  fixtureRunIds,
  format1Workspace,
  readFormat1Points,
  readFormat1Run,
  writeFormat1DataFolder,
  type Format1Workspace,
} from '../shared/format1';
import { connectClient, waitSynced } from './helpers/clients';
import { buildCli, spawnRelay } from './helpers/cli-process';
import { fetchDoc, fetchIndexMessage } from './helpers/docs';
import { startTestRelay, tempDir } from './helpers/in-process';
import { waitFor } from './helpers/wait';

const seriesAsPoints = (s: { steps: ArrayLike<number>; timestamps: ArrayLike<number>; values: ArrayLike<number> }) =>
  Array.from({ length: s.values.length }, (_, i) => ({ step: s.steps[i]!, timestamp: s.timestamps[i]!, value: s.values[i]! }));

/**
 * What "losing nothing" means (RELAY-37): every run of the format-1 workspace reads from its run doc exactly as format
 * 1 read it, the points of every run room read from its metrics room, the workspace doc keeps its experiments and
 * holds no runs, and the index of each experiment lists exactly its runs with the rows of those readings.
 */
async function expectUpgraded(url: string, workspaces: Format1Workspace[]): Promise<void> {
  for (const w of workspaces) {
    const wsDoc = await fetchDoc(url, w.name);
    expect(doc.hasFormat1Runs(wsDoc), w.name).toBe(false);
    expect(doc.listExperiments(wsDoc, 'ALL')).toEqual(doc.listExperiments(w.doc, 'ALL'));
    for (const id of fixtureRunIds(w)) {
      const runDoc = await fetchDoc(url, `${w.name}/run/${id}`);
      const expected = readFormat1Run(w.doc, id);
      expect(expected, id).toBeDefined();
      expect(doc.readRun(id, runDoc), `${w.name} run ${id}`).toEqual(expected);
    }
    for (const [id, rows] of w.runRooms) {
      const metrics = await fetchDoc(url, `${w.name}/run/${id}/metrics`);
      const got = new Map([...doc.readSeries(metrics)].map(([k, s]) => [k, seriesAsPoints(s)]));
      expect(got, `points of ${id}`).toEqual(readFormat1Points(rows));
      expect(got.size).toBeGreaterThan(0);
    }
    for (const [exp, ids] of w.runsByExperiment) {
      const msg = await fetchIndexMessage(url, w.name, exp);
      expect(msg.rows.map((r) => r.runId), `index ${w.name}/${exp}`).toEqual([...ids].sort());
      for (const row of msg.rows) expect(sameRow(row, rowFromRun(readFormat1Run(w.doc, row.runId)!)), row.runId).toBe(true);
    }
    wsDoc.destroy();
  }
}

describe('a format-1 data folder is upgraded at start', () => {
  const data = tempDir('cairn-upgrade-');
  const db = join(data.path, 'relay.sqlite');
  const workspaces = [format1Workspace('team', { bulk: 24, seed: 1 }), format1Workspace('other', { bulk: 6, seed: 2 })];
  let written: ReturnType<typeof writeFormat1DataFolder>;
  beforeAll(() => {
    written = writeFormat1DataFolder(data.path, workspaces);
  });
  afterAll(() => data.remove());

  it('[RELAY-37] [RELAY-35] nothing is lost: run docs read as format 1 read the runs, points are in metrics rooms, the copy is the original, the index lists every run', async () => {
    const relay = await startTestRelay({ dataDir: data.path });
    try {
      expect(relay.logs.some((l) => l.includes(`copied ${db} to ${db}.format1`))).toBe(true);
      expect(relay.logs.some((l) => /upgrade: data folder is format 2 \(2 workspaces, 38 runs\)/.test(l))).toBe(true);
      expect(relay.logs.some((l) => /index: rebuilt 2 workspace\(s\), 38 runs, in \d+ ms/.test(l))).toBe(true);
      expect(dumpRows(`${db}.format1`)).toEqual(written);
      await expectUpgraded(relay.url, workspaces);
      // The `runs` entry that was no run is gone with the others; its id has no run doc.
      const notARun = [...workspaces[0]!.doc.getMap('runs').keys()].find((k) => !fixtureRunIds(workspaces[0]!).includes(k))!;
      expect(doc.readRun(notARun, await fetchDoc(relay.url, `team/run/${notARun}`))).toBeUndefined();
    } finally {
      await relay.close();
    }
  });

  it('[RELAY-37] a second start does nothing more', async () => {
    const before = dumpRows(db);
    const relay = await startTestRelay({ dataDir: data.path });
    try {
      expect(relay.logs.filter((l) => l.startsWith('upgrade:') || l.startsWith('index: rebuilt'))).toEqual([]);
      expect(dumpRows(db)).toEqual(before);
      await expectUpgraded(relay.url, workspaces);
    } finally {
      await relay.close();
    }
  });
});

describe('an upgrade interrupted mid-way ends in the same result when run again', () => {
  const workspaces = [format1Workspace('alpha', { bulk: 10, seed: 3 }), format1Workspace('beta', { bulk: 10, seed: 4 })];
  const data = tempDir('cairn-upgrade-abort-');
  const killed = tempDir('cairn-upgrade-kill-');
  afterAll(() => {
    data.remove();
    killed.remove();
  });

  it('[RELAY-37] a workspace whose transaction fails is left untouched, the one before it stays done, a rerun finishes', async () => {
    const written = writeFormat1DataFolder(data.path, workspaces);
    const file = join(data.path, 'relay.sqlite');
    const raw = new Database(file);
    raw.exec(`CREATE TRIGGER boom BEFORE INSERT ON doc_updates WHEN NEW.room LIKE 'beta/run/%' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`);
    raw.close();
    await expect(startTestRelay({ dataDir: data.path })).rejects.toThrow(/injected failure/);
    const mid = dumpRows(file);
    expect(mid.filter((r) => r.room.startsWith('beta'))).toEqual(written.filter((r) => r.room.startsWith('beta')));
    expect(mid.some((r) => r.room.startsWith('alpha/run/') && r.room.endsWith('/metrics'))).toBe(true);
    const again = new Database(file);
    again.exec('DROP TRIGGER boom');
    again.close();
    const relay = await startTestRelay({ dataDir: data.path });
    try {
      expect(relay.logs.some((l) => l.includes('keeping') && l.includes('.format1'))).toBe(true);
      expect(relay.logs.some((l) => l.startsWith('upgrade: workspace alpha'))).toBe(false);
      expect(relay.logs.some((l) => l.startsWith('upgrade: workspace beta'))).toBe(true);
      // The copy is from before the first attempt: the original folder.
      expect(dumpRows(`${file}.format1`)).toEqual(written);
      await expectUpgraded(relay.url, workspaces);
    } finally {
      await relay.close();
    }
  });

  it('[RELAY-37] [RELAY-6] SIGKILL during the upgrade: the next start finishes it, losing nothing', async () => {
    const big = [format1Workspace('k1', { bulk: 300, seed: 5 }), format1Workspace('k2', { bulk: 300, seed: 6 }), format1Workspace('k3', { bulk: 300, seed: 7 })];
    const written = writeFormat1DataFolder(killed.path, big);
    const cli = await buildCli();
    const proc = spawn(process.execPath, [cli, 'relay', '--port', '0', '--data', killed.path, '--open'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<void>((done) => proc.on('exit', () => done()));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('upgrade: workspace k1')) proc.kill('SIGKILL');
    });
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    await exited;
    expect(out).toContain('upgrade: workspace k1');
    const relay = await spawnRelay(cli, ['--port', '0', '--data', killed.path, '--open']);
    try {
      expect(existsSync(join(killed.path, 'relay.sqlite.format1'))).toBe(true);
      expect(dumpRows(join(killed.path, 'relay.sqlite.format1'))).toEqual(written);
      await expectUpgraded(relay.url, big);
    } finally {
      await relay.kill();
    }
  }, 60_000);
});

describe('format-1 runs a client syncs into an upgraded workspace room', () => {
  it('[RELAY-38] are written into their run docs and dropped from the workspace doc again; the index lists them', async () => {
    const relay = await startTestRelay();
    const fixture = format1Workspace('live', { bulk: 4, seed: 8 });
    const local = new Y.Doc();
    Y.applyUpdate(local, Y.encodeStateAsUpdate(fixture.doc));
    const client = connectClient(relay.url, 'live', { doc: local });
    try {
      await waitSynced(client);
      expect(await client.flush()).toBe(0);
      // The relay's drop comes back to the client: its doc holds no runs either.
      await waitFor(() => !doc.hasFormat1Runs(local), 'the client to receive the drop');
      expect(doc.hasFormat1Runs(await fetchDoc(relay.url, 'live'))).toBe(false);
      for (const id of fixtureRunIds(fixture)) {
        expect(doc.readRun(id, await fetchDoc(relay.url, `live/run/${id}`)), id).toEqual(readFormat1Run(fixture.doc, id));
      }
      for (const [exp, ids] of fixture.runsByExperiment) {
        expect((await fetchIndexMessage(relay.url, 'live', exp)).rows.map((r) => r.runId)).toEqual([...ids].sort());
      }
      expect(relay.logs.some((l) => l.includes('format-1 run(s) synced by a client'))).toBe(true);

      // Another replica brings one of them back with a tag it added offline: the run doc gains the tag, keeps the rest.
      // (It synced the format-1 workspace before the upgrade, then wrote the run anew under its own client id.)
      const id = fixture.runsByExperiment.get('7')![0]!;
      const runMap = fixture.doc.getMap('runs').get(id) as Y.Map<unknown>;
      const other = new Y.Doc();
      other.clientID = 777_777;
      Y.applyUpdate(other, Y.encodeStateAsUpdate(fixture.doc));
      other.transact(() => {
        const copy = new Y.Map<unknown>();
        other.getMap('runs').set(id, copy);
        for (const [k, v] of runMap.entries()) if (!(v instanceof Y.AbstractType)) copy.set(k, v);
        const tags = new Y.Map<unknown>();
        copy.set('tags', tags);
        for (const [k, v] of (runMap.get('tags') as Y.Map<unknown>).entries()) tags.set(k, v);
        tags.set('late', 'tag');
      });
      const second = connectClient(relay.url, 'live', { doc: other });
      try {
        await waitSynced(second);
        expect(await second.flush()).toBe(0);
        await waitFor(() => !doc.hasFormat1Runs(other), 'the second client to receive the drop');
        const run = doc.readRun(id, await fetchDoc(relay.url, `live/run/${id}`))!;
        const before = readFormat1Run(fixture.doc, id)!;
        expect(run.tags).toEqual({ ...before.tags, late: 'tag' });
        expect(run.params).toEqual(before.params);
        expect(run.conflicts).toEqual(before.conflicts);
        expect(run.metrics).toEqual(before.metrics);
        const row = (await fetchIndexMessage(relay.url, 'live', '7')).rows.find((r) => r.runId === id)!;
        expect(row.tags.late).toBe('tag');
      } finally {
        second.destroy();
      }
    } finally {
      client.destroy();
      await relay.dispose();
    }
  });
});

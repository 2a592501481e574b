import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import * as doc from '@/lib/doc';
import type { Run } from '@/lib/domain';
import { buildIndexes } from '@/lib/run-index';
import {
  FIXTURE_EXPERIMENT,
  addFormat1Run,
  fixtureIds,
  format1Container,
  format1Fixture,
  format1Keys,
  format1RunDoc,
  format1RunMap,
  readFormat1Run,
  runFields,
  writeHostileFormat1Runs,
} from '../shared/format1-unit';
import * as relayFormat1 from '../shared/format1';

/*
 * Format 1 → 2 (lib/doc/SPEC.md DOC-U1..DOC-U3): format-1 stores built by hand with raw Yjs
 * (tests/shared/format1-unit.ts), converted by lib/doc/upgrade.ts, read with format 2's readers and compared with a
 * format-1 reading written in the test helper.
 */

const SEP = '\u0001';

/** Converts every key under `runs` into a fresh run doc (what a relay or a replica does with its own copy). */
function convertAll(ws: Y.Doc, into = new Map<string, Y.Doc>()): Map<string, Y.Doc> {
  for (const id of format1Keys(ws)) {
    let d = into.get(id);
    if (!d) into.set(id, (d = new Y.Doc()));
    doc.convertFormat1Run(ws, id, d);
  }
  return into;
}

/** Format 2's reading of every key, next to format 1's. */
function readings(ws: Y.Doc, docs: Map<string, Y.Doc>) {
  return format1Keys(ws).map((id) => ({ id, got: docs.has(id) ? doc.readRun(id, docs.get(id)!) : undefined, want: readFormat1Run(ws, id) }));
}

function expectSameReadings(ws: Y.Doc, docs: Map<string, Y.Doc>, what: string): void {
  for (const { id, got, want } of readings(ws, docs)) expect(got, `${what}: ${JSON.stringify(id.slice(0, 40))}`).toEqual(want);
}

const pull = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
const items = (d: Y.Doc): Y.Item[] => [...d.store.clients.values()].flat().filter((s): s is Y.Item => s instanceof Y.Item);

/** A hostile format-1 workspace next to the realistic one. */
function hostileFormat1(): Y.Doc {
  const ws = format1Fixture();
  writeHostileFormat1Runs(ws, FIXTURE_EXPERIMENT);
  return ws;
}

afterEach(() => vi.restoreAllMocks());

describe('format 1 → 2', () => {
  it('[DOC-U1] a realistic format-1 workspace converts to run docs that read exactly as format 1 read it', () => {
    const ws = format1Fixture();
    const docs = convertAll(ws);
    expectSameReadings(ws, docs, 'fixture');
    const read = (id: string) => doc.readRun(id, docs.get(id)!);
    // What format 1 showed, spelled out (the helper's reading is no tautology).
    expect(read(fixtureIds.plain)).toMatchObject({
      info: { runName: 'plain', status: 'RUNNING', experimentId: FIXTURE_EXPERIMENT, endTime: null },
      params: { lr: '0.01', optimizer: 'adam' },
      tags: { team: 'vision', constructor: 'kept' },
      conflicts: [],
      inputs: [],
    });
    expect(read(fixtureIds.plain)!.artifacts.map((a) => a.path)).toEqual(['model/weights.bin', 'notes.txt']);
    expect(read(fixtureIds.plain)!.metrics.acc!.latest).toBeNaN();
    const conflict = read(fixtureIds.conflict)!;
    expect(conflict.params).toEqual({ lr: '0.1', bs: '32' });
    expect(conflict.conflicts.map((x) => [x.rejectedValue, x.rejectedBy, x.at])).toEqual([['0.2', 'bob', 21], ['0.3', 'carol', 22]]);
    expect(read(fixtureIds.twoWriters)!.metrics).toEqual({
      grad: { key: 'grad', latest: -Infinity, latestStep: 0, latestTimestamp: 5, min: -Infinity, max: 3, count: 2 },
      loss: { key: 'loss', latest: 0.4, latestStep: 12, latestTimestamp: 90, min: 0.4, max: Infinity, count: 17 },
    });
    expect(read(fixtureIds.deleted)!.info).toMatchObject({ lifecycleStage: 'deleted', deletedTime: 1_600_000_070_000 });
    const garbled = read(fixtureIds.garbled)!;
    expect(garbled.info).toMatchObject({ status: 'RUNNING', startTime: 0, runName: 'garbled' });
    expect(garbled).toMatchObject({ params: { ok: '1' }, tags: { ok: '1' }, artifacts: [{ path: 'ok.txt' }] });
    expect(Object.keys(garbled.metrics)).toEqual(['m']);
    expect(docs.has(fixtureIds.orphan) && read(fixtureIds.orphan)).toBeUndefined();
    expect(doc.convertFormat1Run(ws, fixtureIds.notAMap, new Y.Doc())).toBe(false);
    // The index built from the run docs is the one format 1's runs gave.
    const f1Runs = format1Keys(ws).map((id) => readFormat1Run(ws, id)).filter((r): r is Run => !!r);
    const f2Runs = doc.listRuns(docs, { view: 'ALL' });
    expect(f2Runs.map((r) => r.info.runId).sort()).toEqual(f1Runs.map((r) => r.info.runId).sort());
    const [i1, i2] = [buildIndexes(f1Runs), buildIndexes(f2Runs)];
    expect([...i2.keys()]).toEqual([...i1.keys()]);
    for (const [e, index] of i1) expect(i2.get(e)!.allRows()).toEqual(index.allRows());
  });

  it('[DOC-U1] the relay\'s format-1 fixture (two merged writers, bulk runs, run rooms) converts losing nothing', () => {
    const w = relayFormat1.format1Workspace('w', { bulk: 24, seed: 3 });
    const docs = convertAll(w.doc);
    for (const id of format1Keys(w.doc)) {
      const want = relayFormat1.readFormat1Run(w.doc, id);
      // Two format-1 readings written apart (the relay's and this folder's) agree.
      expect(readFormat1Run(w.doc, id), id).toEqual(want);
      expect(doc.readRun(id, docs.get(id)!), id).toEqual(want);
    }
    expect(doc.listRuns(docs, { view: 'ALL' }).map((r) => r.info.runId).sort()).toEqual(relayFormat1.fixtureRunIds(w).sort());
    for (const [id, rows] of w.runRooms) {
      const metricsDoc = new Y.Doc();
      Y.applyUpdate(metricsDoc, doc.metricsDocFromFormat1RunDoc(Y.mergeUpdates(rows)));
      const points = new Map([...doc.readSeries(metricsDoc)].map(([k, s]) => [k, Array.from(s.values, (value, i) => ({ step: s.steps[i]!, timestamp: s.timestamps[i]!, value }))]));
      expect(points, id).toEqual(relayFormat1.readFormat1Points(rows));
    }
  });

  it('[DOC-U1] hostile format-1 content converts without a throw, a warning or a nested type, and reads as format 1 read it', () => {
    const ws = hostileFormat1();
    const errors = vi.spyOn(console, 'error');
    const warnings = vi.spyOn(console, 'warn');
    const docs = convertAll(ws);
    expect(errors).not.toHaveBeenCalled();
    expect(warnings).not.toHaveBeenCalled();
    expectSameReadings(ws, docs, 'hostile');
    expect(readings(ws, docs).filter((r) => r.want).length).toBeGreaterThan(40);
    for (const d of docs.values()) {
      for (const it of items(d)) {
        expect(it.content).not.toBeInstanceOf(Y.ContentType);
        expect(it.content).not.toBeInstanceOf(Y.ContentDoc);
      }
    }
  });

  it('[DOC-U1] the old run room becomes the metrics doc as it is; the workspace doc drops its runs and says format 2', () => {
    const runId = fixtureIds.plain;
    const chunks = [doc.encodeChunk('loss', [0, 1, 2], [1, 2, 3], [1, NaN, -Infinity]), doc.encodeChunk('acc', [5], [6], [0.5]), doc.encodeChunk('loss', [3], [4], [0.25])];
    const old = format1RunDoc(runId, chunks);
    const metricsDoc = new Y.Doc();
    Y.applyUpdate(metricsDoc, doc.metricsDocFromFormat1RunDoc(Y.encodeStateAsUpdate(old)));
    const series = (d: Y.Doc) => [...doc.readSeries(d)].map(([k, s]) => [k, [...s.steps], [...s.timestamps], [...s.values].map(String)]);
    expect(series(metricsDoc)).toEqual(series(old));
    expect(doc.metricHistory(metricsDoc, 'loss').map((p) => p.step)).toEqual([0, 1, 2, 3]);

    // Points flushed after the upgrade land next to the old ones (the metrics doc still names its run).
    const ws = format1Fixture();
    const c = doc.memoryCtx(ws, 'after');
    for (const id of doc.format1RunIds(ws)) doc.convertFormat1Run(ws, id, c.runDoc(id));
    c.metricsDocs.set(runId, metricsDoc);
    doc.appendMetrics(c, metricsDoc, runId, [{ key: 'loss', value: 0.1, step: 4, timestamp: 5 }]);
    expect(doc.metricHistory(metricsDoc, 'loss').map((p) => p.value)).toEqual([1, NaN, -Infinity, 0.25, 0.1]);

    const experimentsBefore = doc.listExperiments(ws, 'ALL');
    expect(doc.hasFormat1Runs(ws)).toBe(true);
    expect(doc.format1RunIds(ws).sort()).toEqual(Object.values(fixtureIds).sort());
    doc.dropFormat1Runs(ws);
    expect(doc.hasFormat1Runs(ws)).toBe(false);
    expect(ws.getMap('runs').size).toBe(0);
    expect(doc.wsMeta(ws).get('formatVersion')).toBe(2);
    expect(doc.listExperiments(ws, 'ALL')).toEqual(experimentsBefore);
    // The converted runs live on without the workspace doc's runs, and the write rules hold for them.
    expect(doc.getRun(c, fixtureIds.conflict)!.conflicts).toHaveLength(2);
    expect(() => doc.logParam(c, { runId: fixtureIds.conflict, key: 'lr', value: '9' })).toThrow(/Changing param values is not allowed/);
    doc.logParam(c, { runId: fixtureIds.conflict, key: 'new', value: '1' });
    expect(doc.getRun(c, fixtureIds.conflict)!.params).toEqual({ lr: '0.1', bs: '32', new: '1' });
  });

  it('[DOC-U2] converting twice writes nothing the second time and reads the same', () => {
    const ws = hostileFormat1();
    const docs = convertAll(ws);
    const before = new Map([...docs].map(([id, d]) => [id, Y.encodeStateVector(d)]));
    convertAll(ws, docs);
    for (const [id, d] of docs) expect(Y.encodeStateVector(d), JSON.stringify(id.slice(0, 40))).toEqual(before.get(id));
    expectSameReadings(ws, docs, 'twice');
  });

  it('[DOC-U2] two replicas converting the same runs, then merging, read as one conversion (conflicts counted once)', () => {
    // The same format-1 state on two replicas (different Yjs clients wrote nothing new: one state, two copies).
    const ws = hostileFormat1();
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(ws));
    const [a, b] = [convertAll(ws), convertAll(copy)];
    for (const [id, da] of a) {
      const db = b.get(id)!;
      const [ua, ub] = [Y.encodeStateAsUpdate(da), Y.encodeStateAsUpdate(db)];
      Y.applyUpdate(da, ub);
      Y.applyUpdate(db, ua);
    }
    expectSameReadings(ws, a, 'merged a');
    expectSameReadings(ws, b, 'merged b');
    // The merged docs really hold both copies of every param entry: the reading is what dedupes them.
    expect(doc.runParams(a.get(fixtureIds.conflict)!).length).toBe(8);
    expect(doc.readRun(fixtureIds.conflict, a.get(fixtureIds.conflict)!)!.conflicts).toHaveLength(2);
  });

  it('[DOC-U2] converting a newer format-1 copy onto an older conversion adds exactly what is new', () => {
    const relay = format1Fixture();
    const older = convertAll(relay);
    // Another replica logged more in format 1 (a param, a tag, a share rewritten) before it upgraded.
    const newer = new Y.Doc();
    Y.applyUpdate(newer, Y.encodeStateAsUpdate(relay));
    newer.transact(() => {
      format1Container<Y.Array<unknown>>(newer, fixtureIds.plain, 'params').push([{ key: 'seed', value: '1', actor: 'dave', at: 50 }]);
      format1Container<Y.Map<unknown>>(newer, fixtureIds.plain, 'tags').set('team', 'audio');
      format1Container<Y.Map<unknown>>(newer, fixtureIds.plain, 'metrics').set(`loss${SEP}alice`, { latest: 0.1, latestStep: 9, latestTimestamp: 9, min: 0.1, max: 1, count: 9 });
      format1RunMap(newer, fixtureIds.plain).set('status', 'FINISHED');
    });
    const before = doc.runParams(older.get(fixtureIds.plain)!).length;
    convertAll(newer, older);
    expectSameReadings(newer, older, 'newer onto older');
    expect(doc.runParams(older.get(fixtureIds.plain)!).length).toBe(before + 1);
  });
});

describe('format-1 changes not on the relay', () => {
  /** A local format-1 replica that synced with the relay (history with overwrites), then worked offline. */
  function offlineReplica() {
    const local = format1Fixture(101);
    // History before the last sync: values overwritten (what every format-1 flush of a share did), a tag set twice.
    local.transact(() => {
      for (let i = 0; i < 3; i++) format1Container<Y.Map<unknown>>(local, fixtureIds.twoWriters, 'metrics').set(`loss${SEP}alice`, { latest: i, latestStep: 20 + i, latestTimestamp: 200 + i, min: 0, max: 2, count: 11 + i });
      format1Container<Y.Map<unknown>>(local, fixtureIds.deleted, 'tags').set('note', 'a');
    });
    format1Container<Y.Map<unknown>>(local, fixtureIds.deleted, 'tags').set('note', 'b');
    const relay = new Y.Doc();
    relay.clientID = 202;
    Y.applyUpdate(relay, Y.encodeStateAsUpdate(local));
    const relaySv = Y.encodeStateVector(relay);

    // Offline: a tag on one run, a param on another, a share rewritten, a tag deleted (only that), a new run.
    const newRun = '99'.repeat(16);
    format1Container<Y.Map<unknown>>(local, fixtureIds.plain, 'tags').set('offline', 'yes');
    format1Container<Y.Array<unknown>>(local, fixtureIds.conflict, 'params').push([{ key: 'epochs', value: '10', actor: 'alice', at: 60 }]);
    format1Container<Y.Map<unknown>>(local, fixtureIds.twoWriters, 'metrics').set(`loss${SEP}alice`, { latest: 0.01, latestStep: 40, latestTimestamp: 400, min: 0.01, max: 2, count: 30 });
    format1Container<Y.Map<unknown>>(local, fixtureIds.garbled, 'tags').delete('ok');
    addFormat1Run(local, newRun, { fields: runFields(FIXTURE_EXPERIMENT, 'offline-run'), tags: { 'mlflow.runName': 'offline-run' } });
    const edited = [fixtureIds.plain, fixtureIds.conflict, fixtureIds.twoWriters, fixtureIds.garbled, newRun].sort();
    return { local, relay, relaySv, edited, newRun };
  }

  it('[DOC-U3] format1RunsAhead lists exactly the runs edited offline (a tag deletion alone included); null lists every run', () => {
    const { local, relaySv, edited } = offlineReplica();
    expect(doc.format1RunsAhead(local, relaySv).sort()).toEqual(edited);
    expect(doc.format1RunsAhead(local, null).sort()).toEqual(doc.format1RunIds(local).sort());
    // A relay holding everything: nothing to push, overwritten history and all, except the run with a deletion: a
    // state vector cannot tell which deletions the relay saw, so a deletion always counts (pushing is harmless: DOC-U2).
    expect(doc.format1RunsAhead(local, Y.encodeStateVector(local))).toEqual([fixtureIds.garbled]);
    const deletedBefore = format1Fixture(303);
    format1Container<Y.Map<unknown>>(deletedBefore, fixtureIds.plain, 'tags').delete('team');
    expect(doc.format1RunsAhead(deletedBefore, Y.encodeStateVector(deletedBefore))).toEqual([fixtureIds.plain]);
  });

  it('[DOC-U3] pushing the runs ahead onto the relay\'s conversion, re-syncing the rest: every run reads as the local format-1 copy', () => {
    const { local, relay, relaySv, newRun } = offlineReplica();
    // Meanwhile another replica logged a param into `conflict` on the relay (still format 1 there), then it upgraded.
    format1Container<Y.Array<unknown>>(relay, fixtureIds.conflict, 'params').push([{ key: 'epochs', value: '20', actor: 'erin', at: 61 }]);
    const relayDocs = convertAll(relay);

    const ahead = new Set(doc.format1RunsAhead(local, relaySv));
    const mine = new Map<string, Y.Doc>();
    for (const id of format1Keys(local)) {
      const d = new Y.Doc();
      mine.set(id, d);
      const theirs = relayDocs.get(id);
      if (theirs) pull(theirs, d);
      if (ahead.has(id)) doc.convertFormat1Run(local, id, d, relaySv);
      // Pushed: the relay's run doc gets what the replica added.
      if (theirs) pull(d, theirs);
      else relayDocs.set(id, d);
    }
    for (const id of format1Keys(local)) {
      const want = readFormat1Run(local, id);
      const got = doc.readRun(id, mine.get(id)!);
      expect(doc.readRun(id, relayDocs.get(id)!)).toEqual(got);
      if (id === fixtureIds.conflict) {
        // Both offline writes of `epochs` are kept: the relay's came first in the array (it converted first), the
        // local one is a conflict record. Nothing was lost.
        expect(got!.params.epochs).toBe('20');
        expect(got!.conflicts.map((x) => [x.key, x.rejectedValue])).toEqual([['lr', '0.2'], ['lr', '0.3'], ['epochs', '10']]);
        continue;
      }
      expect(got, id).toEqual(want);
    }
    expect(doc.readRun(newRun, relayDocs.get(newRun)!)!.info.runName).toBe('offline-run');
    expect(doc.readRun(fixtureIds.plain, relayDocs.get(fixtureIds.plain)!)!.tags.offline).toBe('yes');
    expect(doc.readRun(fixtureIds.twoWriters, relayDocs.get(fixtureIds.twoWriters)!)!.metrics.loss).toMatchObject({ latest: 0.01, count: 37 });
  });

  it('[DOC-U3] with the relay\'s state vector only what is ahead is written: a tag deleted offline goes, a value changed on the relay since stays', () => {
    const { local, relay, relaySv } = offlineReplica();
    // On the relay meanwhile (format 1 there, then upgraded): someone else retagged `plain` and renamed `conflict`.
    format1Container<Y.Map<unknown>>(relay, fixtureIds.plain, 'tags').set('team', 'from-the-relay');
    format1RunMap(relay, fixtureIds.conflict).set('name', 'renamed-on-the-relay');
    const relayDocs = convertAll(relay);
    for (const id of doc.format1RunsAhead(local, relaySv)) {
      const d = relayDocs.get(id) ?? new Y.Doc();
      relayDocs.set(id, d);
      doc.convertFormat1Run(local, id, d, relaySv);
    }
    expect(doc.readRun(fixtureIds.garbled, relayDocs.get(fixtureIds.garbled)!)!.tags.ok).toBeUndefined();
    // Not ahead here, so the relay's newer word stands (a full copy would have put the old values back).
    expect(doc.readRun(fixtureIds.plain, relayDocs.get(fixtureIds.plain)!)!.tags).toMatchObject({ team: 'from-the-relay', offline: 'yes' });
    expect(doc.readRun(fixtureIds.conflict, relayDocs.get(fixtureIds.conflict)!)!.info.runName).toBe('renamed-on-the-relay');
  });
});

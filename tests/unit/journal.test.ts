import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import * as Y from 'yjs';
import { JOURNAL_FORMAT, REC_ACTOR, REC_BLOB, REC_CHECKPOINT, REC_CLEAN, REC_DIRTY, REC_FORMAT, recPoints, recSimple, recUpdate, replay } from '@/lib/sdk/journal';
import { renameFormat1Journal } from '@/lib/sdk/format1';
import { JournalLog } from '@/lib/sdk/journal-log';
import { openNodeJournal } from '@/lib/sdk/journal-node';

const dir = () => mkdtempSync(join(tmpdir(), 'cairn-journal-'));
const pts = (seq: number) => recPoints({ seq, runId: 'r1', keys: ['a', 'b'], values: [1, NaN], steps: [seq, seq], timestamps: [5, 5] });

async function loadErr(d: string): Promise<CairnError> {
  const j = await openNodeJournal(d);
  try {
    await j.load();
  } catch (e) {
    return e as CairnError;
  } finally {
    await j.close();
  }
  throw new Error('load did not fail');
}

describe('SDK journal (Node file)', () => {
  it('[SDK-4] replays updates and the points after the last checkpoint; NaN kept', async () => {
    const d = dir();
    const j = await openNodeJournal(d);
    j.append([recSimple(REC_FORMAT, JOURNAL_FORMAT), recUpdate('ws', new Uint8Array([1, 2, 3])), pts(1), recSimple(3, 1), pts(2)]);
    await j.close();
    const st = await (await openNodeJournal(d)).load();
    expect(st.updates.get('ws')).toEqual([new Uint8Array([1, 2, 3])]);
    expect(st.points.map((p) => p.seq)).toEqual([2]);
    expect(st.points[0]!.values[1]).toBeNaN();
    expect(st.lastSeq).toBe(2);
  });

  it('[SDK-4] a torn last frame (crash mid-append) is cut off; everything before it is kept', async () => {
    const d = dir();
    const j = await openNodeJournal(d);
    j.append([pts(1), pts(2)]);
    await j.close();
    const f = join(d, 'journal.bin');
    const full = readFileSync(f);
    writeFileSync(f, full.subarray(0, full.length - 3));
    const j2 = await openNodeJournal(d);
    const st = await j2.load();
    expect(st.points.map((p) => p.seq)).toEqual([1]);
    j2.append([pts(3)]);
    await j2.close();
    expect((await (await openNodeJournal(d)).load()).points.map((p) => p.seq)).toEqual([1, 3]);
  });

  it('[SDK-11] damage in the middle is refused with DATA_LOSS and the file is left untouched', async () => {
    const d = dir();
    const j = await openNodeJournal(d);
    j.append([pts(1), pts(2), pts(3)]);
    await j.close();
    const f = join(d, 'journal.bin');
    const bytes = readFileSync(f);
    bytes[12] = bytes[12]! ^ 0xff;
    writeFileSync(f, bytes);
    const err = await loadErr(d);
    expect(err).toBeInstanceOf(CairnError);
    expect(err.code).toBe('DATA_LOSS');
    expect(readFileSync(f).equals(bytes)).toBe(true);
  });

  it('[SDK-11] a journal from a newer format is refused, not overwritten', async () => {
    const d = dir();
    const j = await openNodeJournal(d);
    j.append([recSimple(REC_FORMAT, JOURNAL_FORMAT + 1), pts(1)]);
    await j.close();
    const before = readFileSync(join(d, 'journal.bin'));
    const err = await loadErr(d);
    expect(err.code).toBe('INVALID_STATE');
    expect(readFileSync(join(d, 'journal.bin')).equals(before)).toBe(true);
  });

  it('[SDK-19] dirty and clean records: the last one per doc wins, across appends and a reopen; a compaction keeps the marks', async () => {
    const d = dir();
    const j = await openNodeJournal(d);
    j.append([recSimple(REC_FORMAT, JOURNAL_FORMAT), recSimple(REC_DIRTY, 'run/a'), recSimple(REC_DIRTY, 'run/a/metrics'), recSimple(REC_DIRTY, 'ws')]);
    j.append([recSimple(REC_CLEAN, 'run/a'), recSimple(REC_CLEAN, 'ws'), recSimple(REC_DIRTY, 'ws')]);
    await j.close();
    const j2 = await openNodeJournal(d);
    const st = await j2.load();
    expect(st.format).toBe(JOURNAL_FORMAT);
    expect([...st.dirty].sort()).toEqual(['run/a/metrics', 'ws']);
    // The journal log's compaction: one update per doc, then the dirty marks.
    const log = new JournalLog(j2, st.updates, st.dirty);
    const doc = new Y.Doc();
    log.bind('run/b', doc);
    for (let i = 0; i < 5; i++) doc.getMap('m').set(`k${i}`, i);
    await log.setDirty('run/b', true);
    await log.setDirty('ws', false);
    const snap = replay(log.snapshotRecords(), 'snapshot');
    expect([...snap.dirty].sort()).toEqual(['run/a/metrics', 'run/b']);
    expect(snap.updates.get('run/b')).toHaveLength(1);
    const back = new Y.Doc();
    Y.applyUpdate(back, snap.updates.get('run/b')![0]!);
    expect(back.getMap('m').toJSON()).toEqual({ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4 });
    await j2.close();
  });

  it('[SDK-20] a format-1 journal is recognised (with or without its format record) and its chunk docs are renamed; points, checkpoint and blobs carry over', () => {
    const ws = new Y.Doc();
    ws.getMap('runs').set('r'.repeat(32), new Y.Map());
    const chunks = new Y.Doc();
    chunks.getArray('chunks').push([new Uint8Array([1, 2, 3])]);
    const body = [
      recSimple(REC_ACTOR, 'me'),
      recUpdate('ws', Y.encodeStateAsUpdate(ws)),
      recUpdate('run/abc', Y.encodeStateAsUpdate(chunks)),
      recSimple(REC_CHECKPOINT, 7),
      pts(6),
      pts(8),
      recSimple(REC_BLOB, 'f'.repeat(64)),
    ];
    const old = replay([recSimple(REC_FORMAT, 1), ...body], 'x');
    expect(old.format).toBe(1);
    expect(replay(body, 'x').format).toBe(1); // journals from before the format record
    expect(replay([], 'x').format).toBeNull();
    const up = renameFormat1Journal(old, 'me')!;
    expect(up.renamed).toEqual(['abc']);
    const st = replay(up.records, 'upgraded');
    expect(st.format).toBe(JOURNAL_FORMAT);
    expect([...st.updates.keys()].sort()).toEqual(['run/abc/metrics', 'ws']);
    expect(st.updates.get('run/abc/metrics')).toEqual([Y.encodeStateAsUpdate(chunks)]);
    expect([...st.dirty]).toEqual(['run/abc/metrics']);
    expect(st.points.map((p) => p.seq)).toEqual([8]);
    expect(st.lastSeq).toBe(8);
    expect([...st.pendingBlobs]).toEqual(['f'.repeat(64)]);
    expect(st.actor).toBe('me');
    // The workspace doc keeps its format-1 runs: they are converted by the client, onto the relay's copy.
    const back = new Y.Doc();
    Y.applyUpdate(back, Y.mergeUpdates(st.updates.get('ws')!));
    expect([...back.getMap('runs').keys()]).toEqual(['r'.repeat(32)]);
    expect(renameFormat1Journal(st, 'me')).toBeNull();
  });
});

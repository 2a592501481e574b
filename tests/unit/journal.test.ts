import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import { JOURNAL_FORMAT, REC_FORMAT, recPoints, recSimple, recUpdate } from '@/lib/sdk/journal';
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
});

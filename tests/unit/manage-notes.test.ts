import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CairnError } from '@/lib/domain';
import * as doc from '@/lib/doc';

function replica(actor: string, clientID?: number) {
  let t = 1_700_000_000_000;
  const ctx = doc.memoryCtx(new Y.Doc(), actor, () => ++t);
  doc.ensureWorkspace(ctx);
  if (clientID !== undefined) ctx.ws.clientID = clientID;
  return ctx;
}

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

/** A tiny seeded PRNG (mulberry32), so a failing case can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Types `word` at `at` into a replica's description the way the page does: one edit per keystroke on what it shows. */
function typeInto(c: doc.Ctx, runId: string, shown: string, at: number, word: string): string {
  let text = shown;
  for (let i = 0; i < word.length; i++) {
    const next = text.slice(0, at + i) + word[i] + text.slice(at + i);
    const edit = doc.diffText(text, next)!;
    text = doc.editRunNote(c, { runId, before: text, edit });
  }
  return text;
}

describe('run descriptions (lib/doc/run-notes.ts, text-edit.ts)', () => {
  it('[RUNPAGE-N3] diffText finds the one replaced region; applyEdit replays it', () => {
    expect(doc.diffText('abc', 'abc')).toBeNull();
    expect(doc.diffText('abc', 'abXc')).toEqual({ index: 2, deleteCount: 0, insert: 'X' });
    expect(doc.diffText('hello world', 'hello')).toEqual({ index: 5, deleteCount: 6, insert: '' });
    expect(doc.diffText('aaa', 'aaaa')).toEqual({ index: 3, deleteCount: 0, insert: 'a' });
    expect(doc.diffText('one two three', 'one 2 three')).toEqual({ index: 4, deleteCount: 3, insert: '2' });
    const r = rng(7);
    const alphabet = 'ab c\n';
    for (let n = 0; n < 500; n++) {
      const rand = (len: number) => Array.from({ length: len }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
      const a = rand(Math.floor(r() * 12));
      const b = rand(Math.floor(r() * 12));
      const e = doc.diffText(a, b);
      expect(e ? doc.applyEdit(a, e) : a).toBe(b);
    }
  });

  it('[RUNPAGE-N3] the caret maps through a peer change and stays before text inserted at it', () => {
    const remote = doc.diffText('hello world', 'hello big world')!;
    expect(doc.mapIndex(2, remote)).toBe(2); // before the change
    expect(doc.mapIndex(6, remote)).toBe(6); // exactly where the peer inserted: stays before it
    expect(doc.mapIndex(11, remote)).toBe(15); // after: shifted
    const del = doc.diffText('hello big world', 'hello world')!;
    expect(doc.mapIndex(8, del)).toBe(6); // inside deleted text: to the start
    expect(doc.mapIndex(15, del)).toBe(11);
  });

  it('[RUNPAGE-N3] a local edit made before a peer change lands where it was meant; a local delete never eats the peer words', () => {
    // Typed at the end while a peer prefixed the text.
    const e1 = doc.rebaseEdit({ index: 5, deleteCount: 0, insert: '!' }, 'hello', 'oh, hello');
    expect(doc.applyEdit('oh, hello', e1)).toBe('oh, hello!');
    // Typed at the start while a peer appended.
    const e2 = doc.rebaseEdit({ index: 0, deleteCount: 0, insert: '> ' }, 'hello', 'hello there');
    expect(doc.applyEdit('hello there', e2)).toBe('> hello there');
    // Deleted a word the peer was typing inside: the peer's new letters stay.
    const e3 = doc.rebaseEdit({ index: 6, deleteCount: 5, insert: '' }, 'hello world', 'hello woXrld');
    const out = doc.applyEdit('hello woXrld', e3);
    expect(out).toContain('X');
    expect(out.startsWith('hello ')).toBe(true);
    // Deleted after the peer's region: shifted by it.
    const e4 = doc.rebaseEdit({ index: 6, deleteCount: 5, insert: 'there' }, 'hello world', 'oh hello world');
    expect(doc.applyEdit('oh hello world', e4)).toBe('oh hello there');
  });

  it('[RUNPAGE-N2] editRunNote applies one edit in one transaction and returns the text; bad edits write nothing', () => {
    const c = replica('a1');
    const { runId } = doc.startRun(c, { experimentId: '0' });
    const d = c.runDoc(runId);
    let txs = 0;
    d.on('afterTransaction', () => txs++);
    expect(doc.editRunNote(c, { runId, before: '', edit: { index: 0, deleteCount: 0, insert: 'first words' } })).toBe('first words');
    expect(txs).toBe(1);
    expect(doc.readRunNote(d)).toBe('first words');
    const refuse = (input: Parameters<typeof doc.editRunNote>[1]) => {
      try {
        doc.editRunNote(c, input);
        return 'NO_ERROR';
      } catch (e) {
        return e instanceof CairnError ? e.code : 'OTHER';
      }
    };
    expect(refuse({ runId, before: 'first words', edit: { index: 20, deleteCount: 1, insert: '' } })).toBe('INVALID_PARAMETER_VALUE');
    expect(refuse({ runId, before: 'first words', edit: { index: 0, deleteCount: 0, insert: 'x'.repeat(doc.MAX_NOTE_LENGTH) } })).toBe('INVALID_PARAMETER_VALUE');
    expect(refuse({ runId: 'f'.repeat(32), before: '', edit: { index: 0, deleteCount: 0, insert: 'x' } })).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(doc.readRunNote(d)).toBe('first words');
    expect(txs).toBe(1);
  });

  it('[RUNPAGE-N1] readRun exposes the description as mlflow.note.content; a tag set by MLflow seeds the text', () => {
    const c = replica('a1');
    const { runId } = doc.startRun(c, { experimentId: '0' });
    expect(doc.getRun(c, runId)!.tags[doc.NOTE_TAG]).toBeUndefined();
    doc.setTag(c, { runId, key: doc.NOTE_TAG, value: 'from mlflow' });
    const out = doc.editRunNote(c, { runId, before: 'from mlflow', edit: { index: 11, deleteCount: 0, insert: '!' } });
    expect(out).toBe('from mlflow!');
    expect(doc.getRun(c, runId)!.tags[doc.NOTE_TAG]).toBe('from mlflow!');
  });

  it('[RUNPAGE-N1] garbage under notes reads as no text, never a throw', () => {
    for (const write of [
      (d: Y.Doc) => d.getMap('notes').set('x', 1),
      (d: Y.Doc) => d.getArray('notes').push([{ a: 1 }]),
      (d: Y.Doc) => d.getText('notes').insertEmbed(0, { image: 'x' }),
    ]) {
      const peer = new Y.Doc();
      write(peer);
      const d = new Y.Doc();
      Y.applyUpdate(d, Y.encodeStateAsUpdate(peer));
      expect(() => doc.readRunNote(d)).not.toThrow();
      expect(typeof doc.readRunNote(d)).toBe('string');
    }
  });

  it('[RUNPAGE-N5] two replicas typing into one description at once both keep their words (seeded)', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed);
      const a = replica('a', 1000 + seed);
      const b = replica('b', 5000 + seed);
      const { runId } = doc.startRun(a, { experimentId: '0' });
      sync(a.ws, b.ws);
      const da = a.runDoc(runId);
      const db = b.runDoc(runId);
      da.clientID = 11 + seed;
      db.clientID = 99 + seed;
      sync(da, db);
      let ta = doc.editRunNote(a, { runId, before: '', edit: { index: 0, deleteCount: 0, insert: 'middle' } });
      sync(da, db);
      let tb = doc.readRunNote(db);
      const wa = `alpha${seed}`;
      const wb = `zulu${seed}`;
      // Interleave keystrokes, syncing at random moments; each side types at its own (mapped) caret.
      let ca = 0;
      let cb = tb.length;
      let ia = 0;
      let ib = 0;
      while (ia < wa.length || ib < wb.length) {
        if (ia < wa.length && (ib >= wb.length || r() < 0.5)) {
          ta = typeInto(a, runId, ta, ca, wa[ia++]!);
          ca += 1;
        } else {
          tb = typeInto(b, runId, tb, cb, wb[ib++]!);
          cb += 1;
        }
        if (r() < 0.3) {
          sync(da, db);
          const na = doc.readRunNote(da);
          ca = doc.mapIndex(ca, doc.diffText(ta, na));
          ta = na;
          const nb = doc.readRunNote(db);
          cb = doc.mapIndex(cb, doc.diffText(tb, nb));
          tb = nb;
        }
      }
      sync(da, db);
      const final = doc.readRunNote(da);
      expect(doc.readRunNote(db)).toBe(final);
      expect(final).toContain(wa);
      expect(final).toContain(wb);
      expect(final).toContain('middle');
    }
  });

  it('[RUNPAGE-N4] a caret as a relative position stays by its character while a peer types before it', () => {
    const a = replica('a');
    const { runId } = doc.startRun(a, { experimentId: '0' });
    const d = a.runDoc(runId);
    doc.editRunNote(a, { runId, before: '', edit: { index: 0, deleteCount: 0, insert: 'hello world' } });
    const pos = JSON.parse(JSON.stringify(doc.noteCursorAt(d, 6))); // before "world", as awareness carries it
    doc.editRunNote(a, { runId, before: 'hello world', edit: { index: 0, deleteCount: 0, insert: 'well, ' } });
    expect(doc.noteCursorIndex(d, pos)).toBe(12);
    expect(doc.readRunNote(d).slice(12)).toBe('world');
    for (const bad of [null, 1, 'x', {}, { type: 5 }, { item: { client: 'x' } }]) expect(doc.noteCursorIndex(d, bad)).toBeNull();
  });
  it('[RUNPAGE-N6] undo takes back this replica\'s own last editing step only (a peer\'s words stay); redo puts it back', async () => {
    const a = replica('a', 1);
    const b = replica('b', 2);
    const { runId } = doc.startRun(a, { experimentId: '0' });
    sync(a.ws, b.ws);
    const [da, db] = [a.runDoc(runId), b.runDoc(runId)];
    da.clientID = 11;
    db.clientID = 22;
    sync(da, db);
    // Nothing typed here yet: nothing to undo.
    expect(doc.undoRunNote(a, { runId, redo: false })).toEqual({ text: '', changed: false });
    const ta = typeInto(a, runId, '', 0, 'middle');
    await new Promise((r) => setTimeout(r, doc.NOTE_UNDO_GROUP_MS + 50)); // the next typing is a new step
    typeInto(a, runId, ta, 0, 'alpha ');
    sync(da, db);
    typeInto(b, runId, doc.readRunNote(db), doc.readRunNote(db).length, ' zulu');
    sync(da, db);
    expect(doc.readRunNote(da)).toBe('alpha middle zulu');
    // A's undo: its "alpha " goes (one step: the keystrokes were typed together), B's " zulu" stays, on both.
    expect(doc.undoRunNote(a, { runId, redo: false })).toEqual({ text: 'middle zulu', changed: true });
    sync(da, db);
    expect(doc.readRunNote(db)).toBe('middle zulu');
    // B's own undo takes back only B's word.
    expect(doc.undoRunNote(b, { runId, redo: false }).text).toBe('middle');
    sync(da, db);
    // A redoes its step; then undoes twice (both steps), and a third undo has nothing left.
    expect(doc.undoRunNote(a, { runId, redo: true }).text).toBe('alpha middle');
    expect(doc.undoRunNote(a, { runId, redo: false }).text).toBe('middle');
    expect(doc.undoRunNote(a, { runId, redo: false }).text).toBe('');
    expect(doc.undoRunNote(a, { runId, redo: false }).changed).toBe(false);
    expect(() => doc.undoRunNote(a, { runId: 'nope!', redo: false })).toThrow(CairnError);
  });
});

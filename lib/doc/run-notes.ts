import * as Y from 'yjs';
import { z } from 'zod';
import { RunIdSchema, invalid, parseInput } from '../domain';
import { requireRun, LOCAL_ORIGIN, type Ctx } from './commands';
import { runTags } from './layout';
import { runNotes } from './layout';
import { MAX_NOTE_LENGTH, NOTE_TAG, readRunNote } from './read';
import { applyEdit, rebaseEdit } from './text-edit';

export * from './text-edit';

/*
 * A run's description as collaborative text (components/run/SPEC.md RUNPAGE-N1..N5): the run doc's root `notes`, a
 * Y.Text, so two people typing into one description at once both keep their words (Yjs merges characters, a tag
 * value would keep one writer's whole string). A root type is never created as an item (lib/doc DOC-L2), so two
 * replicas that both start a description before syncing keep both.
 *
 * The page never holds Yjs: it sends the text it edited (`before`) with one minimal edit; the command maps the edit
 * onto the text as it is now (a peer's change may have arrived in between: `rebaseEdit`) and applies it in ONE
 * transaction. MLflow keeps a run's description as the tag `mlflow.note.content`; readRun exposes the text there.
 */

const EditInput = z.object({
  runId: RunIdSchema,
  before: z.string().max(MAX_NOTE_LENGTH * 2),
  edit: z.object({
    index: z.number().int().nonnegative(),
    deleteCount: z.number().int().nonnegative(),
    insert: z.string().max(MAX_NOTE_LENGTH),
  }),
});

/**
 * RUNPAGE-N2: applies one edit of the description, made on the text `before`, to the run doc's `notes` as it is now
 * (rebased over whatever arrived since), in one transaction; returns the text after it. An edit outside `before` or
 * one that would make the text longer than MAX_NOTE_LENGTH is refused and writes nothing. A run whose description
 * was set as the `mlflow.note.content` tag (MLflow clients) starts its text from that tag.
 */
export function editRunNote(c: Ctx, input: z.input<typeof EditInput>): string {
  const { runId, before, edit } = parseInput(EditInput, input, 'editRunNote');
  if (edit.index + edit.deleteCount > before.length) throw invalid(`edit [${edit.index}, ${edit.index + edit.deleteCount}) is outside the text of ${before.length} characters`);
  const d = requireRun(c, runId);
  const text = runNotes(d);
  const current = readRunNote(d);
  const tag = runTags(d).get(NOTE_TAG);
  const seed = current === '' && typeof tag === 'string' ? tag.slice(0, MAX_NOTE_LENGTH) : '';
  const base = seed || current;
  const e = rebaseEdit(edit, before, base);
  const after = applyEdit(base, e);
  if (after.length > MAX_NOTE_LENGTH) throw invalid(`a description is at most ${MAX_NOTE_LENGTH} characters`);
  if (e.deleteCount === 0 && e.insert === '' && !seed) return current;
  undoOf(text); // from the first edit on, this replica's edits can be undone (RUNPAGE-N6)
  d.transact(() => {
    if (seed) text.insert(0, seed);
    if (e.deleteCount > 0) text.delete(e.index, e.deleteCount);
    if (e.insert) text.insert(e.index, e.insert);
  }, LOCAL_ORIGIN);
  return readRunNote(d);
}

/** Keystrokes closer together than this are one undo step, as a text field's own undo groups typing. */
export const NOTE_UNDO_GROUP_MS = 500;

/** Per description: the undo history of THIS replica's edits (peers' edits are never undone here). */
const undoManagers = new WeakMap<Y.Text, Y.UndoManager>();

function undoOf(text: Y.Text): Y.UndoManager {
  let um = undoManagers.get(text);
  if (!um) {
    um = new Y.UndoManager(text, { trackedOrigins: new Set([LOCAL_ORIGIN]), captureTimeout: NOTE_UNDO_GROUP_MS });
    undoManagers.set(text, um);
  }
  return um;
}

const UndoInput = z.object({ runId: RunIdSchema, redo: z.boolean() });

/**
 * RUNPAGE-N6: undoes (or redoes) this replica's last step of editing the description — its own typing only: what a
 * peer wrote meanwhile stays, and the step is mapped over it (Yjs' UndoManager). The page's textarea cannot keep
 * its native undo once a peer's change replaced its value, so Ctrl+Z comes here. Returns the text after it and
 * whether anything changed.
 */
export function undoRunNote(c: Ctx, input: z.input<typeof UndoInput>): { text: string; changed: boolean } {
  const { runId, redo } = parseInput(UndoInput, input, 'undoRunNote');
  const d = requireRun(c, runId);
  const um = undoManagers.get(runNotes(d));
  const item = um ? (redo ? um.redo() : um.undo()) : null;
  return { text: readRunNote(d), changed: item !== null };
}

/** A position in the description that survives concurrent edits (awareness cursors): Yjs' relative position as JSON. */
export function noteCursorAt(d: Y.Doc, index: number): unknown {
  const t = runNotes(d);
  return Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(t, Math.max(0, Math.min(index, t.length))));
}

/** The index a peer's cursor (noteCursorAt's JSON, from awareness: untrusted) points at now; null if unreadable. */
export function noteCursorIndex(d: Y.Doc, json: unknown): number | null {
  if (!json || typeof json !== 'object') return null;
  try {
    const pos = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), d);
    if (!pos || pos.type !== runNotes(d)) return null;
    return Number.isSafeInteger(pos.index) ? pos.index : null;
  } catch {
    return null;
  }
}


/*
 * Plain-text edits as single replacements: what a textarea's change is, how a caret moves through someone else's
 * change, how an edit made on an older text lands on the current one (components/run/SPEC.md RUNPAGE-N3). No Yjs here:
 * the page imports this module (through lib/react) to map its caret, the worker's note commands (run-notes.ts) to
 * rebase edits.
 */

/** One replacement: delete `deleteCount` characters at `index`, then insert `insert` there. */
export interface TextEdit {
  index: number;
  deleteCount: number;
  insert: string;
}

/**
 * The minimal single-region edit that turns `a` into `b` (common prefix and suffix kept); null when they are equal.
 * A textarea's change event is always one such region (typing, deleting, pasting over a selection).
 */
export function diffText(a: string, b: string): TextEdit | null {
  if (a === b) return null;
  let p = 0;
  const max = Math.min(a.length, b.length);
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return { index: p, deleteCount: a.length - p - s, insert: b.slice(p, b.length - s) };
}

/**
 * Where a position of the text before `edit` is after it: positions before the edit stay, positions after it shift,
 * positions inside the replaced range go to its end (`stickEnd`) or its start. A position exactly where `edit`
 * inserted stays before the inserted text unless `stickEnd`. Used to keep the local caret in place when a peer's
 * change arrives.
 */
export function mapIndex(i: number, edit: TextEdit | null, stickEnd = false): number {
  if (!edit || i < edit.index || (i === edit.index && !stickEnd)) return i;
  const end = edit.index + edit.deleteCount;
  if (i >= end) return i - edit.deleteCount + edit.insert.length;
  return stickEnd ? edit.index + edit.insert.length : edit.index;
}

/**
 * `edit` was made on `before`; the text is `current` now (a peer's change landed in between). The edit is moved
 * through that change (RUNPAGE-N3): before it, it stays; after it, it shifts; where both touch the same characters,
 * the peer's new text is kept and the local edit keeps only its part before the peer's. A local deletion never
 * deletes words it did not see.
 */
export function rebaseEdit(edit: TextEdit, before: string, current: string): TextEdit {
  const r = diffText(before, current);
  if (!r) return edit;
  const rs = r.index;
  const re = r.index + r.deleteCount;
  const delta = r.insert.length - r.deleteCount;
  const a = edit.index;
  const b = edit.index + edit.deleteCount;
  let index: number;
  let deleteCount: number;
  if (b <= rs) [index, deleteCount] = [a, edit.deleteCount];
  else if (a >= re) [index, deleteCount] = [a + delta, edit.deleteCount];
  else if (a < rs) [index, deleteCount] = [a, rs - a];
  else [index, deleteCount] = [rs + r.insert.length, Math.max(0, b - re)];
  index = Math.min(index, current.length);
  return { index, deleteCount: Math.min(deleteCount, current.length - index), insert: edit.insert };
}

/** Applies a (rebased) edit to a string: what the command does to the Y.Text, for callers that mirror it. */
export function applyEdit(text: string, e: TextEdit): string {
  return text.slice(0, e.index) + e.insert + text.slice(e.index + e.deleteCount);
}


'use client';

import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { applyEdit, diffText, mapIndex, rebaseEdit, useManageCommands, useRunNote, type NoteCursor } from '@/lib/react';
import LoadError from '../LoadError';
import { errorMessage } from '../format';

/** Caret positions go out at most this often (awareness is rate-limited at the relay: 20/s per connection). */
const CURSOR_THROTTLE_MS = 120;

/**
 * RUNPAGE-N1..N5: the run's description, edited together live. Each change of the textarea becomes one minimal edit
 * (diffText) sent to the worker with the text it was made on; edits go out one after another. A peer's change is
 * taken in whenever no local edit is in flight, and the local caret is mapped through it (mapIndex) so it stays by the
 * words it was next to. The others' carets are drawn over the text from awareness.
 */
export default function RunDescription({ runId, readOnly }: { runId: string; readOnly?: boolean }) {
  const note = useRunNote(runId);
  const { editRunNote, undoRunNote, setNoteCursor } = useManageCommands();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [shown, setShown] = useState<string | null>(null);
  const shownRef = useRef<string | null>(null);
  /**
   * What the textarea holds on screen (the last committed value). A keystroke edits THIS text, which may lag behind
   * `shownRef` when a peer's change was taken in but not rendered yet: edits and carets are computed against it.
   */
  const committed = useRef<string | null>(null);
  const pending = useRef(0);
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const caretAfter = useRef<[number, number] | null>(null);
  /** The newest version taken in: an older view (a query answered before our edit landed) is not shown. */
  const seen = useRef(-1);
  const [error, setError] = useState<string | null>(null);
  const [scrollTop, setScrollTop] = useState(0);

  const show = (text: string) => {
    shownRef.current = text;
    setShown(text);
  };

  /** Takes in the worker's text (a peer's change) and keeps the caret where it was relative to the words around it. */
  const adopt = useCallback((text: string, version: number) => {
    if (version < seen.current) return;
    seen.current = version;
    if (shownRef.current === text) return;
    const prev = committed.current;
    const el = ref.current;
    if (prev !== null && el && document.activeElement === el) {
      const remote = diffText(prev, text);
      caretAfter.current = [mapIndex(el.selectionStart, remote), mapIndex(el.selectionEnd, remote)];
    }
    show(text);
  }, []);

  const latest = note.data;
  useEffect(() => {
    if (latest !== undefined && pending.current === 0) adopt(latest.text, latest.version);
  }, [latest, adopt]);


  // The caret, throttled, queued behind the edits so it is placed in the text that has them.
  const cursorTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const publishCaret = useCallback(() => {
    if (cursorTimer.current) return;
    cursorTimer.current = setTimeout(() => {
      cursorTimer.current = null;
      const el = ref.current;
      if (!el || document.activeElement !== el) return;
      const at = el.selectionStart;
      chain.current = chain.current.then(() => setNoteCursor(runId, at).catch(() => {}));
    }, CURSOR_THROTTLE_MS);
  }, [runId, setNoteCursor]);
  useLayoutEffect(() => {
    committed.current = shown;
    const el = ref.current;
    const c = caretAfter.current;
    if (el && c) {
      caretAfter.current = null;
      el.setSelectionRange(c[0], c[1]);
      // The caret moved with a peer's change: what the others see must move too (no select event fires for this).
      publishCaret();
    }
  });
  useEffect(
    () => () => {
      if (cursorTimer.current) clearTimeout(cursorTimer.current);
      void setNoteCursor(null, 0).catch(() => {});
    },
    [setNoteCursor],
  );

  function onChange(value: string) {
    const before = committed.current ?? '';
    const edit = diffText(before, value);
    if (!edit) return;
    const pendingView = shownRef.current ?? before;
    if (pendingView === before) show(value);
    else {
      // A peer's change is taken in but not on screen yet: the keystroke goes onto it, the caret after the keystroke.
      const e = rebaseEdit(edit, before, pendingView);
      const at = e.index + e.insert.length;
      caretAfter.current = [at, at];
      show(applyEdit(pendingView, e));
    }
    pending.current++;
    setError(null);
    chain.current = chain.current.then(async () => {
      let result: { text: string; version: number } | null = null;
      try {
        result = await editRunNote(runId, before, edit);
      } catch (err) {
        setError(errorMessage(err));
      }
      pending.current--;
      if (pending.current > 0) return;
      // Every local edit is in: the worker's text is ours plus whatever peers wrote meanwhile. A refused edit: back
      // to the worker's latest view.
      if (result) adopt(result.text, result.version);
      else if (latestRef.current) {
        seen.current = -1;
        adopt(latestRef.current.text, latestRef.current.version);
      }
    });
    publishCaret();
  }
  const latestRef = useRef(latest);
  latestRef.current = latest;

  /**
   * RUNPAGE-N6: Ctrl/⌘+Z undoes this person's last step of typing, Ctrl/⌘+Shift+Z or Ctrl+Y redoes it. The
   * textarea's own undo is gone once a peer's change replaced its value, so the worker's history (of this person's
   * edits only) does it, queued behind the edits in flight; the caret goes to where the text changed.
   */
  function onKeyDown(e: React.KeyboardEvent<HTMLTextAreaElement>) {
    if (readOnly || !(e.ctrlKey || e.metaKey) || e.altKey) return;
    const k = e.key.toLowerCase();
    const redo = (k === 'z' && e.shiftKey) || (k === 'y' && !e.shiftKey && !e.metaKey);
    if (k !== 'z' && !redo) return;
    e.preventDefault();
    pending.current++;
    chain.current = chain.current.then(async () => {
      let result: { text: string; version: number; changed: boolean } | null = null;
      try {
        result = await undoRunNote(runId, redo);
      } catch (err) {
        setError(errorMessage(err));
      }
      pending.current--;
      if (!result || pending.current > 0) return;
      const change = result.changed ? diffText(committed.current ?? '', result.text) : null;
      adopt(result.text, result.version);
      // adopt() mapped the caret as for a peer's change; an undo puts it where the text changed (before the render).
      if (change && document.activeElement === ref.current) caretAfter.current = [change.index + change.insert.length, change.index + change.insert.length];
    });
  }

  if (note.error && shown === null) return <LoadError error={note.error} />;
  if (shown === null) return <p className="text-sm text-stone-500">Loading description…</p>;
  const cursors = note.data?.cursors ?? [];
  return (
    <div className="space-y-1">
      <div className="relative">
        <textarea
          ref={ref}
          aria-label="Description"
          data-testid="run-description"
          value={shown}
          readOnly={readOnly}
          placeholder={readOnly ? 'No description.' : 'Describe this run: what you tried, what you saw. Others see your changes as you type.'}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          onSelect={publishCaret}
          onFocus={publishCaret}
          onBlur={() => {
            chain.current = chain.current.then(() => setNoteCursor(null, 0).catch(() => {}));
          }}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
          rows={4}
          className={`${TEXT_BOX} block w-full resize-y rounded border border-stone-300 bg-white text-stone-900 focus:border-sky-600 focus:outline-none`}
        />
        {cursors.length > 0 && <CursorOverlay text={shown} cursors={cursors} scrollTop={scrollTop} />}
      </div>
      {cursors.length > 0 && (
        <p className="text-xs text-stone-500" data-testid="note-editors">
          Also editing: {cursors.map((c) => c.name).join(', ')}
        </p>
      )}
      {error && (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

/** Font, padding and wrapping shared by the textarea and its overlay: the overlay's text lays out exactly as the textarea's. */
const TEXT_BOX = 'px-2 py-1.5 font-mono text-sm leading-6 whitespace-pre-wrap break-words';

/** The others' carets: a mirror of the text (invisible) with a coloured bar and name where each caret is. */
function CursorOverlay({ text, cursors, scrollTop }: { text: string; cursors: NoteCursor[]; scrollTop: number }) {
  const sorted = [...cursors].sort((a, b) => a.index - b.index);
  const parts: ReactNode[] = [];
  let at = 0;
  for (const c of sorted) {
    const i = Math.min(Math.max(c.index, at), text.length);
    parts.push(text.slice(at, i));
    parts.push(
      <span key={c.clientId} data-testid="note-cursor" data-index={i} title={c.name} className="relative" style={{ borderLeft: `2px solid ${c.color}`, marginLeft: -1 }}>
        <span className="absolute -top-4 left-0 whitespace-nowrap rounded px-1 text-[10px] leading-4 text-white" style={{ backgroundColor: c.color }}>
          {c.name}
        </span>
      </span>,
    );
    at = i;
  }
  parts.push(text.slice(at));
  return (
    <div aria-hidden className="pointer-events-none absolute inset-0 overflow-hidden rounded border border-transparent">
      <div className={`${TEXT_BOX} text-transparent`} style={{ transform: `translateY(${-scrollTop}px)` }}>
        {parts}
        {'\u200b'}
      </div>
    </div>
  );
}

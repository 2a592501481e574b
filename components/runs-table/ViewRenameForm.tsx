'use client';

import { useState, type FormEvent } from 'react';

const FOCUS = 'focus-visible:outline-2 focus-visible:outline-sky-600';

/**
 * A saved view's name, edited in place (TABLE-16): the input opens focused with the name selected; Enter or "Save"
 * renames (an empty or unchanged name just closes), Escape or "Cancel" closes without a change and without closing
 * the menu around it.
 */
export default function ViewRenameForm({ name, onRename, onClose }: { name: string; onRename: (next: string) => void; onClose: () => void }) {
  const [draft, setDraft] = useState(name);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = draft.trim();
    if (next && next !== name) onRename(next);
    onClose();
  };
  return (
    <form aria-label={`Rename view ${name}`} onSubmit={submit} className="flex min-w-0 flex-1 gap-1">
      <input
        aria-label={`New name for view ${name}`}
        value={draft}
        autoFocus
        onFocus={(e) => e.currentTarget.select()}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          // The menu closes on Escape too (use-dismiss): this Escape only ends the rename.
          e.stopPropagation();
          e.preventDefault();
          onClose();
        }}
        className="min-w-0 flex-1 rounded border border-stone-300 px-1.5 py-0.5 dark:border-stone-600"
      />
      <button type="submit" className={`rounded border border-stone-300 px-1.5 hover:bg-stone-100 ${FOCUS} dark:border-stone-600 dark:hover:bg-stone-800`}>
        Save
      </button>
      <button type="button" onClick={onClose} className={`rounded px-1 text-stone-500 hover:bg-stone-100 ${FOCUS} dark:text-stone-400 dark:hover:bg-stone-800`}>
        Cancel
      </button>
    </form>
  );
}

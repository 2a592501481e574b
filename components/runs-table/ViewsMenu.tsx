'use client';

import { useState, type FormEvent } from 'react';
import { useSavedViews, useTableCommands } from '@/lib/react';
import { errorMessage } from '../format';
import { useDismiss } from './use-dismiss';
import ViewRenameForm from './ViewRenameForm';

const FOCUS = 'focus-visible:outline-2 focus-visible:outline-sky-600';

/**
 * "Views": the experiment's saved views (workspace doc, shared with collaborators and live): save the current view
 * under a name, apply one, rename it in place (TABLE-16) or delete one (TABLE-9).
 */
export default function ViewsMenu({ experimentId, current, onApply }: { experimentId: string; current: string; onApply: (query: string) => void }) {
  const views = useSavedViews(experimentId);
  const commands = useTableCommands();
  const [name, setName] = useState('');
  const menu = useDismiss();
  const [error, setError] = useState<string | null>(null);
  /** The view whose name is being edited in place (TABLE-16), if any. */
  const [renaming, setRenaming] = useState<string | null>(null);
  const run = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await commands.saveView(experimentId, name, current);
      setName('');
    });
  };
  const list = views.data ?? [];
  return (
    <details ref={menu} className="relative">
      <summary className={`cursor-pointer list-none rounded border border-stone-300 px-2 py-1 text-xs hover:bg-stone-100 ${FOCUS} dark:border-stone-600 dark:hover:bg-stone-800`}>
        Views{list.length ? ` (${list.length})` : ''}
      </summary>
      <div role="group" aria-label="Saved views" className="absolute right-0 z-30 mt-1 w-80 rounded border border-stone-300 bg-white p-2 text-xs shadow dark:bg-stone-900 dark:border-stone-600">
        <form aria-label="Save view" onSubmit={save} className="mb-2 flex gap-1">
          <label className="sr-only" htmlFor={`view-name-${experimentId}`}>
            View name
          </label>
          <input
            id={`view-name-${experimentId}`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Save current view as…"
            className="min-w-0 flex-1 rounded border border-stone-300 px-1.5 py-0.5 dark:border-stone-600"
          />
          <button type="submit" disabled={!name.trim()} className={`rounded border border-stone-300 px-2 hover:bg-stone-100 disabled:opacity-50 ${FOCUS} dark:border-stone-600 dark:hover:bg-stone-800`}>
            Save
          </button>
        </form>
        {error && (
          <p role="alert" className="mb-1 text-red-800 dark:text-red-300">
            {error}
          </p>
        )}
        {views.loading && !views.data ? (
          <p className="text-stone-500 dark:text-stone-400">Loading views…</p>
        ) : list.length === 0 ? (
          <p className="text-stone-500 dark:text-stone-400">No saved views yet.</p>
        ) : (
          <ul aria-label="Saved views list" className="divide-y divide-stone-100">
            {list.map((v) => (
              <li key={v.viewId} data-testid="saved-view" className="flex items-center gap-1 py-1">
                {renaming === v.viewId ? (
                  <ViewRenameForm
                    name={v.name}
                    onRename={(next) => void run(() => commands.renameView(v.viewId, next))}
                    onClose={() => {
                      setRenaming(null);
                      // Focus back where the rename began (the list re-renders with the button there).
                      requestAnimationFrame(() => menu.current?.querySelector<HTMLElement>(`[data-rename="${CSS.escape(v.viewId)}"]`)?.focus());
                    }}
                  />
                ) : (
                  <>
                    <button type="button" onClick={() => onApply(v.query)} className={`min-w-0 flex-1 truncate rounded text-left text-sky-800 hover:underline ${FOCUS} dark:text-sky-300`}>
                      {v.name}
                    </button>
                    <button
                      type="button"
                      data-rename={v.viewId}
                      aria-label={`Rename view ${v.name}`}
                      onClick={() => setRenaming(v.viewId)}
                      className={`rounded px-1 text-stone-500 hover:bg-stone-100 ${FOCUS} dark:text-stone-400 dark:hover:bg-stone-800`}
                    >
                      Rename
                    </button>
                    <button
                      type="button"
                      aria-label={`Delete view ${v.name}`}
                      onClick={() => void run(() => commands.deleteView(v.viewId))}
                      className={`rounded px-1 text-red-700 hover:bg-red-50 ${FOCUS}`}
                    >
                      Delete
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </details>
  );
}

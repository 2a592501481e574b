'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useCommands, type RunRow } from '@/lib/react';
import { errorMessage, runLabel } from '../format';

const FOCUS = 'focus-visible:outline-2 focus-visible:outline-sky-600';
const BTN = `rounded border border-stone-300 px-2 py-0.5 text-xs hover:bg-stone-100 disabled:opacity-50 ${FOCUS} dark:border-stone-600 dark:hover:bg-stone-800`;

/**
 * A run's actions from the runs table (TABLE-10): rename, edit its tags (set, delete), pin, hide, delete. A modal
 * <dialog>: focus moves into it, Escape closes it, focus returns to the row's button.
 */
export default function RunActionsDialog({
  run,
  pinned,
  hidden,
  onPin,
  onHide,
  onClose,
}: {
  run: RunRow;
  pinned: boolean;
  hidden: boolean;
  onPin: () => void;
  onHide: () => void;
  onClose: () => void;
}) {
  const commands = useCommands();
  const ref = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(run.info.runName);
  const [tagKey, setTagKey] = useState('');
  const [tagValue, setTagValue] = useState('');
  const [tags, setTags] = useState(run.tags);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const label = runLabel(run.info);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const act = async (f: () => Promise<void>, close = false) => {
    setBusy(true);
    setError(null);
    try {
      await f();
      if (close) onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const rename = (e: FormEvent) => {
    e.preventDefault();
    void act(() => commands.renameRun(run.info.runId, name.trim()));
  };
  const setTag = (e: FormEvent) => {
    e.preventDefault();
    const k = tagKey.trim();
    void act(async () => {
      await commands.setRunTag(run.info.runId, k, tagValue);
      setTags((t) => ({ ...t, [k]: tagValue }));
      setTagKey('');
      setTagValue('');
    });
  };
  const userTags = Object.entries(tags).filter(([k]) => !k.startsWith('mlflow.'));
  return (
    <dialog
      ref={ref}
      aria-labelledby="run-actions-title"
      onClose={onClose}
      onClick={(e) => e.target === ref.current && ref.current?.close()}
      className="m-auto w-[28rem] max-w-[95vw] rounded border border-stone-300 p-0 shadow-lg backdrop:bg-black/30 dark:border-stone-600"
    >
      <div className="space-y-3 p-4 text-sm">
        <h3 id="run-actions-title" className="font-semibold text-stone-800 dark:text-stone-200">
          Run <span className="font-mono">{label}</span>
        </h3>
        <form aria-label="Rename run" onSubmit={rename} className="flex gap-2">
          <label htmlFor="run-actions-name" className="sr-only">
            Run name
          </label>
          <input id="run-actions-name" value={name} onChange={(e) => setName(e.target.value)} className="min-w-0 flex-1 rounded border border-stone-300 px-2 py-0.5 text-xs dark:border-stone-600" />
          <button type="submit" disabled={busy || !name.trim() || name.trim() === run.info.runName} className={BTN}>
            Rename
          </button>
        </form>
        <div>
          <h4 className="mb-1 text-xs font-semibold text-stone-600 dark:text-stone-400">Tags</h4>
          {userTags.length === 0 ? (
            <p className="text-xs text-stone-500 dark:text-stone-400">No tags.</p>
          ) : (
            <ul aria-label="Run tags" className="mb-2 max-h-40 divide-y divide-stone-100 overflow-auto text-xs">
              {userTags.map(([k, v]) => (
                <li key={k} className="flex items-center gap-2 py-0.5">
                  <span className="font-mono">{k}</span>
                  <span className="min-w-0 flex-1 truncate text-stone-600 dark:text-stone-400">{v}</span>
                  <button
                    type="button"
                    aria-label={`Delete tag ${k}`}
                    disabled={busy}
                    onClick={() =>
                      void act(async () => {
                        await commands.deleteRunTag(run.info.runId, k);
                        setTags((t) => Object.fromEntries(Object.entries(t).filter(([x]) => x !== k)));
                      })
                    }
                    className={`rounded px-1 text-red-700 hover:bg-red-50 ${FOCUS}`}
                  >
                    Delete
                  </button>
                </li>
              ))}
            </ul>
          )}
          <form aria-label="Set tag" onSubmit={setTag} className="flex gap-1">
            <label className="sr-only" htmlFor="run-actions-tag-key">
              Tag key
            </label>
            <input id="run-actions-tag-key" value={tagKey} onChange={(e) => setTagKey(e.target.value)} placeholder="key" className="w-32 rounded border border-stone-300 px-1.5 py-0.5 text-xs dark:border-stone-600" />
            <label className="sr-only" htmlFor="run-actions-tag-value">
              Tag value
            </label>
            <input id="run-actions-tag-value" value={tagValue} onChange={(e) => setTagValue(e.target.value)} placeholder="value" className="min-w-0 flex-1 rounded border border-stone-300 px-1.5 py-0.5 text-xs dark:border-stone-600" />
            <button type="submit" disabled={busy || !tagKey.trim()} className={BTN}>
              Set tag
            </button>
          </form>
        </div>
        {error && (
          <p role="alert" className="text-xs text-red-800 dark:text-red-300">
            {error}
          </p>
        )}
        <div className="flex flex-wrap gap-2 border-t border-stone-100 pt-3 dark:border-stone-800">
          <button type="button" onClick={onPin} className={BTN}>
            {pinned ? 'Unpin' : 'Pin to top'}
          </button>
          <button type="button" onClick={onHide} className={BTN}>
            {hidden ? 'Unhide' : 'Hide'}
          </button>
          <button type="button" disabled={busy} onClick={() => void act(() => commands.deleteRun(run.info.runId), true)} className={`${BTN} border-red-300 text-red-800 hover:bg-red-50 dark:text-red-300`}>
            Delete run
          </button>
          <button type="button" onClick={() => ref.current?.close()} className={`${BTN} ml-auto`}>
            Close
          </button>
        </div>
      </div>
    </dialog>
  );
}

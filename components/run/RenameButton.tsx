'use client';

import { useState } from 'react';
import { errorMessage } from '../format';

/**
 * "Rename" that turns into a field in place (Enter saves, Escape cancels): the run page's and the experiment page's.
 * The command's refusal (a taken experiment name) shows under the field.
 */
export default function RenameButton({ what, current, onRename }: { what: string; current: string; onRename: (name: string) => Promise<unknown> }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(current);
  const [error, setError] = useState<string | null>(null);
  if (!editing)
    return (
      <button
        type="button"
        onClick={() => {
          setValue(current);
          setError(null);
          setEditing(true);
        }}
        className="rounded border border-stone-300 px-2 py-0.5 text-xs text-stone-700 hover:bg-stone-100"
      >
        Rename
      </button>
    );
  return (
    <form
      aria-label={`Rename ${what}`}
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          await onRename(value.trim());
          setEditing(false);
        } catch (err) {
          setError(errorMessage(err));
        }
      }}
      className="flex flex-wrap items-center gap-1"
    >
      <input
        aria-label={`New ${what} name`}
        autoFocus
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}
        className="rounded border border-stone-300 px-2 py-0.5 text-sm focus:border-sky-600 focus:outline-none"
      />
      <button type="submit" className="rounded bg-sky-700 px-2 py-0.5 text-xs font-medium text-white hover:bg-sky-800">
        Save
      </button>
      <button type="button" onClick={() => setEditing(false)} className="rounded px-2 py-0.5 text-xs text-stone-600 hover:bg-stone-100">
        Cancel
      </button>
      {error && (
        <p role="alert" className="w-full text-xs text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}

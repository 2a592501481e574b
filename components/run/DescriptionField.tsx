'use client';

import { useId, useState } from 'react';
import { errorMessage } from '../format';

/**
 * A description kept as one tag value (an experiment's `mlflow.note.content`, as MLflow keeps it): shown as text,
 * edited in a textarea, saved with a button. Experiments are edited rarely and by one person at a time; runs have the
 * live editor (RunDescription).
 */
export default function DescriptionField({ value, onSave, readOnly }: { value: string; onSave: (v: string) => Promise<unknown>; readOnly?: boolean }) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<string | null>(null);
  if (!editing)
    return (
      <div className="flex items-start gap-2">
        <p data-testid="description" className={`whitespace-pre-wrap text-sm ${value ? 'text-stone-800' : 'text-stone-500'}`}>
          {value || 'No description.'}
        </p>
        {!readOnly && (
          <button
            type="button"
            onClick={() => {
              setDraft(value);
              setEditing(true);
            }}
            className="rounded border border-stone-300 px-2 py-0.5 text-xs text-stone-700 hover:bg-stone-100"
          >
            {value ? 'Edit description' : 'Add description'}
          </button>
        )}
      </div>
    );
  return (
    <form
      aria-label="Edit description"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          await onSave(draft);
          setEditing(false);
        } catch (err) {
          setError(errorMessage(err));
        }
      }}
      className="space-y-1"
    >
      <label htmlFor={id} className="sr-only">
        Description
      </label>
      <textarea
        id={id}
        autoFocus
        rows={3}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}
        className="block w-full rounded border border-stone-300 px-2 py-1 text-sm focus:border-sky-600 focus:outline-none"
      />
      <div className="flex gap-2">
        <button type="submit" className="rounded bg-sky-700 px-3 py-0.5 text-xs font-medium text-white hover:bg-sky-800">
          Save description
        </button>
        <button type="button" onClick={() => setEditing(false)} className="rounded px-2 py-0.5 text-xs text-stone-600 hover:bg-stone-100">
          Cancel
        </button>
      </div>
      {error && (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}

'use client';

import { useState } from 'react';
import { errorMessage } from '../format';

/** "Delete …" that asks first (the question names what goes), then runs the command; a refusal shows beside it. */
export default function ConfirmDelete({ what, question, onDelete }: { what: string; question: string; onDelete: () => Promise<unknown> }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" onClick={() => setAsking(true)} className="rounded border border-red-200 px-2 py-0.5 text-xs text-red-700 hover:bg-red-50">
        Delete {what}
      </button>
    );
  }
  return (
    <span role="alertdialog" aria-label={`Delete ${what}?`} className="inline-flex flex-wrap items-center gap-2 rounded border border-red-200 bg-red-50 px-2 py-1 text-xs">
      <span className="text-red-900">{question}</span>
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await onDelete();
            setAsking(false);
          } catch (err) {
            setError(errorMessage(err));
          } finally {
            setBusy(false);
          }
        }}
        className="rounded bg-red-700 px-2 py-0.5 font-medium text-white hover:bg-red-800 disabled:opacity-50"
      >
        Delete
      </button>
      <button type="button" onClick={() => setAsking(false)} className="rounded px-2 py-0.5 text-stone-700 hover:bg-white">
        Cancel
      </button>
      {error && (
        <span role="alert" className="text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}

'use client';

import { useState } from 'react';
import { errorMessage } from '../format';

/** Delete (soft) or Restore, whichever applies; the refusal's message is shown beside it. */
export default function LifecycleButton({
  what,
  deleted,
  onDelete,
  onRestore,
}: {
  what: string;
  deleted: boolean;
  onDelete: () => Promise<unknown>;
  onRestore: () => Promise<unknown>;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async () => {
    setBusy(true);
    setError(null);
    try {
      await (deleted ? onRestore() : onDelete());
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        disabled={busy}
        onClick={act}
        className={`rounded border px-2 py-0.5 text-xs disabled:opacity-50 ${deleted ? 'border-sky-300 text-sky-800 hover:bg-sky-50' : 'border-red-200 text-red-700 hover:bg-red-50'}`}
      >
        {deleted ? `Restore ${what}` : `Delete ${what}`}
      </button>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}

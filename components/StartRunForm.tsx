'use client';

import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useCommands } from '@/lib/react';
import { errorMessage } from './format';

/**
 * "New run": a run recorded by hand in this experiment (a manual trial, notes), written on this device first, so it
 * works offline and reaches collaborators when the relay is back. An empty name gets a generated one, as in MLflow.
 */
export default function StartRunForm({ experimentId }: { experimentId: string }) {
  const commands = useCommands();
  const inputId = useId();
  const errorId = useId();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await commands.startRun(experimentId, name.trim() || undefined);
      setName('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="New run" className="flex flex-wrap items-start gap-2">
      <label htmlFor={inputId} className="sr-only">
        Run name
      </label>
      <div className="flex flex-col">
        <input
          id={inputId}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Run name (optional)"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          className="w-60 rounded border border-stone-300 px-2 py-1 text-sm focus:border-sky-600 focus:outline-none"
        />
        {error && (
          <p id={errorId} role="alert" data-testid="start-run-error" className="mt-1 max-w-md text-xs text-red-700">
            {error}
          </p>
        )}
      </div>
      <button
        type="submit"
        disabled={busy}
        className="rounded border border-stone-300 px-3 py-1 text-sm font-medium text-stone-800 hover:bg-stone-100 disabled:opacity-50"
      >
        New run
      </button>
    </form>
  );
}

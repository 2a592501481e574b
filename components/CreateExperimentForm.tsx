'use client';

import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useCommands } from '@/lib/react';
import { errorMessage } from './format';

/** "Create experiment": validation happens in the command; its error message is shown as it is. */
export default function CreateExperimentForm({ onCreated }: { onCreated?: (id: string) => void }) {
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
      const id = await commands.createExperiment(name);
      setName('');
      onCreated?.(id);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="Create experiment" className="flex flex-wrap items-start gap-2">
      <label htmlFor={inputId} className="sr-only">
        Experiment name
      </label>
      <div className="flex flex-col">
        <input
          id={inputId}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Experiment name"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          className="w-72 rounded border border-stone-300 px-2 py-1 text-sm focus:border-sky-600 focus:outline-none"
        />
        {error && (
          <p id={errorId} role="alert" data-testid="create-experiment-error" className="mt-1 max-w-md text-xs text-red-700">
            {error}
          </p>
        )}
      </div>
      <button
        type="submit"
        disabled={busy}
        className="rounded bg-sky-700 px-3 py-1 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50"
      >
        Create
      </button>
    </form>
  );
}

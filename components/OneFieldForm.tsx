'use client';

import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { errorMessage } from './format';

interface Props {
  /** The form's accessible name ("Create experiment") and its field's label ("Experiment name"). */
  name: string;
  label: string;
  placeholder: string;
  button: string;
  /** Runs the command; its refusal's message is shown under the field as it is (validation lives in the command). */
  submit: (value: string) => Promise<unknown>;
  errorTestId: string;
  inputClassName: string;
  buttonClassName: string;
}

/** One text field and a button that runs a command: the experiments page's "Create", the experiment page's "New run". */
export default function OneFieldForm(p: Props) {
  const inputId = useId();
  const errorId = useId();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await p.submit(value);
      setValue('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label={p.name} className="flex flex-wrap items-start gap-2">
      <label htmlFor={inputId} className="sr-only">
        {p.label}
      </label>
      <div className="flex flex-col">
        <input
          id={inputId}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder={p.placeholder}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          className={`rounded border border-stone-300 px-2 py-1 text-sm focus:border-sky-600 focus:outline-none ${p.inputClassName}`}
        />
        {error && (
          <p id={errorId} role="alert" data-testid={p.errorTestId} className="mt-1 max-w-md text-xs text-red-700">
            {error}
          </p>
        )}
      </div>
      <button type="submit" disabled={busy} className={`rounded px-3 py-1 text-sm font-medium disabled:opacity-50 ${p.buttonClassName}`}>
        {p.button}
      </button>
    </form>
  );
}

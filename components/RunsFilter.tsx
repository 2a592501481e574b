'use client';

import { useState, type FormEvent } from 'react';
import type { SearchError } from '@/lib/react';

const EXAMPLE = 'metrics.rmse < 1 and params.model = "tree"';

/**
 * The runs table's search box: MLflow's filter language (plus OR, NOT, parentheses, numeric params), applied on Enter.
 * A filter the worker could not use is shown with the place it went wrong.
 */
export default function RunsFilter({ applied, error, onApply }: { applied: string; error: SearchError | undefined; onApply: (filter: string) => void }) {
  const [text, setText] = useState(applied);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(text.trim());
  };
  return (
    <form role="search" onSubmit={submit} className="space-y-1">
      <div className="flex gap-2">
        <label htmlFor="runs-filter" className="sr-only">
          Filter runs
        </label>
        <input
          id="runs-filter"
          data-testid="runs-filter"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={EXAMPLE}
          spellCheck={false}
          className="w-full rounded border border-stone-300 px-2 py-1 font-mono text-xs"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'runs-filter-error' : undefined}
        />
        <button type="submit" className="rounded border border-stone-300 px-3 py-1 text-xs hover:bg-stone-100">
          Search
        </button>
        {applied && (
          <button
            type="button"
            className="rounded px-2 py-1 text-xs text-stone-600 hover:underline"
            onClick={() => {
              setText('');
              onApply('');
            }}
          >
            Clear
          </button>
        )}
      </div>
      {error && (
        <p id="runs-filter-error" role="alert" data-testid="runs-filter-error" className="text-xs text-red-800">
          {error.message}
          {error.position !== undefined && <> (at character {error.position + 1})</>}
        </p>
      )}
    </form>
  );
}

'use client';

import { useId, useState } from 'react';
import { errorMessage } from '../format';

/**
 * REGUI-3: the aliases of one version: each a chip with "Remove"; a field adds one (an alias on another version moves
 * here, as MLflow's set_registered_model_alias does: the field says so first). Reserved or malformed names are refused
 * by the command and its message shows under the field.
 */
export default function AliasEditor({
  aliases,
  elsewhere,
  readOnly,
  onSet,
  onDelete,
}: {
  /** This version's aliases. */
  aliases: readonly string[];
  /** The model's other aliases → the label of the version holding each (`v2`). */
  elsewhere: ReadonlyMap<string, string>;
  readOnly?: boolean;
  onSet: (alias: string) => Promise<unknown>;
  onDelete: (alias: string) => Promise<unknown>;
}) {
  const inputId = useId();
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    }
  };
  const moving = elsewhere.get(draft.trim());
  return (
    <div className="space-y-2">
      {aliases.length === 0 ? (
        <p className="text-sm text-stone-500">No aliases.</p>
      ) : (
        <ul aria-label="Aliases" className="flex flex-wrap gap-2">
          {[...aliases].sort().map((a) => (
            <li key={a} data-testid="alias-chip" className="inline-flex items-center gap-1 rounded-full border border-sky-200 bg-sky-50 px-2 py-0.5 font-mono text-xs text-sky-900">
              @{a}
              {!readOnly && (
                <button type="button" aria-label={`Remove alias ${a}`} onClick={() => void run(() => onDelete(a))} className="rounded px-0.5 text-stone-500 hover:text-red-700">
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!readOnly && (
        <form
          aria-label="Add alias"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await run(() => onSet(draft.trim()))) setDraft('');
          }}
          className="flex flex-wrap items-center gap-1 text-xs"
        >
          <label htmlFor={inputId} className="sr-only">
            Alias
          </label>
          <input
            id={inputId}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="alias (e.g. champion)"
            className="w-48 rounded border border-stone-300 px-1 py-0.5 font-mono focus:border-sky-600 focus:outline-none"
          />
          <button type="submit" disabled={!draft.trim()} className="rounded border border-stone-300 px-2 py-0.5 hover:bg-stone-100 disabled:opacity-50">
            {moving ? `Move alias from ${moving}` : 'Add alias'}
          </button>
        </form>
      )}
      {error && (
        <p role="alert" data-testid="alias-error" className="text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

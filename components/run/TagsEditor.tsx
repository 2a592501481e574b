'use client';

import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../format';
import TableHead from '../TableHead';

interface Props {
  /** The table's accessible name ("Tags"). */
  label: string;
  testId: string;
  entries: Record<string, string>;
  /** Keys shown greyed (system tags, `mlflow.*`); still editable, as in MLflow. */
  mutedPrefix?: string;
  /** Keys not listed at all (the experiment's description tag, which has its own editor). */
  hidden?: readonly string[];
  onSet(key: string, value: string): Promise<unknown>;
  onDelete(key: string): Promise<unknown>;
  readOnly?: boolean;
}

/**
 * RUNPAGE-4: tags with add, edit and delete (runs and experiments alike). A refused command's message shows under the
 * table; the tag's row stays as the data says (the change is live from the worker, not optimistic).
 */
export default function TagsEditor(p: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const keys = Object.keys(p.entries)
    .filter((k) => !p.hidden?.includes(k))
    .sort((a, b) => a.localeCompare(b));

  async function run(f: () => Promise<unknown>): Promise<boolean> {
    setError(null);
    try {
      await f();
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    }
  }

  return (
    <div className="space-y-2">
      {keys.length === 0 ? (
        <p className="text-sm text-stone-500">No {p.label.toLowerCase()}.</p>
      ) : (
        <table aria-label={p.label} data-testid={p.testId} className="w-full border-collapse text-sm">
          <TableHead columns={[{ label: 'Key', className: 'w-1/3' }, { label: 'Value' }, { id: 'actions', label: <span className="sr-only">Actions</span>, className: 'w-28' }]} />
          <tbody>
            {keys.map((k) => {
              const muted = p.mutedPrefix !== undefined && k.startsWith(p.mutedPrefix);
              return (
                <tr key={k} data-testid="tag-row" className={`border-b border-stone-100 ${muted ? 'text-stone-400' : ''}`}>
                  <td className="py-1 pr-4 font-mono text-xs">{k}</td>
                  <td className="break-all py-1 pr-2 font-mono text-xs">
                    {editing === k ? (
                      <form
                        aria-label={`Edit tag ${k}`}
                        onSubmit={async (e) => {
                          e.preventDefault();
                          if (await run(() => p.onSet(k, draft))) setEditing(null);
                        }}
                        className="flex gap-1"
                      >
                        <input
                          aria-label={`Value of ${k}`}
                          autoFocus
                          value={draft}
                          onChange={(e) => setDraft(e.target.value)}
                          onKeyDown={(e) => e.key === 'Escape' && setEditing(null)}
                          className="w-full rounded border border-stone-300 px-1 py-0.5 text-stone-900 focus:border-sky-600 focus:outline-none"
                        />
                        <button type="submit" className="rounded bg-sky-700 px-2 text-white">
                          Save
                        </button>
                      </form>
                    ) : (
                      p.entries[k]
                    )}
                  </td>
                  <td className="whitespace-nowrap py-1 text-right text-xs">
                    {!p.readOnly && editing !== k && (
                      <>
                        <button
                          type="button"
                          aria-label={`Edit tag ${k}`}
                          onClick={() => {
                            setEditing(k);
                            setDraft(p.entries[k] ?? '');
                          }}
                          className="rounded px-1 text-sky-800 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          aria-label={`Delete tag ${k}`}
                          onClick={() => void run(() => p.onDelete(k))}
                          className="rounded px-1 text-red-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
                        >
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {!p.readOnly && <AddTag label={p.label} onAdd={(k, v) => run(() => p.onSet(k, v))} />}
      {error && (
        <p role="alert" data-testid={`${p.testId}-error`} className="text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

function AddTag({ label, onAdd }: { label: string; onAdd: (key: string, value: string) => Promise<boolean> }) {
  const keyId = useId();
  const valueId = useId();
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (await onAdd(key.trim(), value)) {
      setKey('');
      setValue('');
    }
  }
  return (
    <form onSubmit={submit} aria-label={`Add ${label.toLowerCase().replace(/s$/, '')}`} className="flex flex-wrap items-center gap-1 text-xs">
      <label htmlFor={keyId} className="sr-only">
        New tag key
      </label>
      <input id={keyId} value={key} onChange={(e) => setKey(e.target.value)} placeholder="key" className="w-32 rounded border border-stone-300 px-1 py-0.5 font-mono focus:border-sky-600 focus:outline-none" />
      <label htmlFor={valueId} className="sr-only">
        New tag value
      </label>
      <input id={valueId} value={value} onChange={(e) => setValue(e.target.value)} placeholder="value" className="w-48 rounded border border-stone-300 px-1 py-0.5 font-mono focus:border-sky-600 focus:outline-none" />
      <button type="submit" disabled={!key.trim()} className="rounded border border-stone-300 px-2 py-0.5 hover:bg-stone-100 disabled:opacity-50">
        Add tag
      </button>
    </form>
  );
}

'use client';

import Link from 'next/link';
import { useId, useState } from 'react';
import { useRegisteredModels, useRegistryCommands, type ModelVersion } from '@/lib/react';
import { errorMessage } from '../format';
import { versionHref } from '../registry/links';

/**
 * REGUI-9: "Register model" on a run's model folder: pick an existing model or type a new name; the model is created
 * when missing and the folder becomes its next version (`runs:/<run>/<folder>`), pending until the relay numbers it.
 */
export default function RegisterModel({ runId, folder, disabled }: { runId: string; folder: string; disabled?: boolean }) {
  const inputId = useId();
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ModelVersion | null>(null);
  const commands = useRegistryCommands();
  if (done) {
    return (
      <span role="status" data-testid="registered" className="text-xs text-stone-700">
        Registered:{' '}
        <Link prefetch={false} href={versionHref(done)} className="text-sky-800 hover:underline">
          {done.name} version
        </Link>
      </span>
    );
  }
  if (!open) {
    return (
      <button
        type="button"
        disabled={disabled}
        aria-label={`Register model ${folder}`}
        onClick={() => setOpen(true)}
        className="rounded border border-sky-300 px-1.5 py-0 text-xs text-sky-800 hover:bg-sky-50 disabled:opacity-50"
      >
        Register model
      </button>
    );
  }
  return (
    <form
      aria-label={`Register ${folder} as a model version`}
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          setDone(await commands.registerFromRun(runId, folder, name.trim()));
        } catch (err) {
          setError(errorMessage(err));
        } finally {
          setBusy(false);
        }
      }}
      className="inline-flex flex-wrap items-center gap-1 text-xs"
    >
      <label htmlFor={inputId} className="sr-only">
        Model name
      </label>
      <input
        id={inputId}
        autoFocus
        list={listId}
        value={name}
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
        placeholder="existing or new model name"
        className="w-56 rounded border border-stone-300 px-1 py-0.5 focus:border-sky-600 focus:outline-none"
      />
      <ModelNames id={listId} />
      <button type="submit" disabled={busy || !name.trim()} className="rounded bg-sky-700 px-2 py-0.5 font-medium text-white hover:bg-sky-800 disabled:opacity-50">
        Register
      </button>
      <button type="button" onClick={() => setOpen(false)} className="rounded px-1 text-stone-600 hover:bg-stone-100">
        Cancel
      </button>
      {error && (
        <span role="alert" data-testid="register-error" className="w-full text-red-700">
          {error}
        </span>
      )}
    </form>
  );
}

/** The existing models' names offered by the field (queried only while the form is open). */
function ModelNames({ id }: { id: string }) {
  const models = useRegisteredModels();
  return (
    <datalist id={id}>
      {(models.data ?? []).map((m) => (
        <option key={m.modelId} value={m.name} />
      ))}
    </datalist>
  );
}

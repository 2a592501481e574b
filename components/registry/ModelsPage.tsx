'use client';

import Link from 'next/link';
import { useId, useRef, useState } from 'react';
import { useRegisteredModels, useRegistryCommands, type RegisteredModel } from '@/lib/react';
import { formatTime } from '../format';
import LoadError from '../LoadError';
import OneFieldForm from '../OneFieldForm';
import TableHead from '../TableHead';
import { AliasChip, StageBadge, VersionLink } from './bits';
import { modelHref } from './links';

/** Tags shown per row (the model page lists and edits them all). */
const TAGS_SHOWN = 3;

/** REGUI-1: `/models/`: the workspace's registered models, searchable by name; "Create model". Live. */
export default function ModelsPage() {
  const searchId = useId();
  const [search, setSearch] = useState('');
  const { data, error, loading } = useRegisteredModels(search.trim());
  const commands = useRegistryCommands();
  // While a new search's answer is on its way, the previous list stays (no "Loading" flash per keystroke).
  const last = useRef<RegisteredModel[] | undefined>(undefined);
  if (data) last.current = data;
  const shown = data ?? last.current;
  const models = shown ?? [];
  return (
    <section aria-labelledby="models-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 id="models-heading" className="text-xl font-semibold">
          Models
        </h1>
        <OneFieldForm
          name="Create model"
          label="Model name"
          placeholder="Model name"
          button="Create model"
          errorTestId="create-model-error"
          inputClassName="w-72"
          buttonClassName="bg-sky-700 text-white hover:bg-sky-800"
          submit={(name) => commands.createModel(name)}
        />
      </div>
      <div>
        <label htmlFor={searchId} className="sr-only">
          Search models
        </label>
        <input
          id={searchId}
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder="Search by name, or a filter: tags.team = 'vision'"
          className="w-96 rounded border border-stone-300 px-2 py-1 text-sm focus:border-sky-600 focus:outline-none"
        />
      </div>
      {error && <LoadError error={error} />}
      {loading && !shown ? (
        <p className="text-sm text-stone-500">Loading models…</p>
      ) : models.length === 0 ? (
        <p data-testid="models-empty" className="text-sm text-stone-500">
          {search.trim() ? 'No model matches.' : 'No registered models yet. Create one above, or register a model folder from a run’s artifacts.'}
        </p>
      ) : (
        <table aria-label="Models" className="w-full border-collapse text-sm">
          <TableHead columns={[{ label: 'Name' }, { label: 'Latest versions' }, { label: 'Aliases' }, { label: 'Tags' }, { label: 'Last modified' }]} />
          <tbody>
            {models.map((m) => {
              const tags = Object.entries(m.tags).sort(([a], [b]) => a.localeCompare(b));
              return (
                <tr key={m.modelId} data-testid="model-row" className="border-b border-stone-100 hover:bg-stone-50">
                  <td className="py-1.5 pr-4">
                    <Link prefetch={false} href={modelHref(m.name)} className="text-sky-800 hover:underline">
                      {m.name}
                    </Link>
                    {m.nameConflict && (
                      <span data-testid="name-conflict" className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">
                        name conflict
                      </span>
                    )}
                  </td>
                  <td className="py-1.5 pr-4 text-xs">
                    {m.latestVersions.length === 0 ? (
                      <span className="text-stone-400">—</span>
                    ) : (
                      <ul className="flex flex-wrap gap-2">
                        {m.latestVersions.map((v) => (
                          <li key={v.versionId} data-testid="latest-version" className="inline-flex items-center gap-1">
                            <StageBadge stage={v.stage} />
                            <VersionLink v={v} />
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="py-1.5 pr-4">
                    <span className="flex flex-wrap gap-1">
                      {m.aliases.map((a) => (
                        <AliasChip key={a.alias} alias={a.alias} />
                      ))}
                    </span>
                  </td>
                  <td className="py-1.5 pr-4 text-xs">
                    {tags.slice(0, TAGS_SHOWN).map(([k, v]) => (
                      <span key={k} className="mr-1 inline-block rounded bg-stone-100 px-1.5 py-0.5 font-mono">
                        {k}={v}
                      </span>
                    ))}
                    {tags.length > TAGS_SHOWN && <span className="text-stone-500">+{tags.length - TAGS_SHOWN}</span>}
                  </td>
                  <td className="whitespace-nowrap py-1.5 text-xs text-stone-600">{formatTime(m.lastUpdatedTime)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useRegisteredModel, useRegistryCommands, useRegistryHistory } from '@/lib/react';
import { formatTime } from '../format';
import LoadError from '../LoadError';
import PageSection from '../PageSection';
import DescriptionField from '../run/DescriptionField';
import RenameButton from '../run/RenameButton';
import TagsEditor from '../run/TagsEditor';
import TableHead from '../TableHead';
import { AliasChip, ModelsTrail, RunLink, StageBadge, VersionLink } from './bits';
import ConfirmDelete from './ConfirmDelete';
import HistoryList from './HistoryList';
import { compareVersionsHref, modelHref, versionLabel } from './links';

/** REGUI-2: `/model/?name=`: a registered model: description, tags, aliases, versions (select to compare), history. */
export default function ModelView() {
  const name = useSearchParams().get('name') ?? '';
  const router = useRouter();
  const { data, error, loading } = useRegisteredModel(name || null);
  const history = useRegistryHistory(name || null);
  const commands = useRegistryCommands();
  const [chosen, setChosen] = useState<ReadonlySet<number>>(new Set());

  if (!name) return <p className="text-sm text-stone-600">No model name given.</p>;
  if (error) return <LoadError error={error} />;
  if (loading && data === undefined) return <p className="text-sm text-stone-500">Loading model…</p>;
  if (!data) {
    return (
      <p data-testid="model-not-found" className="text-sm text-stone-600">
        No registered model named <span className="font-mono">{name}</span> in this workspace (yet: it may still be syncing). <Link prefetch={false} href="/models/" className="text-sky-800 hover:underline">All models</Link>
      </p>
    );
  }
  const { model, versions } = data;
  const compare = [...chosen].filter((n) => versions.some((v) => v.version === n)).sort((a, b) => a - b);
  return (
    <article className="space-y-6">
      <header className="space-y-2">
        <ModelsTrail />
        <div className="flex flex-wrap items-center gap-3">
          <h1 data-testid="model-name" className="text-xl font-semibold">
            {model.name}
          </h1>
          <RenameButton what="model" current={model.name} onRename={async (n) => router.replace(modelHref((await commands.renameModel(model.name, n)).name))} />
          <ConfirmDelete
            what="model"
            question={`Delete ${model.name} and its ${versions.length} version${versions.length === 1 ? '' : 's'}?`}
            onDelete={async () => {
              await commands.deleteModel(model.name);
              router.push('/models/');
            }}
          />
        </div>
        <p className="text-xs text-stone-500">
          Created {formatTime(model.creationTime)}
          {model.userId ? ` by ${model.userId}` : ''} · last modified {formatTime(model.lastUpdatedTime)}
        </p>
        {data.sameName > 0 && (
          <p role="status" data-testid="name-conflict-banner" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {data.sameName === 1 ? 'Another model' : `${data.sameName} other models`} named {model.name} {data.sameName === 1 ? 'was' : 'were'} created at the same time on
            another device. This one, created first, owns the name; the other is kept with its versions. Rename or delete this one to reach it.
          </p>
        )}
      </header>
      <PageSection title="Description">
        <DescriptionField value={model.description} onSave={(d) => commands.describeModel(model.name, d)} />
      </PageSection>
      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <PageSection title={`Tags (${Object.keys(model.tags).length})`}>
          <TagsEditor label="Tags" testId="model-tags" entries={model.tags} onSet={(k, v) => commands.setModelTag(model.name, k, v)} onDelete={(k) => commands.deleteModelTag(model.name, k)} />
        </PageSection>
        <PageSection title={`Aliases (${model.aliases.length})`}>
          {model.aliases.length === 0 ? (
            <p className="text-sm text-stone-500">No aliases. Set one on a version’s page.</p>
          ) : (
            <ul className="flex flex-wrap gap-2 text-xs">
              {model.aliases.map((a) => (
                <li key={a.alias} className="inline-flex items-center gap-1">
                  <AliasChip alias={a.alias} /> → <VersionLink v={{ name: model.name, version: a.version, versionId: a.versionId }} />
                </li>
              ))}
            </ul>
          )}
        </PageSection>
      </div>
      <PageSection title={`Versions (${versions.length})`}>
        {versions.length === 0 ? (
          <p className="text-sm text-stone-500">No versions. Register one from a run’s artifacts (a folder holding an MLmodel).</p>
        ) : (
          <>
            <div className="flex items-center gap-2 text-xs">
              {compare.length >= 2 ? (
                <Link prefetch={false} href={compareVersionsHref(model.name, compare)} className="rounded bg-sky-700 px-2 py-0.5 font-medium text-white hover:bg-sky-800">
                  Compare {compare.length} versions
                </Link>
              ) : (
                <span className="text-stone-500">Select two or more numbered versions to compare them.</span>
              )}
            </div>
            <table aria-label="Versions" className="w-full border-collapse text-sm">
              <TableHead
                columns={[
                  { id: 'select', label: <span className="sr-only">Select</span>, className: 'w-6' },
                  { label: 'Version' },
                  { label: 'Registered at' },
                  { label: 'Stage' },
                  { label: 'Aliases' },
                  { label: 'Source run' },
                  { label: 'Description' },
                ]}
              />
              <tbody>
                {versions.map((v) => (
                  <tr key={v.versionId} data-testid="version-row" className="border-b border-stone-100 hover:bg-stone-50">
                    <td className="py-1.5 pr-2">
                      {v.version !== null && (
                        <input
                          type="checkbox"
                          aria-label={`Select ${versionLabel(v)}`}
                          checked={chosen.has(v.version)}
                          onChange={(e) => {
                            const next = new Set(chosen);
                            if (e.target.checked) next.add(v.version!);
                            else next.delete(v.version!);
                            setChosen(next);
                          }}
                        />
                      )}
                    </td>
                    <td className="py-1.5 pr-4">
                      <VersionLink v={v} />
                    </td>
                    <td className="whitespace-nowrap py-1.5 pr-4 text-xs text-stone-600">{formatTime(v.creationTime)}</td>
                    <td className="py-1.5 pr-4">
                      <StageBadge stage={v.stage} />
                    </td>
                    <td className="py-1.5 pr-4">
                      <span className="flex flex-wrap gap-1">
                        {v.aliases.map((a) => (
                          <AliasChip key={a} alias={a} />
                        ))}
                      </span>
                    </td>
                    <td className="py-1.5 pr-4">
                      <RunLink runId={v.runId} />
                    </td>
                    <td className="max-w-xs truncate py-1.5 text-xs text-stone-600" title={v.description || undefined}>
                      {v.description}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </PageSection>
      <PageSection title="History">
        {history.error ? <LoadError error={history.error} /> : <HistoryList entries={history.data ?? []} versions={versions} />}
      </PageSection>
    </article>
  );
}

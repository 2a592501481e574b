'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { useModelVersion, useModelVersionFiles, useRegisteredModel, useRegistryCommands, useRegistryHistory, type ModelFilesView } from '@/lib/react';
import { formatTime } from '../format';
import LoadError from '../LoadError';
import PageSection from '../PageSection';
import DescriptionField from '../run/DescriptionField';
import TagsEditor from '../run/TagsEditor';
import AliasEditor from './AliasEditor';
import { ModelsTrail, RunLink, StageBadge } from './bits';
import ConfirmDelete from './ConfirmDelete';
import HistoryList from './HistoryList';
import { modelHref, versionLabel, versionRefOf } from './links';
import { PlaygroundVersionContext } from './playground-context';
import SignatureTable from './SignatureTable';
import StageDialog from './StageDialog';

/** The saved input example as text: JSON pretty-printed, anything else as it is. */
function exampleText(ex: NonNullable<ModelFilesView['inputExample']>): string {
  try {
    return JSON.stringify(JSON.parse(ex.text), null, 2);
  } catch {
    return ex.text;
  }
}

/**
 * REGUI-3..7: `/model-version/?name=&version=` (or `&id=` while pending): source run, status, description, stage
 * dialog, alias editor, tags, signature, input example, history, and the "Prediction playground" slot (`playground`,
 * mounted by the page; it reads the version with `usePlaygroundVersion`).
 */
export default function VersionView({ playground }: { playground?: ReactNode }) {
  const params = useSearchParams();
  const router = useRouter();
  const name = params.get('name') ?? '';
  const ref = versionRefOf(params);
  const { data, error, loading } = useModelVersion(name || null, ref);
  const files = useModelVersionFiles(name || null, ref, data?.version.runId);
  const history = useRegistryHistory(name || null, data?.version.versionId);
  // The model's versions name the ones the history mentions (an alias moved from v2).
  const siblings = useRegisteredModel(name || null);
  const commands = useRegistryCommands();

  if (!name || !ref) return <p className="text-sm text-stone-600">No model name and version given.</p>;
  if (error) return <LoadError error={error} />;
  if (loading && data === undefined) return <p className="text-sm text-stone-500">Loading version…</p>;
  if (!data) {
    return (
      <p data-testid="version-not-found" className="text-sm text-stone-600">
        No such version of <span className="font-mono">{name}</span> in this workspace (yet: it may still be syncing).
      </p>
    );
  }
  const { model, version: v } = data;
  const pending = v.version === null;
  // Commands name a numbered version by number, a pending one by its id (the URL may name it by id: it was pending).
  const at = v.version ?? { versionId: v.versionId };
  const elsewhere = new Map(model.aliases.filter((a) => a.versionId !== v.versionId).map((a) => [a.alias, versionLabel(a)]));
  return (
    <article className="space-y-6">
      <header className="space-y-2">
        <ModelsTrail model={model.name} />
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold">
            {model.name} <span data-testid="version-number">{versionLabel(v)}</span>
          </h1>
          <StageBadge stage={v.stage} />
          {pending ? (
            <span data-testid="version-status" title="Registered on this device; the relay gives it its number when it sees it" className="rounded bg-stone-100 px-1.5 py-0.5 text-xs italic text-stone-600">
              pending registration
            </span>
          ) : (
            <span data-testid="version-status" className="sr-only">
              ready
            </span>
          )}
          <ConfirmDelete
            what="version"
            question={`Delete ${versionLabel(v)} of ${model.name}? Its number is never given again.`}
            onDelete={async () => {
              await commands.deleteVersion(model.name, at);
              router.push(modelHref(model.name));
            }}
          />
        </div>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-xs">
          <dt className="text-stone-500">Source run</dt>
          <dd>
            <RunLink runId={v.runId} />
          </dd>
          <dt className="text-stone-500">Source</dt>
          <dd data-testid="version-source" className="break-all font-mono">
            {v.source}
          </dd>
          <dt className="text-stone-500">Registered</dt>
          <dd>
            {formatTime(v.creationTime)}
            {v.userId ? ` by ${v.userId}` : ''}
          </dd>
          <dt className="text-stone-500">Last modified</dt>
          <dd>{formatTime(v.lastUpdatedTime)}</dd>
          <dt className="text-stone-500">Status</dt>
          <dd className="font-mono">{v.status}</dd>
        </dl>
        {pending && (
          <p role="status" className="rounded border border-stone-200 bg-stone-50 px-3 py-2 text-xs text-stone-700">
            This version has no number yet: the relay numbers versions when it sees them. Everything else works already (stage, aliases, description, tags); it all syncs with it.
          </p>
        )}
      </header>
      <PageSection title="Description">
        <DescriptionField value={v.description} onSave={(d) => commands.describeVersion(model.name, at, d)} />
      </PageSection>
      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <PageSection title="Stage">
          <div className="flex flex-wrap items-start gap-3">
            <StageBadge stage={v.stage} />
            <StageDialog current={v.stage} onTransition={(stage, archive) => commands.transitionStage(model.name, at, stage, archive)} />
          </div>
        </PageSection>
        <PageSection title={`Aliases (${v.aliases.length})`}>
          <AliasEditor aliases={v.aliases} elsewhere={elsewhere} onSet={(a) => commands.setAlias(model.name, a, at)} onDelete={(a) => commands.deleteAlias(model.name, a)} />
        </PageSection>
      </div>
      <PageSection title={`Tags (${Object.keys(v.tags).length})`}>
        <TagsEditor label="Tags" testId="version-tags" entries={v.tags} onSet={(k, val) => commands.setVersionTag(model.name, at, k, val)} onDelete={(k) => commands.deleteVersionTag(model.name, at, k)} />
      </PageSection>
      <PageSection title="Signature">
        {files.error ? <LoadError error={files.error} /> : files.data ? <SignatureTable files={files.data} /> : <p className="text-sm text-stone-500">Reading the MLmodel…</p>}
      </PageSection>
      {files.data?.inputExample && (
        <PageSection title="Input example">
          <pre data-testid="input-example" className="max-h-80 overflow-auto rounded bg-stone-50 p-2 font-mono text-xs">
            {exampleText(files.data.inputExample)}
          </pre>
          {files.data.inputExample.truncated && <p className="text-xs text-stone-500">Shown in part: the file is larger.</p>}
        </PageSection>
      )}
      {playground && (
        <PageSection title="Prediction playground">
          <PlaygroundVersionContext.Provider
            value={{
              name: model.name,
              version: v.version,
              versionId: v.versionId,
              source: v.source,
              modelUri: v.version === null ? v.source : `models:/${model.name}/${v.version}`,
              files: files.data ?? null,
            }}
          >
            {playground}
          </PlaygroundVersionContext.Provider>
        </PageSection>
      )}
      <PageSection title="History">
        {history.error ? <LoadError error={history.error} /> : <HistoryList entries={history.data ?? []} versions={siblings.data?.versions ?? [v]} />}
      </PageSection>
    </article>
  );
}

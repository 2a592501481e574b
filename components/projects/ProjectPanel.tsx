'use client';

import Link from 'next/link';
import { useMemo, type ReactNode } from 'react';
import type { Run } from '@/lib/domain';
import { projectRunInfo, type ProjectRunInfo } from '@/lib/react/projects';
import { runArtifactHref } from '../artifacts/artifact-link';
import KeyValueTable from '../KeyValueTable';
import PageSection from '../PageSection';
import CopyButton from './CopyButton';
import { mlprojectArtifact, projectVersion, sourceHref, sourceText } from './project-view';
import ReproducePanel from './ReproducePanel';

const runHref = (id: string) => `/run/?id=${encodeURIComponent(id)}`;
const LINK = 'text-sky-800 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600';

/**
 * PROJUI-1: a run that `cairn run` made (lib/projects `projectRunInfo` non-null) shows where its code came from and how
 * it ran — Source, Git Commit (and branch, and the version asked for), Entry Point, environment, the project URI as
 * given, its parameters, the run it reproduced — with the Reproduce panel beside it and a link to its MLproject among
 * the artifacts. Any other run: nothing.
 */
export default function ProjectPanel({ run }: { run: Run }) {
  const { info: runInfo, tags, params, artifacts } = run;
  const info = useMemo(() => projectRunInfo(tags, params, runInfo.experimentId), [tags, params, runInfo.experimentId]);
  if (!info) return null;
  const mlproject = mlprojectArtifact(artifacts);
  return (
    <PageSection title="Project">
      <div data-testid="project-panel" className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <div className="min-w-0 space-y-3">
          <ProjectFacts info={info} tags={tags} />
          <div className="space-y-1">
            <h3 className="text-xs font-semibold text-stone-600">Parameters</h3>
            <KeyValueTable label="Project params" testId="project-params" entries={info.params} />
          </div>
          {mlproject ? (
            <Link prefetch={false} href={runArtifactHref(runInfo.runId, mlproject.path)} data-testid="view-mlproject" className={`text-sm ${LINK}`}>
              View MLproject
            </Link>
          ) : (
            <p className="text-xs text-stone-500">No MLproject: the entry point is a file of the project.</p>
          )}
        </div>
        <ReproducePanel runId={runInfo.runId} info={info} />
      </div>
    </PageSection>
  );
}

function ProjectFacts({ info, tags }: { info: ProjectRunInfo; tags: Readonly<Record<string, string>> }) {
  const href = sourceHref(info);
  const source = sourceText(info.sourceName ?? info.uri);
  return (
    <dl aria-label="Project source" data-testid="project-facts" className="grid grid-cols-1 gap-y-1 text-sm">
      <Item label="Source" testId="project-source">
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer" className={`font-mono text-xs break-all ${LINK}`}>
            {href}
          </a>
        ) : (
          <span className="font-mono text-xs break-all">{source}</span>
        )}
      </Item>
      <VersionItems tags={tags} />
      <Item label="Entry Point" testId="project-entry-point">
        <span className="font-mono text-xs">{info.entryPoint}</span>
      </Item>
      <Item label="Environment" testId="project-env">
        {info.env ? <span className="font-mono text-xs">{info.env}</span> : '—'}
      </Item>
      <Item label="Project URI" testId="project-uri">
        <span className="font-mono text-xs break-all">{sourceText(info.uri)}</span>
      </Item>
      {info.reproducedFrom && (
        <Item label="Reproduced from" testId="project-reproduced-from">
          <Link prefetch={false} href={runHref(info.reproducedFrom)} className={`font-mono text-xs ${LINK}`}>
            {info.reproducedFrom}
          </Link>
        </Item>
      )}
    </dl>
  );
}

/** Git Commit (short, whole on hover and by its Copy button), branch, the `--version` asked for, content hash. */
function VersionItems({ tags }: { tags: Readonly<Record<string, string>> }) {
  const version = projectVersion(tags);
  return (
    <>
      <Item label="Git Commit" testId="project-commit">
        {version.commit ? (
          <span className="inline-flex items-center gap-2">
            <span className="font-mono text-xs" title={version.commit.full}>
              {version.commit.short}
            </span>
            <CopyButton text={version.commit.full} label="Copy git commit" />
          </span>
        ) : (
          '—'
        )}
      </Item>
      {version.branch && (
        <Item label="Branch" testId="project-branch">
          <span className="font-mono text-xs">{version.branch}</span>
        </Item>
      )}
      {version.requested && (
        <Item label="Version" testId="project-version">
          <span className="font-mono text-xs">{version.requested}</span>
        </Item>
      )}
      {version.contentHash && (
        <Item label="Content hash" testId="project-content-hash">
          <span className="font-mono text-xs" title={`sha256 ${version.contentHash.full}`}>
            {version.contentHash.short}
          </span>
        </Item>
      )}
    </>
  );
}

function Item({ label, children, testId }: { label: string; children: ReactNode; testId: string }) {
  return (
    <div className="flex gap-2" data-testid={testId}>
      <dt className="w-32 shrink-0 text-stone-500">{label}</dt>
      <dd className="min-w-0 text-stone-800">{children}</dd>
    </div>
  );
}

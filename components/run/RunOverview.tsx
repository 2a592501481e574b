'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import type { Run } from '@/lib/domain';
import { useRunFamily } from '@/lib/react';
import { formatTime, runLabel } from '../format';
import RunDuration from '../RunDuration';

const PARENT_TAG = 'mlflow.parentRunId';
/** A git commit is shown this long, the whole hash on hover. */
const SHORT_COMMIT = 10;

const runHref = (id: string) => `/run/?id=${encodeURIComponent(id)}`;

/**
 * RUNPAGE-1, RUNPAGE-2: what a run is at a glance: id, times and duration, user, source and git commit (MLflow's
 * `mlflow.source.*` tags), parent (linked) and children (runs of the experiment whose parent this run is).
 */
export default function RunOverview({ run }: { run: Run }) {
  const { info, tags } = run;
  const parentId = Object.hasOwn(tags, PARENT_TAG) ? tags[PARENT_TAG]! : null;
  const family = useRunFamily(info.runId, info.experimentId, parentId);
  const commit = tags['mlflow.source.git.commit'];
  const source = tags['mlflow.source.name'];
  const sourceType = tags['mlflow.source.type'];
  const user = info.userId || tags['mlflow.user'];
  const children = family.data?.children ?? [];
  return (
    <dl aria-label="Overview" data-testid="run-overview" className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-3">
      <Item label="Run ID">
        <span className="font-mono text-xs">{info.runId}</span>
      </Item>
      <Item label="Started">{formatTime(info.startTime)}</Item>
      <Item label="Ended">{formatTime(info.endTime)}</Item>
      <Item label="Duration">
        <RunDuration info={info} />
      </Item>
      <Item label="User">{user || '—'}</Item>
      <Item label="Source" testId="run-source">
        {source ? (
          <>
            <span className="font-mono text-xs break-all">{source}</span>
            {sourceType && <span className="ml-1 text-xs text-stone-500">({sourceType})</span>}
          </>
        ) : (
          '—'
        )}
      </Item>
      <Item label="Git commit" testId="run-commit">
        {commit ? (
          <span className="font-mono text-xs" title={commit}>
            {commit.slice(0, SHORT_COMMIT)}
          </span>
        ) : (
          '—'
        )}
      </Item>
      <Item label="Parent run" testId="run-parent">
        {parentId ? (
          <Link prefetch={false} href={runHref(parentId)} className="text-sky-800 hover:underline">
            {family.data?.parent?.runName ? runLabel({ runId: parentId, runName: family.data.parent.runName }) : parentId}
          </Link>
        ) : (
          '—'
        )}
      </Item>
      <Item label={`Child runs${family.data ? ` (${family.data.childCount})` : ''}`} testId="run-children">
        {family.error ? (
          <span className="text-xs text-red-700">{family.error.message}</span>
        ) : !family.data ? (
          <span className="text-xs text-stone-500">Loading…</span>
        ) : children.length === 0 ? (
          '—'
        ) : (
          <ul className="flex flex-wrap gap-x-3">
            {children.map((c) => (
              <li key={c.runId}>
                <Link prefetch={false} href={runHref(c.runId)} className="text-sky-800 hover:underline">
                  {runLabel(c)}
                </Link>{' '}
                <span className="text-xs text-stone-500">{c.status.toLowerCase()}</span>
              </li>
            ))}
            {family.data.childCount > children.length && <li className="text-xs text-stone-500">+{family.data.childCount - children.length} more</li>}
          </ul>
        )}
      </Item>
    </dl>
  );
}

function Item({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="flex gap-2" data-testid={testId}>
      <dt className="shrink-0 text-stone-500">{label}</dt>
      <dd className="min-w-0 text-stone-800">{children}</dd>
    </div>
  );
}

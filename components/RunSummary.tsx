'use client';

import Link from 'next/link';
import type { Run } from '@/lib/domain';
import { useExperiment } from '@/lib/react';
import { experimentLabel, formatTime, runLabel } from './format';
import RunDuration from './RunDuration';
import RunStatusBadge from './RunStatusBadge';

/** The run page's heading: breadcrumb to its experiment, name, status and times. */
export default function RunSummary({ run }: { run: Run }) {
  const { info } = run;
  const experiment = useExperiment(info.experimentId);
  return (
    <div className="space-y-1">
      <nav aria-label="Breadcrumb" className="text-xs text-stone-500">
        <Link href="/" className="hover:underline">
          Experiments
        </Link>{' '}
        /{' '}
        <Link href={`/experiment/?id=${encodeURIComponent(info.experimentId)}`} className="hover:underline">
          {experiment.data ? experimentLabel(experiment.data) : info.experimentId}
        </Link>{' '}
        /
      </nav>
      <div className="flex items-center gap-3">
        <h1 data-testid="run-name" className="text-xl font-semibold">
          {runLabel(info)}
        </h1>
        <RunStatusBadge status={info.status} />
        {info.lifecycleStage === 'deleted' && (
          <span data-testid="run-deleted" className="rounded bg-stone-200 px-1.5 py-0.5 text-xs text-stone-700">
            deleted
          </span>
        )}
      </div>
      <dl className="flex flex-wrap gap-x-6 gap-y-1 text-xs text-stone-600">
        <div>
          <dt className="inline text-stone-400">Run ID </dt>
          <dd className="inline font-mono">{info.runId}</dd>
        </div>
        <div>
          <dt className="inline text-stone-400">Started </dt>
          <dd className="inline">{formatTime(info.startTime)}</dd>
        </div>
        <div>
          <dt className="inline text-stone-400">Ended </dt>
          <dd className="inline">{formatTime(info.endTime)}</dd>
        </div>
        <div>
          <dt className="inline text-stone-400">Duration </dt>
          <dd className="inline">
            <RunDuration info={info} />
          </dd>
        </div>
        {info.userId && (
          <div>
            <dt className="inline text-stone-400">User </dt>
            <dd className="inline">{info.userId}</dd>
          </div>
        )}
      </dl>
    </div>
  );
}

'use client';

import Link from 'next/link';
import type { Experiment } from '@/lib/react';
import { experimentLabel, formatTime } from './format';

/** The experiment page's header: breadcrumb, name, id and creation time, lifecycle and name-conflict notices. */
export default function ExperimentHeader({ experiment: exp }: { experiment: Experiment }) {
  return (
    <>
      <nav aria-label="Breadcrumb" className="text-xs text-stone-500">
        <Link href="/" className="hover:underline">
          Experiments
        </Link>{' '}
        /
      </nav>
      <div>
        <h1 id="experiment-heading" className="text-xl font-semibold">
          {experimentLabel(exp)}
        </h1>
        <p className="text-xs text-stone-500">
          Experiment ID <span className="font-mono">{exp.experimentId}</span> · created {formatTime(exp.creationTime)}
        </p>
      </div>
      {exp.lifecycleStage === 'deleted' && (
        <p data-testid="experiment-deleted" role="note" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          This experiment is deleted. Its runs are kept until it is permanently removed; restore it to log to it again.
        </p>
      )}
      {exp.nameConflict && (
        <p role="note" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Another experiment named “{exp.name}” was created concurrently. Rename one of them.
        </p>
      )}
    </>
  );
}

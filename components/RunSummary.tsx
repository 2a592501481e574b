'use client';

import Link from 'next/link';
import type { Run } from '@/lib/domain';
import { useCommands, useExperiment } from '@/lib/react';
import { experimentLabel, runLabel } from './format';
import LifecycleButton from './run/LifecycleButton';
import RenameButton from './run/RenameButton';
import RunStatusBadge from './RunStatusBadge';

/** The run page's heading: breadcrumb to its experiment, name, status, and rename / delete / restore (RUNPAGE-3). */
export default function RunSummary({ run }: { run: Run }) {
  const { info } = run;
  const experiment = useExperiment(info.experimentId);
  const commands = useCommands();
  const deleted = info.lifecycleStage === 'deleted';
  return (
    <div className="space-y-1">
      <nav aria-label="Breadcrumb" className="text-xs text-stone-500">
        <Link prefetch={false} href="/" className="hover:underline">
          Experiments
        </Link>{' '}
        /{' '}
        <Link prefetch={false} href={`/experiment/?id=${encodeURIComponent(info.experimentId)}`} className="hover:underline">
          {experiment.data ? experimentLabel(experiment.data) : info.experimentId}
        </Link>{' '}
        /
      </nav>
      <div className="flex flex-wrap items-center gap-3">
        <h1 data-testid="run-name" className="text-xl font-semibold">
          {runLabel(info)}
        </h1>
        <RunStatusBadge status={info.status} />
        {deleted && (
          <span data-testid="run-deleted" className="rounded bg-stone-200 px-1.5 py-0.5 text-xs text-stone-700">
            deleted
          </span>
        )}
        <span className="ml-auto flex items-center gap-2">
          {!deleted && <RenameButton what="run" current={info.runName} onRename={(name) => commands.renameRun(info.runId, name)} />}
          <LifecycleButton what="run" deleted={deleted} onDelete={() => commands.deleteRun(info.runId)} onRestore={() => commands.restoreRun(info.runId)} />
        </span>
      </div>
    </div>
  );
}

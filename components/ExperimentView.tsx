'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useExperiment, useRunsPage } from '@/lib/react';
import { experimentLabel, formatTime } from './format';
import LoadError from './LoadError';
import RunsFilter from './RunsFilter';
import RunsTable from './RunsTable';
import StartRunForm from './StartRunForm';

/** Rows asked for at first and added per "Load more", as MLflow's runs table loads them. */
const PAGE_ROWS = 100;

/** `/experiment/?id=`: the experiment's runs, newest first. */
export default function ExperimentView() {
  const id = useSearchParams().get('id') ?? '';
  const experiment = useExperiment(id);
  const [limit, setLimit] = useState(PAGE_ROWS);
  const [filter, setFilter] = useState('');
  const runs = useRunsPage(id, limit, { filter });

  if (!id) return <p className="text-sm text-stone-600">No experiment id given.</p>;
  const exp = experiment.data;
  if (experiment.loading && exp === undefined) return <p className="text-sm text-stone-500">Loading experiment…</p>;
  if (experiment.error) return <LoadError error={experiment.error} />;
  if (!exp) {
    return (
      <p data-testid="experiment-not-found" className="text-sm text-stone-600">
        Experiment <span className="font-mono">{id}</span> does not exist in this workspace (yet: it may still be syncing).{' '}
        <Link href="/" className="text-sky-800 hover:underline">
          All experiments
        </Link>
      </p>
    );
  }

  const page = runs.data;
  const total = page?.total ?? 0;
  const deletedCount = page?.deleted ?? 0;

  return (
    <section aria-labelledby="experiment-heading" className="space-y-4">
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
      {runs.error && <LoadError error={runs.error} />}
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-semibold text-stone-700">{page?.error ? 'Runs' : `Runs (${total})`}</h2>
        {exp.lifecycleStage === 'active' && <StartRunForm experimentId={exp.experimentId} />}
      </div>
      <RunsFilter
        applied={filter}
        error={page?.error}
        onApply={(f) => {
          setFilter(f);
          setLimit(PAGE_ROWS);
        }}
      />
      {runs.loading && !page ? (
        <p className="text-sm text-stone-500">Loading runs…</p>
      ) : !page || total === 0 ? (
        filter ? (
          <p data-testid="runs-no-match" className="text-sm text-stone-500">
            {page?.error ? 'Fix the filter to see runs.' : 'No runs match this filter.'}
          </p>
        ) : (
          <p data-testid="runs-empty" className="text-sm text-stone-500">
            No runs logged to this experiment yet.
          </p>
        )
      ) : (
        <RunsTable key={filter} page={page} onLoadMore={() => setLimit((n) => n + PAGE_ROWS * 5)} />
      )}
      {deletedCount > 0 && <p className="text-xs text-stone-500">{deletedCount} deleted run(s) not shown.</p>}
      {page?.cached && (
        <p data-testid="runs-cached" className="text-xs text-stone-500">
          Showing the copy saved on this device while the workspace loads.
        </p>
      )}
    </section>
  );
}

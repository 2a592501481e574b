'use client';

import { useState } from 'react';
import { useRunsPage, type Experiment } from '@/lib/react';
import LoadError from './LoadError';
import RunsFilter from './RunsFilter';
import RunsTable from './RunsTable';
import StartRunForm from './StartRunForm';

/** Rows asked for at first and added per "Load more", as MLflow's runs table loads them. */
const PAGE_ROWS = 100;

/** The experiment page's runs: the filter box, the runs table and the "New run" form. */
export default function ExperimentRuns({ experiment: exp }: { experiment: Experiment }) {
  const [limit, setLimit] = useState(PAGE_ROWS);
  const [filter, setFilter] = useState('');
  const runs = useRunsPage(exp.experimentId, limit, { filter });
  const page = runs.data;
  const total = page?.total ?? 0;
  const deletedCount = page?.deleted ?? 0;

  return (
    <>
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
    </>
  );
}

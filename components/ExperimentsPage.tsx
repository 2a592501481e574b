'use client';

import { useState } from 'react';
import { useExperiments } from '@/lib/react';
import CreateExperimentForm from './CreateExperimentForm';
import ExperimentsTable from './ExperimentsTable';
import IrisExamplePanel from './IrisExamplePanel';
import LoadError from './LoadError';

type View = 'ACTIVE_ONLY' | 'DELETED_ONLY';

/**
 * `/`: the workspace's experiments (active, or the deleted ones with restore: RUNPAGE-7), a form to create one, and the
 * built-in Iris example (IRIS-10).
 */
export default function ExperimentsPage() {
  const [view, setView] = useState<View>('ACTIVE_ONLY');
  const { data, error, loading } = useExperiments(view);
  const experiments = data ?? [];
  const deletedView = view === 'DELETED_ONLY';
  return (
    <section aria-labelledby="experiments-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 id="experiments-heading" className="text-xl font-semibold">
          Experiments
        </h1>
        <CreateExperimentForm />
      </div>
      <div role="group" aria-label="Which experiments" className="inline-flex rounded border border-stone-300 text-sm">
        {(
          [
            ['ACTIVE_ONLY', 'Active'],
            ['DELETED_ONLY', 'Deleted'],
          ] as const
        ).map(([v, label]) => (
          <button
            key={v}
            type="button"
            aria-pressed={view === v}
            onClick={() => setView(v)}
            className={`px-3 py-0.5 first:rounded-l last:rounded-r ${view === v ? 'bg-stone-200 font-medium text-stone-900' : 'text-stone-600 hover:bg-stone-100'}`}
          >
            {label}
          </button>
        ))}
      </div>
      {error && <LoadError error={error} />}
      {loading && !data ? (
        <p className="text-sm text-stone-500">Loading experiments…</p>
      ) : experiments.length === 0 ? (
        <p data-testid="experiments-empty" className="text-sm text-stone-500">
          {deletedView ? 'No deleted experiments.' : 'No experiments yet. Create one above, or log a run from the SDK.'}
        </p>
      ) : (
        <ExperimentsTable experiments={experiments} />
      )}
      <IrisExamplePanel />
    </section>
  );
}

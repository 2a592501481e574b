'use client';

import { useExperiments } from '@/lib/react';
import CreateExperimentForm from './CreateExperimentForm';
import ExperimentsTable from './ExperimentsTable';
import LoadError from './LoadError';

/** `/`: the experiments of the workspace and a form to create one. */
export default function ExperimentsPage() {
  const { data, error, loading } = useExperiments();
  const experiments = data ?? [];
  return (
    <section aria-labelledby="experiments-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 id="experiments-heading" className="text-xl font-semibold">
          Experiments
        </h1>
        <CreateExperimentForm />
      </div>
      {error && <LoadError error={error} />}
      {loading && !data ? (
        <p className="text-sm text-stone-500">Loading experiments…</p>
      ) : experiments.length === 0 ? (
        <p data-testid="experiments-empty" className="text-sm text-stone-500">
          No experiments yet. Create one above, or log a run from the SDK.
        </p>
      ) : (
        <ExperimentsTable experiments={experiments} />
      )}
    </section>
  );
}

'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useExperiment } from '@/lib/react';
import ExperimentNav from './boards/ExperimentNav';
import ExperimentHeader from './ExperimentHeader';
import ExperimentRuns from './ExperimentRuns';
import LoadError from './LoadError';

/** `/experiment/?id=`: the experiment's header, its "Runs | Dashboards" navigation and its runs. */
export default function ExperimentView() {
  const id = useSearchParams().get('id') ?? '';
  const experiment = useExperiment(id);

  if (!id) return <p className="text-sm text-stone-600">No experiment id given.</p>;
  const exp = experiment.data;
  if (experiment.loading && exp === undefined) return <p className="text-sm text-stone-500">Loading experiment…</p>;
  if (experiment.error) return <LoadError error={experiment.error} />;
  if (!exp) {
    return (
      <p data-testid="experiment-not-found" className="text-sm text-stone-600">
        Experiment <span className="font-mono">{id}</span> does not exist in this workspace (yet: it may still be syncing).{' '}
        <Link prefetch={false} href="/" className="text-sky-800 hover:underline">
          All experiments
        </Link>
      </p>
    );
  }
  return (
    <section aria-labelledby="experiment-heading" className="space-y-4">
      <ExperimentHeader experiment={exp} />
      <ExperimentNav experimentId={exp.experimentId} current="runs" />
      <ExperimentRuns experiment={exp} />
    </section>
  );
}

'use client';

import { useSearchParams } from 'next/navigation';
import { useRun } from '@/lib/react';
import ArtifactsList from './ArtifactsList';
import DatasetsList from './DatasetsList';
import KeyValueTable from './KeyValueTable';
import LoadError from './LoadError';
import MetricCharts from './MetricCharts';
import PageSection from './PageSection';
import ParamConflicts from './ParamConflicts';
import RunSummary from './RunSummary';

/** `/run/?id=`: everything logged to one run; metric charts update live while it runs. */
export default function RunView() {
  const id = useSearchParams().get('id') ?? '';
  const { data: run, error, loading } = useRun(id);

  if (!id) return <p className="text-sm text-stone-600">No run id given.</p>;
  if (error) return <LoadError error={error} />;
  if (loading && run === undefined) return <p className="text-sm text-stone-500">Loading run…</p>;
  if (!run) {
    return (
      <p data-testid="run-not-found" className="text-sm text-stone-600">
        Run <span className="font-mono">{id}</span> does not exist in this workspace (yet: it may still be syncing).
      </p>
    );
  }
  return (
    <article className="space-y-6">
      <RunSummary run={run} />
      <ParamConflicts conflicts={run.conflicts} />
      <PageSection title="Metrics">
        <MetricCharts run={run} />
      </PageSection>
      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <PageSection title={`Parameters (${Object.keys(run.params).length})`}>
          <KeyValueTable label="Parameters" testId="params" entries={run.params} />
        </PageSection>
        <PageSection title={`Tags (${Object.keys(run.tags).length})`}>
          <KeyValueTable label="Tags" testId="tags" entries={run.tags} mutedPrefix="mlflow." />
        </PageSection>
      </div>
      <PageSection title={`Datasets (${run.inputs.length})`}>
        <DatasetsList inputs={run.inputs} />
      </PageSection>
      <PageSection title={`Artifacts (${run.artifacts.length})`}>
        <ArtifactsList artifacts={run.artifacts} />
      </PageSection>
    </article>
  );
}

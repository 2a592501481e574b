'use client';

import { useSearchParams } from 'next/navigation';
import { useCommands, useRun } from '@/lib/react';
import ArtifactsPanel from './artifacts/ArtifactsPanel';
import DatasetsList from './DatasetsList';
import KeyValueTable from './KeyValueTable';
import LoadError from './LoadError';
import MetricCharts from './MetricCharts';
import PageSection from './PageSection';
import ParamConflicts from './ParamConflicts';
import ProjectPanel from './projects/ProjectPanel';
import RunDescription from './run/RunDescription';
import RunOverview from './run/RunOverview';
import TagsEditor from './run/TagsEditor';
import RunSummary from './RunSummary';

/** The description has its own editor; its tag is not listed among the tags. */
const HIDDEN_TAGS = ['mlflow.note.content'] as const;

/** `/run/?id=`: everything logged to one run; metric charts update live while it runs. */
export default function RunView() {
  const id = useSearchParams().get('id') ?? '';
  const { data: run, error, loading } = useRun(id);
  const commands = useCommands();

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
  const deleted = run.info.lifecycleStage === 'deleted';
  const tagCount = Object.keys(run.tags).filter((k) => !(HIDDEN_TAGS as readonly string[]).includes(k)).length;
  return (
    <article className="space-y-6">
      <RunSummary run={run} />
      <RunOverview run={run} />
      <ProjectPanel run={run} />
      <PageSection title="Description">
        <RunDescription runId={run.info.runId} readOnly={deleted} />
      </PageSection>
      <ParamConflicts conflicts={run.conflicts} />
      <PageSection title="Metrics">
        <MetricCharts run={run} />
      </PageSection>
      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <PageSection title={`Parameters (${Object.keys(run.params).length})`}>
          <KeyValueTable label="Parameters" testId="params" entries={run.params} />
        </PageSection>
        <PageSection title={`Tags (${tagCount})`}>
          <TagsEditor
            label="Tags"
            testId="tags"
            entries={run.tags}
            mutedPrefix="mlflow."
            hidden={HIDDEN_TAGS}
            readOnly={deleted}
            onSet={(k, v) => commands.setRunTag(run.info.runId, k, v)}
            onDelete={(k) => commands.deleteRunTag(run.info.runId, k)}
          />
        </PageSection>
      </div>
      <PageSection title={`Datasets (${run.inputs.length})`}>
        <DatasetsList inputs={run.inputs} />
      </PageSection>
      <PageSection title={`Artifacts (${run.artifacts.length})`}>
        <ArtifactsPanel runId={run.info.runId} artifacts={run.artifacts} deleted={deleted} />
      </PageSection>
    </article>
  );
}

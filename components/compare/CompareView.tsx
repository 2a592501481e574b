'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useDeferredValue, useMemo, useState, type ReactNode } from 'react';
import { useCompareRuns, useExperiment, type Axis, type RunRow } from '@/lib/react';
import { experimentLabel, runLabel } from '../format';
import LoadError from '../LoadError';
import PageSection from '../PageSection';
import { runColor } from '../run-colors';
import AxesChooser from './AxesChooser';
import AxisSelect from './AxisSelect';
import CompareLines from './CompareLines';
import DiffTable from './DiffTable';
import { ParallelChart, ScatterChart } from './RunCharts';
import { availableAxes, defaultParallelAxes, defaultScatterAxes } from './run-values';

/** Axes a parallel-coordinates chart starts with, and the most it takes (past ~20 the lines are a blur). */
const DEFAULT_PARALLEL_AXES = 8;
const MAX_PARALLEL_AXES = 20;

/** The run ids of `?runs=a,b,c`: trimmed, empty ones dropped, the first of each kept. */
export function parseRunIds(raw: string | null): string[] {
  return [...new Set((raw ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
}

/**
 * `/compare/?experiment=<expId>&runs=<id1>,<id2>,...`: overlaid line charts per metric, parallel coordinates, a
 * scatter with chosen axes and the diff table of 2–100 runs. The runs come from the experiment index (no run doc, no
 * socket per run); the lines from the charts' multi-run series (snapshots for finished runs).
 */
export default function CompareView() {
  const params = useSearchParams();
  const experimentId = params.get('experiment') ?? '';
  const runIds = useMemo(() => parseRunIds(params.get('runs')), [params]);
  const experiment = useExperiment(experimentId || null);
  const compared = useCompareRuns(experimentId || null, runIds);

  if (!experimentId) return <Problem>No experiment given: open compare from an experiment's runs table.</Problem>;
  const expName = experiment.data ? experimentLabel(experiment.data) : experimentId;
  const back = (
    <Link prefetch={false} href={`/experiment/?id=${encodeURIComponent(experimentId)}`} className="text-sm text-sky-800 hover:underline dark:text-sky-300">
      ← {expName}
    </Link>
  );
  if (compared.error) {
    return (
      <div className="space-y-3">
        {back}
        <LoadError error={compared.error} />
      </div>
    );
  }
  const data = compared.data;
  if (!data) return <p className="text-sm text-stone-500 dark:text-stone-400">Loading runs…</p>;
  const missing = data.missing.length > 0 && (
    <p role="alert" data-testid="compare-missing" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950">
      {data.missing.length === 1 ? 'This run is' : 'These runs are'} not in the experiment (unknown, deleted, or not synced yet):{' '}
      <span className="font-mono text-xs">{data.missing.join(', ')}</span>
    </p>
  );
  return (
    <section aria-labelledby="compare-heading" className="space-y-5">
      <div className="space-y-1">
        {back}
        <h1 id="compare-heading" className="text-xl font-semibold">
          Compare {data.runs.length} runs
        </h1>
        <RunLegend runs={data.runs} />
      </div>
      {missing}
      {data.runs.length < 2 ? (
        <Problem>Compare needs at least 2 runs of this experiment; {data.runs.length === 1 ? 'only one was' : 'none were'} found.</Problem>
      ) : (
        <CompareBody runs={data.runs} />
      )}
    </section>
  );
}

const NO_RUNS: RunRow[] = [];

/**
 * The charts and the table render at low priority (a deferred value starting empty): React renders them in slices
 * between frames, so 100 runs' diff table and chart options do not make one long main-thread task.
 */
function CompareBody({ runs: latest }: { runs: RunRow[] }) {
  const runs = useDeferredValue(latest, NO_RUNS);
  if (runs.length === 0) return <p className="text-sm text-stone-500 dark:text-stone-400">Drawing…</p>;
  return <CompareSections runs={runs} />;
}

function CompareSections({ runs }: { runs: RunRow[] }) {
  const axes = useMemo(() => availableAxes(runs), [runs]);
  const [parallel, setParallel] = useState<Axis[] | null>(null);
  const [scatter, setScatter] = useState<{ x: Axis; y: Axis } | null>(null);
  const parallelAxes = parallel ?? defaultParallelAxes(runs, DEFAULT_PARALLEL_AXES);
  const { x, y } = scatter ?? defaultScatterAxes(runs);
  return (
    <>
      <PageSection title="Metrics">
        <CompareLines runs={runs} />
      </PageSection>
      <PageSection title="Parallel coordinates">
        <AxesChooser axes={axes} chosen={parallelAxes} onChange={setParallel} max={MAX_PARALLEL_AXES} />
        {parallelAxes.length >= 2 ? (
          <ParallelChart runs={runs} axes={parallelAxes} className="h-80" />
        ) : (
          <p className="text-sm text-stone-500 dark:text-stone-400">Choose at least two axes.</p>
        )}
      </PageSection>
      <PageSection title="Scatter">
        <div className="flex flex-wrap gap-4">
          <AxisSelect label="x" axes={axes} value={x} onChange={(a) => setScatter({ x: a, y })} />
          <AxisSelect label="y" axes={axes} value={y} onChange={(a) => setScatter({ x, y: a })} />
        </div>
        <ScatterChart runs={runs} x={x} y={y} className="h-80" />
      </PageSection>
      <PageSection title="Differences">
        <DiffTable runs={runs} />
      </PageSection>
    </>
  );
}

/** The compared runs, each in its colour (the same in every chart), linking to its run page. */
function RunLegend({ runs }: { runs: readonly RunRow[] }) {
  return (
    <ul aria-label="Compared runs" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
      {runs.map((r) => (
        <li key={r.info.runId} className="inline-flex items-center gap-1">
          <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ backgroundColor: runColor(r.info.runId) }} aria-hidden />
          <Link prefetch={false} href={`/run/?id=${encodeURIComponent(r.info.runId)}`} className="text-sky-800 hover:underline dark:text-sky-300">
            {runLabel(r.info)}
          </Link>
        </li>
      ))}
    </ul>
  );
}

function Problem({ children }: { children: ReactNode }) {
  return (
    <p role="alert" data-testid="compare-problem" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
      {children}
    </p>
  );
}

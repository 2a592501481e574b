'use client';

import { useMemo } from 'react';
import type { Axis, RunRow } from '@/lib/react';
import { latestBarOption, parallelOption, scatterOption } from './run-chart-options';
import RunsEChart from './RunsEChart';
import { axisLabel } from './run-values';
import { useStable } from './use-stable';

/** The charts over runs that compare and the dashboard cards share: each builds its option and hands it to RunsEChart. */

export function ScatterChart({ runs, className, ...axes }: { runs: readonly RunRow[]; x: Axis; y: Axis; className?: string }) {
  const { x, y } = useStable(axes);
  const chart = useMemo(() => scatterOption(runs, x, y), [runs, x, y]);
  return <RunsEChart chart={chart} testId="scatter-chart" label={`Scatter of ${axisLabel(y)} against ${axisLabel(x)}, one point per run`} {...(className ? { className } : {})} />;
}

export function ParallelChart({ runs, className, ...p }: { runs: readonly RunRow[]; axes: readonly Axis[]; className?: string }) {
  const axes = useStable(p.axes);
  const chart = useMemo(() => parallelOption(runs, axes), [runs, axes]);
  return <RunsEChart chart={chart} testId="parallel-chart" label={`Parallel coordinates over ${axes.map(axisLabel).join(', ')}, one line per run`} {...(className ? { className } : {})} />;
}

export function LatestBarChart({ runs, metric, className }: { runs: readonly RunRow[]; metric: string; className?: string }) {
  const chart = useMemo(() => latestBarOption(runs, metric), [runs, metric]);
  return <RunsEChart chart={chart} testId="bar-chart" label={`Bars of the latest ${metric} per run`} {...(className ? { className } : {})} />;
}

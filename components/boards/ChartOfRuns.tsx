'use client';

import type { LineSettings, RunRow } from '@/lib/react';
import { LatestBarChart, ParallelChart, ScatterChart } from '../compare/RunCharts';
import type { ChartSpec } from './embed-link';
import { useHeight } from './use-height';

/**
 * One chart over runs as a card or an embed describes it (ChartSpec), filling its container. Line charts come from the
 * charts area's multi-run line chart (with its settings controls when `onLineSettingsChange` is given); the others
 * from components/compare's RunCharts.
 */
export default function ChartOfRuns({ chart, runs, onLineSettingsChange }: { chart: ChartSpec; runs: readonly RunRow[]; onLineSettingsChange?: (s: LineSettings) => void }) {
  const [ref, height] = useHeight<HTMLDivElement>();
  return (
    <div ref={ref} className="h-full w-full">
      {chart.kind === 'bar' && <LatestBarChart runs={runs} metric={chart.metric} className="h-full" />}
      {chart.kind === 'scatter' && <ScatterChart runs={runs} x={chart.x} y={chart.y} className="h-full" />}
      {chart.kind === 'parallel' && <ParallelChart runs={runs} axes={chart.axes} className="h-full" />}
      {chart.kind === 'line' && height > 0 && <LineOfRuns chart={chart} runs={runs} height={height} {...(onLineSettingsChange ? { onLineSettingsChange } : {})} />}
    </div>
  );
}

/** UNFINISHED until components/charts/RunsLineChart.tsx (the charts helper's) is merged: it draws this. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
function LineOfRuns({ chart, runs, height }: { chart: Extract<ChartSpec, { kind: 'line' }>; runs: readonly RunRow[]; height: number; onLineSettingsChange?: (s: LineSettings) => void }) {
  return (
    <p data-testid="line-chart-pending" className="p-3 text-sm text-stone-500">
      <span className="font-mono">{chart.metric}</span> over {runs.length} runs · line chart not available yet
    </p>
  );
}

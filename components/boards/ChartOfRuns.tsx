'use client';

import { useMemo } from 'react';
import type { LineSettings, RunRow } from '@/lib/react';
import { chartSettingsFrom } from '../charts/chart-settings';
import RunsLineChart from '../charts/RunsLineChart';
import { LatestBarChart, ParallelChart, ScatterChart } from '../compare/RunCharts';
import { runLabel } from '../format';
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

/** Room the line chart's caption and compact controls take inside its figure, out of the height it is given. */
const LINE_CHROME_PX = 40;
const LINE_CONTROLS_PX = 60;
const MIN_LINE_PX = 80;

/** The charts area's RunsLineChart over these runs, its settings read tolerantly (stored cards, links). */
function LineOfRuns({ chart, runs, height, onLineSettingsChange }: { chart: Extract<ChartSpec, { kind: 'line' }>; runs: readonly RunRow[]; height: number; onLineSettingsChange?: (s: LineSettings) => void }) {
  const lines = useMemo(() => runs.map((r) => ({ runId: r.info.runId, name: runLabel(r.info) })), [runs]);
  const settings = useMemo(() => chartSettingsFrom(chart.settings), [chart.settings]);
  const chrome = LINE_CHROME_PX + (onLineSettingsChange ? LINE_CONTROLS_PX : 0);
  return (
    <RunsLineChart
      runs={lines}
      metricKey={chart.metric}
      settings={settings}
      height={Math.max(MIN_LINE_PX, height - chrome)}
      {...(onLineSettingsChange ? { onSettingsChange: onLineSettingsChange } : {})}
    />
  );
}

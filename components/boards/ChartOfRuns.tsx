'use client';

import type { RunRow } from '@/lib/react';
import { LatestBarChart, ParallelChart, ScatterChart } from '../compare/RunCharts';
import type { ChartSpec } from './embed-link';

/**
 * One chart over runs as a card or an embed describes it (ChartSpec). Line charts come from the charts area's
 * multi-run line chart; the others from components/compare's RunCharts.
 */
export default function ChartOfRuns({ chart, runs, className }: { chart: ChartSpec; runs: readonly RunRow[]; className?: string }) {
  const cls = className ? { className } : {};
  switch (chart.kind) {
    case 'bar':
      return <LatestBarChart runs={runs} metric={chart.metric} {...cls} />;
    case 'scatter':
      return <ScatterChart runs={runs} x={chart.x} y={chart.y} {...cls} />;
    case 'parallel':
      return <ParallelChart runs={runs} axes={chart.axes} {...cls} />;
    case 'line':
      // UNFINISHED: components/charts/RunsLineChart.tsx (the charts helper's) draws this once it is merged.
      return (
        <p data-testid="line-chart-pending" className="p-3 text-sm text-stone-500">
          <span className="font-mono">{chart.metric}</span> over {runs.length} runs · line chart not available yet
        </p>
      );
  }
}

'use client';

import type { RunRow } from '@/lib/react';
import { metricKeysOf } from './run-values';

/**
 * One overlaid line chart per metric key of the compared runs.
 * UNFINISHED: waits for components/charts/RunsLineChart.tsx (the charts helper's multi-run line chart); until it is
 * merged, each key is listed without a chart. No line chart is drawn here on purpose: there is one line-over-runs
 * chart in the app and it lives in components/charts.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export default function CompareLines({ experimentId, runs }: { experimentId: string; runs: readonly RunRow[] }) {
  const keys = metricKeysOf(runs);
  if (keys.length === 0) return <p className="text-sm text-stone-500">These runs logged no metrics.</p>;
  return (
    <ul className="grid grid-cols-1 gap-3 lg:grid-cols-2">
      {keys.map((k) => (
        <li key={k} data-testid={`compare-line-${k}`} className="rounded border border-dashed border-stone-300 p-3 text-sm text-stone-500">
          <span className="font-mono">{k}</span> · line chart not available yet
        </li>
      ))}
    </ul>
  );
}

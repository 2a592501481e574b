'use client';

import { useMemo, useState } from 'react';
import type { RunRow } from '@/lib/react';
import ChartControls from '../charts/ChartControls';
import { DEFAULT_CHART_SETTINGS, type ChartSettings } from '../charts/chart-settings';
import RunsLineChart from '../charts/RunsLineChart';
import { runLabel } from '../format';
import { metricKeysOf } from './run-values';

/**
 * One overlaid line chart per metric key of the compared runs (components/charts' RunsLineChart: finished runs read
 * from snapshots, running ones live, so 100 runs do not open 100 sockets), all drawn with one set of chart settings.
 */
export default function CompareLines({ runs }: { runs: readonly RunRow[] }) {
  const [settings, setSettings] = useState<ChartSettings>(DEFAULT_CHART_SETTINGS);
  const keys = useMemo(() => metricKeysOf(runs), [runs]);
  const lines = useMemo(() => runs.map((r) => ({ runId: r.info.runId, name: runLabel(r.info) })), [runs]);
  if (keys.length === 0) return <p className="text-sm text-stone-500 dark:text-stone-400">These runs logged no metrics.</p>;
  return (
    <div className="space-y-2">
      <ChartControls settings={settings} onChange={setSettings} metricKeys={keys} />
      <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
        {keys.map((k) => (
          <RunsLineChart key={k} runs={lines} metricKey={k} settings={settings} />
        ))}
      </div>
    </div>
  );
}

'use client';

import { useState } from 'react';
import type { Run } from '@/lib/domain';
import ChartControls from './charts/ChartControls';
import { DEFAULT_CHART_SETTINGS, type ChartSettings } from './charts/chart-settings';
import MetricChart from './charts/MetricChart';

/**
 * The run page's charts: one live chart per metric key of the run (keys from its summary, so a key appears as soon as
 * its first point is summarised), all drawn with one set of ChartControls; each chart keeps its own zoom.
 */
export default function MetricCharts({ run }: { run: Run }) {
  const [settings, setSettings] = useState<ChartSettings>(DEFAULT_CHART_SETTINGS);
  const keys = Object.keys(run.metrics).sort((a, b) => a.localeCompare(b));
  if (keys.length === 0) return <p className="text-sm text-stone-500">No metrics logged.</p>;
  return (
    <div className="flex flex-col gap-3">
      <ChartControls settings={settings} onChange={setSettings} metricKeys={keys} />
      <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
        {keys.map((k) => (
          <MetricChart key={k} run={run} metricKey={k} settings={settings} />
        ))}
      </div>
    </div>
  );
}

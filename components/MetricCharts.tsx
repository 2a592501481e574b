'use client';

import type { Run } from '@/lib/domain';
import { useRunMetrics } from '@/lib/react';
import { formatCount } from './format';
import LoadError from './LoadError';
import MetricChart from './MetricChart';

/** Buckets per chart: ~one per horizontal pixel pair of a half-width chart; the worker downsamples to this. */
const CHART_BUCKETS = 500;

/** One live chart per metric key of the run; keys known from the summary but not yet loaded show as pending. */
export default function MetricCharts({ run }: { run: Run }) {
  const { data, error, loading } = useRunMetrics(run.info.runId, CHART_BUCKETS);
  const series = [...(data ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const loadedKeys = new Set(series.map((s) => s.key));
  const pending = Object.keys(run.metrics)
    .filter((k) => !loadedKeys.has(k))
    .sort((a, b) => a.localeCompare(b));

  if (error) return <LoadError error={error} />;
  if (series.length === 0 && pending.length === 0) {
    return <p className="text-sm text-stone-500">{loading ? 'Loading metrics…' : 'No metrics logged.'}</p>;
  }
  return (
    <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
      {series.map((s) => (
        <MetricChart key={s.key} series={s} summary={run.metrics[s.key]} />
      ))}
      {pending.map((k) => (
        <div key={k} className="rounded border border-dashed border-stone-200 p-3 text-sm text-stone-500">
          <span className="font-mono">{k}</span> · {formatCount(run.metrics[k]!.count)} points · loading…
        </div>
      ))}
    </div>
  );
}

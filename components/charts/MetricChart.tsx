'use client';

import { useMemo } from 'react';
import type { Run } from '@/lib/domain';
import type { ChartSettings } from './chart-settings';
import RunsLineChart from './RunsLineChart';

/**
 * One metric key of one run (the run page): RunsLineChart with the run alone, its caption's latest value from the
 * run's summary (the true last value, whatever the buckets say).
 */
export default function MetricChart({ run, metricKey, settings }: { run: Run; metricKey: string; settings?: ChartSettings }) {
  const { runId, runName } = run.info;
  const runs = useMemo(() => [{ runId, name: runName || runId }], [runId, runName]);
  const latest = run.metrics[metricKey]?.latest;
  return <RunsLineChart runs={runs} metricKey={metricKey} {...(settings ? { settings } : {})} {...(latest !== undefined ? { latest } : {})} />;
}

'use client';

import { useEffect, useRef } from 'react';
import { cancelChartWork, queueChartWork } from '../charts/draw-queue';
import { useEChart } from '../charts/use-echart';
import type { ECharts } from './echarts-extra';
import type { RunChart } from './run-chart-options';

const loadExtra = () => import('./echarts-extra');

/**
 * Draws one chart over runs (scatter, parallel coordinates, bars: run-chart-options.ts). The canvas's lifecycle is
 * useEChart's (charts/use-echart.ts); the option is set whenever it changes. `data-drawn` says how many runs the chart holds (tests and people reading the DOM).
 */
export default function RunsEChart({ chart, label, testId, className = 'h-72' }: { chart: RunChart; label: string; testId: string; className?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const { chart: instance, loadError } = useEChart<ECharts>(el, loadExtra);

  useEffect(() => {
    if (!instance || instance.isDisposed()) return;
    // notMerge: axes change kind (value ↔ category) and count between options; merging would keep stale ones.
    // Drawn in a slice of the page's chart work (charts/draw-queue.ts, CHART-16).
    queueChartWork(instance, () => {
      if (!instance.isDisposed()) instance.setOption(chart.option, { notMerge: true });
    });
  }, [instance, chart]);
  useEffect(() => (instance ? () => cancelChartWork(instance) : undefined), [instance]);

  if (loadError) {
    return (
      <p role="alert" className="p-4 text-xs text-red-700 dark:text-red-300">
        Could not load the chart library: {loadError}
      </p>
    );
  }
  return <div ref={el} role="img" aria-label={label} data-testid={testId} data-drawn={instance ? chart.drawn : undefined} className={`w-full ${className}`} />;
}

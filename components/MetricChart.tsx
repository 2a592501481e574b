'use client';

import { useEffect, useRef, useState } from 'react';
import type { MetricSummary } from '@/lib/domain';
import type { ChartSeries } from '@/lib/react';
import type { ECharts } from './echarts-core';
import { formatCount, formatMetric } from './format';
import { metricChartOption } from './metric-chart-option';

/**
 * One live line chart. ECharts is loaded lazily inside the effect (never during prerender), created once per mount,
 * fed with `setOption` as new points arrive, and disposed on unmount.
 */
export default function MetricChart({ series, summary }: { series: ChartSeries; summary?: MetricSummary }) {
  const el = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<ECharts | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    let instance: ECharts | null = null;
    let disposed = false;
    let observer: ResizeObserver | null = null;
    import('./echarts-core')
      .then(({ default: echarts }) => {
        if (disposed) return;
        instance = echarts.init(node, undefined, { renderer: 'canvas' });
        observer = new ResizeObserver(() => instance?.resize());
        observer.observe(node);
        setChart(instance);
      })
      .catch((err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)));
    return () => {
      disposed = true;
      observer?.disconnect();
      instance?.dispose();
      setChart(null);
    };
  }, []);

  useEffect(() => {
    if (!chart || chart.isDisposed()) return;
    chart.setOption(metricChartOption(series), { replaceMerge: ['series'] });
  }, [chart, series]);

  // The summary's latest is the true last value; the series' last point may be a bucket's representative.
  const n = series.values.length;
  const latest = summary?.latest ?? (n > 0 ? series.values[n - 1] : undefined);
  return (
    <figure data-testid={`metric-chart-${series.key}`} data-count={series.count} className="rounded border border-stone-200 p-2">
      <figcaption className="flex items-baseline justify-between gap-2 px-1 text-sm">
        <span className="font-mono font-medium">{series.key}</span>
        <span className="text-xs text-stone-500">
          latest <span className="font-mono text-stone-800">{formatMetric(latest)}</span> ·{' '}
          <span data-testid={`metric-count-${series.key}`}>
            {formatCount(series.count)} {series.count === 1 ? 'point' : 'points'}
          </span>
          {series.min && series.max && <span> · min/max band</span>}
        </span>
      </figcaption>
      {loadError ? (
        <p role="alert" className="p-4 text-xs text-red-700">
          Could not load the chart library: {loadError}
        </p>
      ) : (
        <div ref={el} role="img" aria-label={`Line chart of ${series.key} by step`} className="h-56 w-full" />
      )}
    </figure>
  );
}

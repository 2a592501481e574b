'use client';

import { useEffect, useRef, useState } from 'react';
import type { ECharts } from './echarts-extra';
import type { RunChart } from './run-chart-options';

/**
 * Draws one chart over runs (scatter, parallel coordinates, bars: run-chart-options.ts). ECharts is loaded lazily in
 * the effect (never during prerender), created once per mount, fed with `setOption` when the option changes and
 * disposed on unmount. `data-drawn` says how many runs the chart holds (tests and people reading the DOM).
 */
export default function RunsEChart({ chart, label, testId, className = 'h-72' }: { chart: RunChart; label: string; testId: string; className?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [instance, setInstance] = useState<ECharts | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    let made: ECharts | null = null;
    let disposed = false;
    let observer: ResizeObserver | null = null;
    import('./echarts-extra')
      .then(({ default: echarts }) => {
        if (disposed) return;
        made = echarts.init(node, undefined, { renderer: 'canvas' });
        observer = new ResizeObserver(() => made?.resize());
        observer.observe(node);
        setInstance(made);
      })
      .catch((err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)));
    return () => {
      disposed = true;
      observer?.disconnect();
      made?.dispose();
      setInstance(null);
    };
  }, []);

  useEffect(() => {
    if (!instance || instance.isDisposed()) return;
    // notMerge: axes change kind (value ↔ category) and count between options; merging would keep stale ones.
    instance.setOption(chart.option, { notMerge: true });
  }, [instance, chart]);

  if (loadError) {
    return (
      <p role="alert" className="p-4 text-xs text-red-700 dark:text-red-300">
        Could not load the chart library: {loadError}
      </p>
    );
  }
  return <div ref={el} role="img" aria-label={label} data-testid={testId} data-drawn={instance ? chart.drawn : undefined} className={`w-full ${className}`} />;
}

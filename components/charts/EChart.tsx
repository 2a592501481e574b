'use client';

import { useEffect, useRef } from 'react';
import type { ECharts } from './echarts-core';
import { cancelChartWork, queueChartWork } from './draw-queue';
import { useEChart } from './use-echart';

const loadCore = () => import('./echarts-core');
// A page that has charts starts fetching the ~0.5 MB chunk as soon as this module runs in the browser, while it still
// waits for its data, rather than when the first chart mounts (CHART-14); the effect's import() then finds it loaded.
if (typeof window !== 'undefined') void loadCore().catch(() => {});

/** The chart instance on its container, for tests that read back what ECharts drew (tests/e2e/pages/charts.ts). */
export interface ChartNode extends HTMLDivElement {
  cairnChart?: ECharts;
}

/** A zoom window over the x axis as percentages of the axis (0..100), as ECharts' dataZoom reports it. */
export interface ZoomWindow {
  start: number;
  end: number;
}

/**
 * One ECharts canvas. ECharts is loaded lazily inside the effect (never during prerender), created once per mount,
 * fed with `setOption` whenever `option` changes (series replaced by id; the zoom window is kept), and disposed on
 * unmount. `onZoom` gets the window after the user zooms or pans. A null `option` (the data is still on its way) draws
 * nothing (CHART-15): an empty chart drawn first cost a page of ten charts ~100 ms of main thread just before their
 * data arrived, and the data's draw waited for it.
 */
export default function EChart({
  option,
  label,
  onZoom,
  resetZoom = 0,
  className = 'h-56 w-full',
}: {
  option: Record<string, unknown> | null;
  label: string;
  onZoom?: (w: ZoomWindow) => void;
  /** Each change zooms all the way out. */
  resetZoom?: number;
  className?: string;
}) {
  const el = useRef<ChartNode>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const { chart, loadError } = useEChart<ECharts>(el, loadCore, (inst, node: ChartNode) => {
    node.cairnChart = inst;
    inst.on('datazoom', () => {
      const dz = (inst.getOption() as { dataZoom?: { start?: number; end?: number }[] }).dataZoom?.[0];
      if (dz) zoomRef.current?.({ start: dz.start ?? 0, end: dz.end ?? 100 });
    });
    return () => delete node.cairnChart;
  });

  useEffect(() => {
    if (!chart || chart.isDisposed() || option === null) return;
    // Drawn in a slice of the page's chart work (CHART-16), in order with the other charts' draws.
    queueChartWork(chart, () => {
      if (chart.isDisposed()) return;
      const t0 = performance.now();
      chart.setOption(option, { replaceMerge: ['series'] });
      performance.measure?.('cairn:chart:draw', { start: t0, end: performance.now() });
    });
  }, [chart, option]);
  // A newer option replaces the waiting one in its place in the queue; only a chart going away drops its draw.
  useEffect(() => (chart ? () => cancelChartWork(chart) : undefined), [chart]);

  useEffect(() => {
    if (!chart || chart.isDisposed() || resetZoom === 0) return;
    chart.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
  }, [chart, resetZoom]);

  if (loadError) {
    return (
      <p role="alert" className="p-4 text-xs text-red-700">
        Could not load the chart library: {loadError}
      </p>
    );
  }
  // Keyboard zoom for people without a wheel: + / − zoom around the middle, ← / → pan, 0 zooms out.
  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (!chart || chart.isDisposed()) return;
    const dz = (chart.getOption() as { dataZoom?: { start?: number; end?: number }[] }).dataZoom?.[0];
    let start = dz?.start ?? 0;
    let end = dz?.end ?? 100;
    const span = end - start;
    const mid = (start + end) / 2;
    if (e.key === '+' || e.key === '=') [start, end] = [mid - span / 4, mid + span / 4];
    else if (e.key === '-' || e.key === '_') [start, end] = [mid - span, mid + span];
    else if (e.key === 'ArrowLeft') [start, end] = [start - span / 4, end - span / 4];
    else if (e.key === 'ArrowRight') [start, end] = [start + span / 4, end + span / 4];
    else if (e.key === '0') [start, end] = [0, 100];
    else return;
    e.preventDefault();
    const shift = start < 0 ? -start : end > 100 ? 100 - end : 0;
    chart.dispatchAction({ type: 'dataZoom', start: Math.max(0, start + shift), end: Math.min(100, end + shift) });
  };
  return (
    <div
      ref={el}
      role="img"
      tabIndex={0}
      onKeyDown={onKeyDown}
      aria-label={`${label}. Zoom with the wheel or + and −, pan with the arrow keys, 0 zooms out.`}
      data-chart-ready={chart ? 'true' : 'false'}
      className={`${className} rounded focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600`}
    />
  );
}

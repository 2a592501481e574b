'use client';

import { useId } from 'react';
import type { ChartSettings, XAxis } from './chart-settings';

const encodeAxis = (x: XAxis) => (x.kind === 'metric' ? `metric:${x.key}` : x.kind);
function decodeAxis(v: string): XAxis {
  if (v.startsWith('metric:')) return { kind: 'metric', key: v.slice('metric:'.length) };
  return v === 'wall' || v === 'relative' ? { kind: v } : { kind: 'step' };
}

/**
 * The settings of a group of line charts: smoothing slider (0–100), x axis (step, wall time, relative time, or one of
 * `metricKeys`), log x / log y, and "ignore outliers". One set edits every chart of a page (run page, compare, a
 * dashboard); `compact` is the one-line variant inside a single chart.
 */
export default function ChartControls({
  settings,
  onChange,
  metricKeys = [],
  compact = false,
}: {
  settings: ChartSettings;
  onChange: (s: ChartSettings) => void;
  /** Keys offered as the x axis ("another metric"). */
  metricKeys?: string[];
  compact?: boolean;
}) {
  const id = useId();
  const set = (patch: Partial<ChartSettings>) => onChange({ ...settings, ...patch });
  const axisValue = encodeAxis(settings.xAxis);
  const keys = settings.xAxis.kind === 'metric' && !metricKeys.includes(settings.xAxis.key) ? [settings.xAxis.key, ...metricKeys] : metricKeys;
  const box = 'h-4 w-4 rounded border-stone-300 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600';
  return (
    <div
      role="group"
      aria-label="Chart settings"
      className={`flex flex-wrap items-center gap-x-4 gap-y-2 text-xs text-stone-700 dark:text-stone-300 ${compact ? 'px-1 py-1' : 'rounded border border-stone-200 px-3 py-2 dark:border-stone-700'}`}
    >
      <label htmlFor={`${id}-smooth`} className="flex items-center gap-2">
        Smoothing
        <input
          id={`${id}-smooth`}
          type="range"
          min={0}
          max={100}
          step={1}
          value={settings.smoothing}
          onChange={(e) => set({ smoothing: Number(e.target.value) })}
          className="w-28 accent-sky-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600"
        />
        <output htmlFor={`${id}-smooth`} className="w-6 font-mono tabular-nums">
          {settings.smoothing}
        </output>
      </label>
      <label htmlFor={`${id}-x`} className="flex items-center gap-2">
        X axis
        <select
          id={`${id}-x`}
          value={axisValue}
          onChange={(e) => set({ xAxis: decodeAxis(e.target.value) })}
          className="rounded border border-stone-300 bg-white px-1 py-0.5 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-stone-600 dark:bg-stone-900"
        >
          <option value="step">Step</option>
          <option value="wall">Wall time</option>
          <option value="relative">Relative time</option>
          {keys.map((k) => (
            <option key={k} value={`metric:${k}`}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-1">
        <input type="checkbox" className={box} checked={settings.logX} onChange={(e) => set({ logX: e.target.checked })} />
        Log x
      </label>
      <label className="flex items-center gap-1">
        <input type="checkbox" className={box} checked={settings.logY} onChange={(e) => set({ logY: e.target.checked })} />
        Log y
      </label>
      <label className="flex items-center gap-1">
        <input type="checkbox" className={box} checked={settings.clipOutliers} onChange={(e) => set({ clipOutliers: e.target.checked })} />
        Ignore outliers
      </label>
    </div>
  );
}

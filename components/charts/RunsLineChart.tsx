'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useRunsSeries, type ChartSeries, type RunSeries } from '@/lib/react';
import { formatCount, formatMetric } from '../format';
import LoadError from '../LoadError';
import { runColor } from '../run-colors';
import ChartControls from './ChartControls';
import { DEFAULT_CHART_SETTINGS, xAxisLabel, type ChartSettings } from './chart-settings';
import EChart, { type ZoomWindow } from './EChart';
import { linesOption, type ChartLine } from './lines-option';
import { useDarkMode } from './use-dark';
import { spliceRange, unionExtent, windowToRange } from './zoom';

/** A run drawn by the chart: its line is `color ?? runColor(runId)`. */
export interface ChartRun {
  runId: string;
  name: string;
  color?: string;
}

/** Points per line (W&B's 1,500): the worker buckets every series to this, a zoomed range too. */
export const CHART_BUCKETS = 1500;
/** A zoom is re-bucketed this long after the last wheel or drag event (one worker query per gesture). */
export const ZOOM_DEBOUNCE_MS = 150;

/**
 * One metric key over one or many runs (CHART-*): a line per run with its min/max band when bucketed, smoothing, log
 * axes, outlier clipping and a tooltip across runs, live while runs are RUNNING. Zooming (wheel, drag) re-buckets the
 * visible range in the worker: the finer points replace the coarse ones inside it, the old drawing stays until they
 * arrive (no flicker). With one run the caption shows its latest value and point count (`metric-count-<key>`).
 */
export default function RunsLineChart({
  runs: runsProp,
  metricKey,
  settings: settingsProp = DEFAULT_CHART_SETTINGS,
  height = 224,
  onSettingsChange,
  latest,
}: {
  runs: ChartRun[];
  metricKey: string;
  settings?: ChartSettings;
  height?: number;
  onSettingsChange?: (s: ChartSettings) => void;
  /** The true latest value when the caller knows it (the run page's summary); else the series' last point. */
  latest?: number;
}) {
  // Callers often build `runs` and `settings` inline: kept by content, so a parent's re-render redraws nothing.
  const runs = useByContent(runsProp, (r) => r.map((x) => `${x.runId}\u0000${x.name}\u0000${x.color ?? ''}`).join('\u0001'));
  const settings = useByContent(settingsProp, (x) => JSON.stringify(x));
  const ids = useMemo(() => runs.map((r) => r.runId), [runs]);
  const xAxis = settings.xAxis;
  const full = useRunsSeries(ids, metricKey, { buckets: CHART_BUCKETS, xAxis });
  const [range, setRange] = useState<[number, number] | null>(null);
  const zoomable = !!full.data?.some((r) => r.series?.min);
  const zoomed = useRunsSeries(range && zoomable ? ids : NO_IDS, metricKey, { buckets: CHART_BUCKETS, range, xAxis });

  // What is drawn stays until its replacement arrives: a new range or x axis never blanks the chart.
  const shownFull = useLatest(full.data);
  const zoomAnswer = useMemo(() => (range && zoomed.data ? { range, data: zoomed.data } : range ? undefined : null), [range, zoomed.data]);
  const shownZoom = useLatest(zoomAnswer);
  const extent = useMemo(() => unionExtent((shownFull ?? []).map((r) => r.series)), [shownFull]);

  // The range resets when the x axis or the runs change (the old one means nothing there).
  const axisKey = JSON.stringify(xAxis) + ids.join(',') + String(settings.logX);
  const [rangeFor, setRangeFor] = useState(axisKey);
  const [resetZoom, setResetZoom] = useState(0);
  if (rangeFor !== axisKey) {
    setRangeFor(axisKey);
    setRange(null);
    setResetZoom((n) => n + 1);
  }

  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const extentRef = useRef<[number, number] | null>(null);
  const onZoom = useCallback(
    (w: ZoomWindow) => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setRange(windowToRange(w, extentRef.current, settings.logX)), ZOOM_DEBOUNCE_MS);
    },
    [settings.logX],
  );

  const lines = useMemo<ChartLine[]>(() => {
    if (!shownFull) return [];
    const zoomById = new Map((shownZoom?.data ?? []).map((r) => [r.runId, r.series]));
    const out: ChartLine[] = [];
    runs.forEach((run, i) => {
      const s = shownFull[i]?.runId === run.runId ? shownFull[i]!.series : shownFull.find((r) => r.runId === run.runId)?.series;
      if (!s) return;
      const z = shownZoom ? zoomById.get(run.runId) : null;
      out.push({ id: run.runId, name: run.name, color: run.color ?? runColor(run.runId), series: z ? spliceRange(s, z, shownZoom!.range) : s });
    });
    return out;
  }, [shownFull, shownZoom, runs]);

  const dark = useDarkMode();
  const { option, hidden, xExtent } = useMemo(() => linesOption(lines, settings, { extent, dark }), [lines, settings, extent, dark]);
  extentRef.current = xExtent;

  const error = full.error;
  const missing = shownFull ? runs.length - lines.length : 0;
  const one = runs.length === 1 ? (lines[0]?.series ?? null) : null;
  return (
    <figure data-testid={`metric-chart-${metricKey}`} data-count={one?.count ?? undefined} className="rounded border border-stone-200 p-2 dark:border-stone-700">
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2 px-1 text-sm">
        <span className="font-mono font-medium">{metricKey}</span>
        <span className="text-xs text-stone-500 dark:text-stone-400">
          {one ? (
            <>
              latest <span className="font-mono text-stone-800 dark:text-stone-200">{formatMetric(latest ?? lastValue(one))}</span> ·{' '}
              <span data-testid={`metric-count-${metricKey}`}>
                {formatCount(one.count)} {one.count === 1 ? 'point' : 'points'}
              </span>
              {one.min && <span> · min/max band</span>}
            </>
          ) : (
            <span>
              {formatCount(lines.length)} {lines.length === 1 ? 'run' : 'runs'}
              {missing > 0 && ` · ${formatCount(missing)} without ${metricKey}`}
            </span>
          )}
          {hidden > 0 && (
            <span data-testid="chart-hidden" role="status">
              {' '}
              · {formatCount(hidden)} {hidden === 1 ? 'point' : 'points'} ≤ 0 hidden (log scale)
            </span>
          )}
          {range && (
            <>
              {' '}
              ·{' '}
              <button
                type="button"
                className="rounded px-1 underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600"
                onClick={() => {
                  setRange(null);
                  setResetZoom((n) => n + 1);
                }}
              >
                reset zoom
              </button>
            </>
          )}
        </span>
      </figcaption>
      {onSettingsChange && <ChartControls settings={settings} onChange={onSettingsChange} compact />}
      {error && !shownFull ? (
        <LoadError error={error} />
      ) : (
        // The canvas is there from the start: ECharts loads and initialises while the worker reads the series; its first
        // draw is the series (CHART-15).
        <div className="relative" style={{ height }}>
          <EChart
            option={shownFull ? option : null}
            onZoom={onZoom}
            resetZoom={resetZoom}
            className="h-full w-full"
            label={`Line chart of ${metricKey} by ${xAxisLabel(xAxis)}${runs.length > 1 ? `, ${lines.length} runs` : ''}`}
          />
          {(!shownFull || lines.length === 0) && (
            <p role="status" className="absolute inset-0 flex items-center justify-center text-xs text-stone-500">
              {!shownFull ? `Loading ${metricKey}…` : `No points of ${metricKey} yet.`}
            </p>
          )}
        </div>
      )}
    </figure>
  );
}

const NO_IDS: string[] = [];

function lastValue(s: ChartSeries): number | undefined {
  if (s.last) return s.last[1];
  const n = s.values.length;
  return n > 0 ? s.values[n - 1] : undefined;
}

/** The first value seen with the same `key(value)`: a stable identity for props built inline. */
function useByContent<T>(value: T, key: (v: T) => string): T {
  const ref = useRef<{ key: string; value: T } | null>(null);
  const k = key(value);
  if (!ref.current || ref.current.key !== k) ref.current = { key: k, value };
  return ref.current.value;
}

/** The last defined value seen (undefined = still loading: keep the previous one); null clears it. */
function useLatest<T>(v: T | undefined | null): T | undefined {
  const ref = useRef<T | undefined>(undefined);
  if (v === null) ref.current = undefined;
  else if (v !== undefined) ref.current = v;
  return ref.current;
}

export type { RunSeries };

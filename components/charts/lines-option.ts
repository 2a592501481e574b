import type { ChartSeries } from '@/lib/react';
import { DEFAULT_CHART_SETTINGS, smoothingBeta, xAxisLabel, type ChartSettings } from './chart-settings';
import { emaDebiased } from './smoothing';

/**
 * The ECharts option of a line chart over one or many runs (CHART-* rules in SPEC.md): per run a line, its min/max
 * band when the worker bucketed it, the faint raw line under a smoothed one, the true last point; log axes, outlier
 * clipping, symbols on short lines, and a tooltip listing every run's value at the hovered x. Pure: unit-tested
 * against ECharts itself (tests/unit/metric-chart-option.test.ts, chart-*.test.ts).
 */

/** One run's line. */
export interface ChartLine {
  id: string;
  name: string;
  color: string;
  series: ChartSeries;
}

/** A line with at most this many drawn points shows its point symbols (a short series is a few dots, not a line). */
export const SYMBOL_LIMIT = 60;
/** Percentiles of the drawn values that bound the y axis when outliers are clipped, and the margin around them. */
export const CLIP_PERCENTILES: [number, number] = [0.05, 0.95];
const CLIP_MARGIN = 0.1;

type Point = [number, number | null];

export interface LinesOption {
  /** The ECharts option. */
  option: Record<string, unknown>;
  /** Points not drawn because a log axis cannot show them (x or y ≤ 0). */
  hidden: number;
}

/** One line's drawable columns, with the true last point appended after the last bucket. */
function columns(s: ChartSeries) {
  const n = s.steps.length;
  const lastX = n > 0 ? s.steps[n - 1]! : -Infinity;
  const extra = s.last && s.min && s.last[0] > lastX ? 1 : 0;
  const xs = new Float64Array(n + extra);
  const ys = new Float64Array(n + extra);
  xs.set(s.steps);
  ys.set(s.values);
  if (extra) {
    xs[n] = s.last![0];
    ys[n] = s.last![1];
  }
  return { xs, ys, n };
}

/** ECharts has no NaN/Infinity on a value axis, and a log axis no value ≤ 0: those become gaps. */
const drawable = (v: number, log: boolean) => Number.isFinite(v) && (!log || v > 0);

export function linesOption(lines: ChartLine[], settings: ChartSettings = DEFAULT_CHART_SETTINGS, o: { extent?: [number, number] | null } = {}): LinesOption {
  const beta = smoothingBeta(settings.smoothing);
  const { logX, logY } = settings;
  const wall = settings.xAxis.kind === 'wall';
  const useLogX = logX && !wall;
  const single = lines.length === 1;
  let hidden = 0;
  const series: Record<string, unknown>[] = [];
  const shown: number[] = [];
  for (const line of lines) {
    const s = line.series;
    const { xs, ys, n } = columns(s);
    const smooth = beta > 0 ? emaDebiased(ys, beta) : null;
    const main: Point[] = [];
    const raw: Point[] = [];
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      if (useLogX && !(x > 0)) {
        hidden++;
        continue;
      }
      const y = ys[i]!;
      if (logY && Number.isFinite(y) && y <= 0) hidden++;
      const yRaw = drawable(y, logY) ? y : null;
      const ySmooth = smooth ? (drawable(smooth[i]!, logY) ? smooth[i]! : null) : yRaw;
      main.push([x, ySmooth]);
      if (smooth) raw.push([x, yRaw]);
      if (ySmooth !== null) shown.push(ySmooth);
    }
    series.push({
      id: `line:${line.id}`,
      name: line.name,
      type: 'line',
      data: main,
      showSymbol: main.length <= SYMBOL_LIMIT,
      symbolSize: 4,
      lineStyle: { width: 1.5 },
      color: line.color,
      emphasis: { focus: single ? 'none' : 'series' },
      z: 3,
    });
    if (smooth) {
      series.push({
        id: `raw:${line.id}`,
        name: line.name,
        type: 'line',
        data: raw,
        showSymbol: false,
        lineStyle: { width: 1, opacity: 0.25 },
        color: line.color,
        silent: true,
        tooltip: { show: false },
        z: 2,
      });
    }
    if (s.min && s.max) {
      const lower: Point[] = [];
      const range: Point[] = [];
      for (let i = 0; i < n; i++) {
        const x = s.steps[i]!;
        if (useLogX && !(x > 0)) continue;
        const lo = s.min[i]!;
        const hi = s.max[i]!;
        const ok = drawable(lo, logY) && drawable(hi, logY);
        // One gap marker is enough: a run of them (a zoomed range sent raw, CHART-4) would only cost drawing time.
        if (!ok && lower.length > 0 && lower[lower.length - 1]![1] === null) continue;
        lower.push([x, ok ? lo : null]);
        range.push([x, ok ? hi - lo : null]);
      }
      // The stack must add every value whatever its sign (stackStrategy 'all'): ECharts' default stacks a positive
      // range only onto a positive running sum, so a band whose `min` is negative was drawn from 0 up, off the line.
      const band = {
        type: 'line',
        stack: `band:${line.id}`,
        stackStrategy: 'all',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        silent: true,
        tooltip: { show: false },
        color: line.color,
        z: 1,
      };
      series.push({ ...band, id: `band-min:${line.id}`, name: `${line.name} min`, data: lower });
      series.push({ ...band, id: `band-range:${line.id}`, name: `${line.name} max`, data: range, areaStyle: { opacity: single ? 0.25 : 0.12 } });
    }
  }
  const yClip = settings.clipOutliers ? clipRange(shown, logY) : null;
  const extent = o.extent && !useLogX ? o.extent : null;
  const option = {
    animation: false,
    grid: { left: 56, right: 16, top: 16, bottom: 40 },
    tooltip: { trigger: 'axis', confine: true, formatter: tooltipFor(settings) },
    xAxis: {
      type: useLogX ? 'log' : wall ? 'time' : 'value',
      name: xAxisLabel(settings.xAxis),
      nameLocation: 'middle',
      nameGap: 24,
      scale: true,
      min: extent ? extent[0] : null,
      max: extent ? extent[1] : null,
    },
    yAxis: { type: logY ? 'log' : 'value', scale: true, min: yClip ? yClip[0] : null, max: yClip ? yClip[1] : null },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    series,
  };
  return { option, hidden };
}

/** The y range that ignores outliers: the 5th–95th percentiles of the drawn values, widened by a margin. */
export function clipRange(values: number[], log = false): [number, number] | null {
  const v = values.filter((x) => Number.isFinite(x) && (!log || x > 0)).sort((a, b) => a - b);
  if (v.length < 3) return null;
  const at = (q: number) => v[Math.min(v.length - 1, Math.max(0, Math.round(q * (v.length - 1))))]!;
  let lo = at(CLIP_PERCENTILES[0]);
  let hi = at(CLIP_PERCENTILES[1]);
  if (log) {
    const [a, b] = [Math.log10(lo), Math.log10(hi)];
    const m = (b - a || 1) * CLIP_MARGIN;
    return [10 ** (a - m), 10 ** (b + m)];
  }
  const m = (hi - lo || Math.abs(hi) || 1) * CLIP_MARGIN;
  lo -= m;
  hi += m;
  return [lo, hi];
}

interface TooltipParam {
  seriesId?: string;
  seriesName?: string;
  color?: string;
  value?: unknown;
}

/** At most this many runs are listed in a tooltip; the rest are counted. */
const TOOLTIP_RUNS = 20;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : String(Number(v.toPrecision(6))));

function tooltipFor(settings: ChartSettings) {
  const fmtX = (x: number) =>
    settings.xAxis.kind === 'wall' ? new Date(x).toLocaleString() : `${esc(xAxisLabel(settings.xAxis))} ${fmt(x)}`;
  return (raw: unknown): string => {
    const params = ((Array.isArray(raw) ? raw : [raw]) as TooltipParam[]).filter((p) => p.seriesId?.startsWith('line:'));
    if (params.length === 0) return '';
    const x = (params[0]!.value as Point)[0];
    const rows = params
      .map((p) => ({ name: p.seriesName ?? '', color: p.color ?? '#888', y: (p.value as Point)[1] }))
      .sort((a, b) => (b.y ?? -Infinity) - (a.y ?? -Infinity));
    const lines = rows
      .slice(0, TOOLTIP_RUNS)
      .map((r) => `<span style="display:inline-block;width:8px;height:8px;border-radius:4px;background:${esc(r.color)}"></span> ${esc(r.name)} <b>${fmt(r.y)}</b>`);
    if (rows.length > TOOLTIP_RUNS) lines.push(`+${rows.length - TOOLTIP_RUNS} more`);
    return [fmtX(x), ...lines].join('<br/>');
  };
}

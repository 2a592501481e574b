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

/** How a line series reads its flat typed-array data: pairs of x, y. */
const XY = { dimensions: ['x', 'y'], encode: { x: 0, y: 1 } } as const;

export interface LinesOption {
  /** The ECharts option. */
  option: Record<string, unknown>;
  /** Points not drawn because a log axis cannot show them (x or y ≤ 0). */
  hidden: number;
  /** The x axis' fixed extent (what a zoom window's percentages are of), null when ECharts picks it. */
  xExtent: [number, number] | null;
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

export function linesOption(
  lines: ChartLine[],
  settings: ChartSettings = DEFAULT_CHART_SETTINGS,
  o: { extent?: [number, number] | null; dark?: boolean } = {},
): LinesOption {
  const beta = smoothingBeta(settings.smoothing);
  const { logX, logY } = settings;
  const wall = settings.xAxis.kind === 'wall';
  const useLogX = logX && !wall;
  const single = lines.length === 1;
  let hidden = 0;
  let xLo = Infinity;
  let xHi = -Infinity;
  const series: Record<string, unknown>[] = [];
  const polygons: BandPolygons[] = [];
  const shown: number[] = [];
  for (const line of lines) {
    const s = line.series;
    const { xs, ys } = columns(s);
    const smooth = beta > 0 ? emaDebiased(ys, beta) : null;
    // Flat x, y pairs (NaN: a gap) in typed arrays: ECharts deep-copies an option's arrays on every setOption, and 50
    // lines of 1,500 [x, y] pairs took it ~200 ms here; a typed array is one copy (CHART-17).
    const main = new Float64Array(xs.length * 2);
    const raw = smooth ? new Float64Array(xs.length * 2) : null;
    let n = 0;
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
      main[2 * n] = x;
      main[2 * n + 1] = ySmooth ?? NaN;
      if (raw) {
        raw[2 * n] = x;
        raw[2 * n + 1] = yRaw ?? NaN;
      }
      n++;
      if (x < xLo) xLo = x;
      if (x > xHi) xHi = x;
      if (ySmooth !== null) shown.push(ySmooth);
    }
    series.push({
      id: `line:${line.id}`,
      name: line.name,
      type: 'line',
      ...XY,
      data: main.subarray(0, 2 * n),
      showSymbol: n <= SYMBOL_LIMIT,
      symbolSize: 4,
      lineStyle: { width: 1.5 },
      color: line.color,
      emphasis: { focus: single ? 'none' : 'series' },
      z: 3,
    });
    if (raw) {
      series.push({
        id: `raw:${line.id}`,
        name: line.name,
        type: 'line',
        ...XY,
        data: raw.subarray(0, 2 * n),
        showSymbol: false,
        lineStyle: { width: 1, opacity: 0.25 },
        color: line.color,
        silent: true,
        tooltip: { show: false },
        z: 2,
      });
    }
    if (s.min && s.max) polygons.push(bandPolygons(s, line.color, useLogX, logY, line.id));
  }
  if (polygons.length > 0) series.push(bandsSeries(polygons, single ? 0.25 : 0.12, !useLogX && !logY));
  const yClip = settings.clipOutliers ? clipRange(shown, logY) : null;
  // The x axis is fixed to the whole series' extent, so a zoom window means the same x whatever range is loaded; on a
  // log axis, to the drawn (positive) points'.
  const extent: [number, number] | null = useLogX ? (xLo <= xHi ? [xLo, xHi] : null) : (o.extent ?? null);
  // Axis ink readable on both themes (ECharts' defaults assume a white page).
  const ink = o.dark ? { label: '#a8a29e', line: '#57534e', split: '#292524' } : { label: '#6e7079', line: '#6e7079', split: '#e0e6f1' };
  const axisStyle = {
    axisLabel: { color: ink.label },
    axisLine: { lineStyle: { color: ink.line } },
    splitLine: { lineStyle: { color: ink.split } },
    nameTextStyle: { color: ink.label },
  };
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
      ...axisStyle,
    },
    yAxis: { type: logY ? 'log' : 'value', scale: true, min: yClip ? yClip[0] : null, max: yClip ? yClip[1] : null, ...axisStyle },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    series,
  };
  return { option, hidden, xExtent: extent };
}

/**
 * Every run's min/max band is drawn by ONE custom series: per run a polygon through each bucket's max and back through
 * its min, split where the band has a gap (CHART-1). Not two stacked line series per run: ECharts' cost grows with the
 * number of series and with stacking (the run page's ten charts drew in about half the main-thread time this way, and
 * 150 series for a 50-run compare took ~4× the time of 50), and a stacked band needs `stackStrategy: 'all'` not to
 * be drawn from 0 up.
 */
export interface BandPolygons {
  /** The run (line) it belongs to. */
  id: string;
  color: string;
  /** The drawn buckets (gaps left out): x, min, max, exactly as the polygons run through them. */
  x: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  /** Each polygon as a [start, end) range of the drawn buckets: a gap in the band ends one (bandOutline). */
  segments: [number, number][];
  /** The band's y extent (for the axis). */
  yMin: number;
  yMax: number;
  xMin: number;
  xMax: number;
}

export function bandPolygons(s: ChartSeries, color: string, logX: boolean, logY: boolean, id = ''): BandPolygons {
  const len = s.steps.length;
  const x = new Float64Array(len);
  const lo = new Float64Array(len);
  const hi = new Float64Array(len);
  const out: BandPolygons = { id, color, x, lo, hi, segments: [], yMin: Infinity, yMax: -Infinity, xMin: Infinity, xMax: -Infinity };
  let n = 0;
  let from = 0;
  for (let i = 0; i < len; i++) {
    const xi = s.steps[i]!;
    const l = s.min![i]!;
    const h = s.max![i]!;
    if ((logX && !(xi > 0)) || !drawable(l, logY) || !drawable(h, logY)) {
      if (n > from) out.segments.push([from, n]);
      from = n;
      continue;
    }
    x[n] = xi;
    lo[n] = l;
    hi[n] = h;
    n++;
    if (l < out.yMin) out.yMin = l;
    if (h > out.yMax) out.yMax = h;
    if (xi < out.xMin) out.xMin = xi;
    if (xi > out.xMax) out.xMax = xi;
  }
  if (n > from) out.segments.push([from, n]);
  out.x = x.slice(0, n);
  out.lo = lo.slice(0, n);
  out.hi = hi.slice(0, n);
  return out;
}

/**
 * The outline of one polygon of a band: up through each bucket's max, then back through each bucket's min, every
 * point mapped by `to` (data coordinates by default; the custom series maps them to pixels).
 */
export function bandOutline(b: BandPolygons, [from, to]: [number, number], map: (x: number, y: number) => [number, number] = (x, y) => [x, y]): [number, number][] {
  const out: [number, number][] = new Array(2 * (to - from));
  let k = 0;
  for (let i = from; i < to; i++) out[k++] = map(b.x[i]!, b.hi[i]!);
  for (let i = to - 1; i >= from; i--) out[k++] = map(b.x[i]!, b.lo[i]!);
  return out;
}

interface CustomApi {
  coord(p: [number, number]): [number, number];
}

/**
 * Data → pixel for the band's points. On linear axes (value, time) a line through two mapped points: api.coord per
 * point cost a 50-run compare ~100 ms of its draw (150,000 points through ECharts' coordinate system); on a log axis,
 * api.coord itself.
 */
function pixelMap(api: CustomApi, linear: boolean, b: BandPolygons): (x: number, y: number) => [number, number] {
  const x0 = b.xMin;
  const x1 = b.xMax > b.xMin ? b.xMax : b.xMin + 1;
  const y0 = b.yMin;
  const y1 = b.yMax > b.yMin ? b.yMax : b.yMin + 1;
  if (!linear) return (x, y) => api.coord([x, y]);
  const p0 = api.coord([x0, y0]);
  const p1 = api.coord([x1, y1]);
  const ax = (p1[0] - p0[0]) / (x1 - x0);
  const ay = (p1[1] - p0[1]) / (y1 - y0);
  const bx = p0[0] - ax * x0;
  const by = p0[1] - ay * y0;
  return (x, y) => [ax * x + bx, ay * y + by];
}

/**
 * The custom series drawing every run's band polygons; its two data points per run only give the axes its extent.
 * Each run's group is named `band:<runId>`, and `cairnBands` carries the exact buckets (what tests compare the drawn
 * polygons with: tests/e2e/pages/charts.ts).
 */
function bandsSeries(bands: BandPolygons[], opacity: number, linear: boolean) {
  const data: [number, number][] = [];
  const drawn = bands.filter((b) => b.segments.length > 0);
  for (const b of drawn) data.push([b.xMin, b.yMin], [b.xMax, b.yMax]);
  return {
    id: 'bands',
    name: 'bands',
    type: 'custom',
    data,
    silent: true,
    clip: true,
    z: 1,
    tooltip: { show: false },
    cairnBands: drawn.map((b) => ({ id: b.id, x: b.x, lo: b.lo, hi: b.hi })),
    renderItem: (params: { dataIndex: number }, api: CustomApi) => {
      if (params.dataIndex % 2 === 1) return null;
      const b = drawn[params.dataIndex / 2];
      if (!b) return null;
      const map = pixelMap(api, linear, b);
      return {
        type: 'group',
        name: `band:${b.id}`,
        children: b.segments.map((seg) => ({
          type: 'polygon',
          shape: { points: bandOutline(b, seg, map) },
          style: { fill: b.color, opacity },
        })),
      };
    },
  };
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

import type { ChartSeries } from '@/lib/react';

/** Past this many drawn points the line is drawn without point symbols (they would only add noise and cost). */
const SYMBOL_LIMIT = 60;

type Point = [number, number | null];

/** ECharts has no NaN/Infinity on a value axis: a non-finite value becomes a gap in the line. */
const finite = (v: number) => (Number.isFinite(v) ? v : null);

function points(steps: Float64Array, values: Float64Array): Point[] {
  const out: Point[] = new Array(steps.length);
  for (let i = 0; i < steps.length; i++) out[i] = [steps[i]!, finite(values[i]!)];
  return out;
}

/**
 * The chart option for one metric key: the line, and when the worker bucketed the series, a min/max band drawn as
 * a transparent `min` series with the `max − min` range stacked on top of it and filled. The stack must add every
 * value whatever its sign (`stackStrategy: 'all'`): ECharts' default stacks a positive range only onto a positive
 * running sum, so a band whose `min` is negative was drawn from 0 up to `max − min`, away from the line.
 */
export function metricChartOption(s: ChartSeries) {
  const series: Record<string, unknown>[] = [
    {
      id: 'value',
      name: s.key,
      type: 'line',
      data: points(s.steps, s.values),
      showSymbol: s.steps.length <= SYMBOL_LIMIT,
      symbolSize: 4,
      lineStyle: { width: 1.5 },
      color: '#0369a1',
      z: 3,
    },
  ];
  if (s.min && s.max) {
    const lower: Point[] = new Array(s.steps.length);
    const range: Point[] = new Array(s.steps.length);
    for (let i = 0; i < s.steps.length; i++) {
      const lo = finite(s.min[i]!);
      const hi = finite(s.max[i]!);
      lower[i] = [s.steps[i]!, lo];
      range[i] = [s.steps[i]!, lo === null || hi === null ? null : hi - lo];
    }
    const band = { type: 'line', stack: 'band', stackStrategy: 'all', symbol: 'none', lineStyle: { opacity: 0 }, silent: true, color: '#7dd3fc' };
    series.push({ ...band, id: 'band-min', name: 'min', data: lower });
    series.push({ ...band, id: 'band-range', name: 'max', data: range, areaStyle: { opacity: 0.35 } });
  }
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 16, bottom: 40 },
    tooltip: { trigger: 'axis', formatter: tooltip },
    xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 24, scale: true },
    yAxis: { type: 'value', scale: true },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    series,
  };
}

interface TooltipParam {
  seriesId?: string;
  value?: unknown;
}

function tooltip(raw: unknown): string {
  const params = (Array.isArray(raw) ? raw : [raw]) as TooltipParam[];
  const at = (id: string) => params.find((p) => p.seriesId === id)?.value as Point | undefined;
  const v = at('value');
  if (!v) return '';
  const lines = [`step ${v[0]}`, `value ${fmt(v[1])}`];
  const lo = at('band-min');
  const range = at('band-range');
  if (lo && range && lo[1] !== null && range[1] !== null) lines.push(`min ${fmt(lo[1])} · max ${fmt(lo[1] + range[1])}`);
  return lines.join('<br/>');
}

const fmt = (v: number | null) => (v === null ? '—' : String(Number(v.toPrecision(6))));

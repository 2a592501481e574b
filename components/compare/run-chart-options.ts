import type { Axis, RunRow } from '@/lib/react';
import { formatMetric, runLabel } from '../format';
import { runColor } from '../run-colors';
import { axisLabel, axisScale, axisValue } from './run-values';

/**
 * ECharts options of the charts over runs that are not lines (CMP-4): a scatter of two axes, parallel coordinates
 * over many, bars of a metric's latest value. One point / line / bar per run, in the run's colour (runColor). Pure:
 * the tests read the data back from the option. Each returns how many runs it could draw (`drawn`): a run without a
 * value on an axis is left out of a scatter and a bar chart, and drawn with a gap in parallel coordinates.
 */

export interface RunChart {
  option: Record<string, unknown>;
  drawn: number;
}

type Value = number | string | null;

const usable = (v: Value): v is number | string => v !== null && !(typeof v === 'number' && !Number.isFinite(v));
const show = (v: Value) => (typeof v === 'number' ? formatMetric(v) : (v ?? '—'));

type Scale = ReturnType<typeof axisScale>;

function axisOption(scale: Scale, a: Axis) {
  return scale.type === 'category'
    ? { type: 'category' as const, data: scale.categories, name: axisLabel(a) }
    : { type: 'value' as const, scale: true, name: axisLabel(a) };
}

/** A category axis takes the value as its label string (ECharts matches category data by string). */
const onScale = (v: number | string, scale: Scale) => (scale.type === 'category' ? String(v) : v);

const BASE = { animation: false, tooltip: { trigger: 'item', confine: true } };

export function scatterOption(runs: readonly RunRow[], x: Axis, y: Axis): RunChart {
  const sx = axisScale(runs, x);
  const sy = axisScale(runs, y);
  const data = runs.flatMap((r) => {
    const xv = axisValue(r, x);
    const yv = axisValue(r, y);
    if (!usable(xv) || !usable(yv)) return [];
    return [{ name: runLabel(r.info), value: [onScale(xv, sx), onScale(yv, sy)], itemStyle: { color: runColor(r.info.runId) } }];
  });
  return {
    drawn: data.length,
    option: {
      ...BASE,
      grid: { left: 56, right: 24, top: 24, bottom: 48, containLabel: true },
      xAxis: { ...axisOption(sx, x), nameLocation: 'middle', nameGap: 28 },
      yAxis: { ...axisOption(sy, y), nameLocation: 'middle', nameGap: 44 },
      tooltip: {
        ...BASE.tooltip,
        formatter: (p: { name: string; value: [Value, Value] }) => `${p.name}<br/>${axisLabel(x)}: ${show(p.value[0])}<br/>${axisLabel(y)}: ${show(p.value[1])}`,
      },
      series: [{ type: 'scatter', symbolSize: 10, data }],
    },
  };
}

export function parallelOption(runs: readonly RunRow[], axes: readonly Axis[]): RunChart {
  const scales = axes.map((a) => axisScale(runs, a));
  const data = runs.map((r) => ({
    name: runLabel(r.info),
    // '-' is ECharts' "no value": the line has a gap on that axis.
    value: axes.map((a, i) => {
      const v = axisValue(r, a);
      return usable(v) ? onScale(v, scales[i]!) : '-';
    }),
    lineStyle: { color: runColor(r.info.runId), width: 2, opacity: 0.8 },
  }));
  return {
    drawn: data.length,
    option: {
      ...BASE,
      tooltip: { ...BASE.tooltip, formatter: (p: { name: string }) => p.name },
      parallel: { left: 48, right: 64, top: 40, bottom: 24, parallelAxisDefault: { nameLocation: 'end', nameGap: 12, nameTextStyle: { fontSize: 11 } } },
      parallelAxis: axes.map((a, dim) => ({ dim, ...axisOption(scales[dim]!, a) })),
      series: [{ type: 'parallel', data, smooth: false }],
    },
  };
}

export function latestBarOption(runs: readonly RunRow[], metric: string): RunChart {
  const a: Axis = { kind: 'metric', key: metric };
  const shown = runs.filter((r) => usable(axisValue(r, a)));
  return {
    drawn: shown.length,
    option: {
      ...BASE,
      grid: { left: 56, right: 16, top: 32, bottom: 64, containLabel: true },
      xAxis: { type: 'category', data: shown.map((r) => runLabel(r.info)), axisLabel: { rotate: shown.length > 6 ? 30 : 0, interval: 0 } },
      yAxis: { type: 'value', scale: true, name: axisLabel(a) },
      tooltip: { ...BASE.tooltip, formatter: (p: { name: string; value: number }) => `${p.name}<br/>${metric}: ${formatMetric(p.value)}` },
      series: [{ type: 'bar', data: shown.map((r) => ({ value: axisValue(r, a), itemStyle: { color: runColor(r.info.runId) } })) }],
    },
  };
}

import { describe, expect, it } from 'vitest';
import * as echarts from 'echarts/core';
import { CustomChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { DEFAULT_CHART_SETTINGS, chartSettingsFrom, smoothingBeta, type ChartSettings } from '@/components/charts/chart-settings';
import { SYMBOL_LIMIT, bandOutline, bandPolygons, clipRange, linesOption, type ChartLine } from '@/components/charts/lines-option';
import { emaDebiased } from '@/components/charts/smoothing';
import { spliceRange, windowToRange } from '@/components/charts/zoom';
import type { ChartSeries } from '@/lib/react';
import { bucketSeries } from '@/lib/search/bucket';

echarts.use([LineChart, CustomChart, GridComponent, TooltipComponent, DataZoomComponent, SVGRenderer]);

const f64 = (xs: number[]) => Float64Array.from(xs);
const raw = (values: number[], steps = values.map((_, i) => i)): ChartSeries => ({ key: 'm', steps: f64(steps), values: f64(values), count: values.length });
const line = (s: ChartSeries, id = 'r1', name = 'run one'): ChartLine => ({ id, name, color: '#123456', series: s });
const settings = (p: Partial<ChartSettings>): ChartSettings => ({ ...DEFAULT_CHART_SETTINGS, ...p });
type S = { id: string; data: [number, number | null][]; showSymbol?: boolean; lineStyle?: { opacity?: number } };
type Drawn = Omit<S, 'data'> & { data: Float64Array | S['data']; dimensions?: readonly string[]; encode?: { x: number; y: number } };
/** A line series' points as [x, y | null] (CHART-17: the option holds them as flat x, y pairs, NaN for a gap). */
function pointsOf(s: Drawn): S['data'] {
  if (!(s.data instanceof Float64Array)) return s.data;
  expect(s.dimensions).toEqual(['x', 'y']);
  expect(s.encode).toEqual({ x: 0, y: 1 });
  const out: S['data'] = [];
  for (let i = 0; i < s.data.length; i += 2) out.push([s.data[i]!, Number.isNaN(s.data[i + 1]) ? null : s.data[i + 1]!]);
  return out;
}
const seriesOf = (o: { option: Record<string, unknown> }): S[] => (o.option.series as Drawn[]).map((s) => ({ ...s, data: pointsOf(s) }) as S);
const byId = (o: { option: Record<string, unknown> }, id: string) => seriesOf(o).find((s) => s.id === id)!;

describe('line chart option', () => {
  it('[CHART-5] EMA smoothing is debiased (a constant stays constant from the first point) and skips NaN without poisoning', () => {
    const s = emaDebiased(f64([5, 5, 5, 5]), 0.9);
    for (const v of s) expect(v).toBeCloseTo(5, 12);
    // t counts finite points: x = [1, NaN, 3] with β = 0.5 → 1, gap, (0.5·0.5 + 0.5·3) / (1 − 0.25) = 2.333…
    const g = emaDebiased(f64([1, NaN, 3, Infinity]), 0.5);
    expect(g[0]).toBeCloseTo(1, 12);
    expect(g[1]).toBeNaN();
    expect(g[2]).toBeCloseTo((0.25 + 1.5) / 0.75, 12);
    expect(g[3]).toBeNaN();
    expect(smoothingBeta(0)).toBe(0);
    expect(smoothingBeta(60)).toBeCloseTo(0.6, 12);
    expect(smoothingBeta(100)).toBe(0.999);
    // In the option: the smoothed line is the run's line, the raw one stays, faint.
    const o = linesOption([line(raw([0, 10, 0, 10]))], settings({ smoothing: 50 }));
    expect(byId(o, 'line:r1').data.map((p) => p[1])).toEqual(Array.from(emaDebiased(f64([0, 10, 0, 10]), 0.5)));
    expect(byId(o, 'raw:r1').data.map((p) => p[1])).toEqual([0, 10, 0, 10]);
    expect(byId(o, 'raw:r1').lineStyle!.opacity).toBeLessThan(0.5);
  });

  it('[CHART-7] log scale: values ≤ 0 become gaps and are counted as hidden; NaN/Infinity are gaps on any axis', () => {
    const s = raw([1, 0, -2, NaN, 100, Infinity]);
    const lin = linesOption([line(s)]);
    expect(byId(lin, 'line:r1').data.map((p) => p[1])).toEqual([1, 0, -2, null, 100, null]);
    expect(lin.hidden).toBe(0);
    const log = linesOption([line(s)], settings({ logY: true }));
    expect(byId(log, 'line:r1').data.map((p) => p[1])).toEqual([1, null, null, null, 100, null]);
    expect(log.hidden).toBe(2);
    expect((log.option.yAxis as { type: string }).type).toBe('log');
    // log x: step 0 cannot be drawn, it is left out and counted
    const logX = linesOption([line(s)], settings({ logX: true }));
    expect(byId(logX, 'line:r1').data.map((p) => p[0])).toEqual([1, 2, 3, 4, 5]);
    expect(logX.hidden).toBe(1);
    // ECharts lays the log option out without choking on the gaps
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 400, height: 200 });
    chart.setOption(log.option);
    chart.dispose();
  });

  it('[CHART-9] ignoring outliers bounds y by the 5th–95th percentiles with a margin', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i === 50 ? 1e6 : i === 51 ? -1e6 : (i % 10) / 10));
    const o = linesOption([line(raw(values))], settings({ clipOutliers: true }));
    const y = o.option.yAxis as { min: number; max: number };
    expect(y.min).toBeGreaterThan(-1);
    expect(y.max).toBeLessThan(2);
    expect(y.min).toBeLessThanOrEqual(0);
    expect(y.max).toBeGreaterThanOrEqual(0.9);
    const plain = linesOption([line(raw(values))]);
    expect((plain.option.yAxis as { min: unknown }).min).toBeNull();
    expect(clipRange([1, 2])).toBeNull();
  });

  it('[CHART-10] short lines show their points; the tooltip lists every run at the hovered x, escaped, highest first', () => {
    const short = linesOption([line(raw([1, 2, 3]))]);
    expect(byId(short, 'line:r1').showSymbol).toBe(true);
    const long = linesOption([line(raw(Array.from({ length: SYMBOL_LIMIT + 1 }, (_, i) => i)))]);
    expect(byId(long, 'line:r1').showSymbol).toBe(false);
    const o = linesOption([line(raw([1, 2]), 'a', '<b>evil</b>'), line(raw([5, 6]), 'b', 'two')]);
    const formatter = (o.option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const html = formatter([
      { seriesId: 'line:a', seriesName: '<b>evil</b>', color: '#111', value: [1, 2] },
      { seriesId: 'band-min:a', seriesName: 'x', value: [1, 0] },
      { seriesId: 'line:b', seriesName: 'two', color: '#222', value: [1, 6] },
    ]);
    expect(html).not.toContain('<b>evil</b>');
    expect(html).toContain('&#60;b&#62;evil');
    expect(html.indexOf('two')).toBeLessThan(html.indexOf('evil'));
    expect(html).toContain('step 1');
  });

  it('[CHART-3] a bucketed line ends on the true last point; settings from garbage fall back to defaults', () => {
    const steps = Float64Array.from({ length: 10_000 }, (_, i) => i);
    const values = steps.map((i) => (i === 9_999 ? 42 : Math.sin(i)));
    const b = bucketSeries(steps, values, 100);
    const s: ChartSeries = { key: 'm', steps: b.steps, values: b.values, min: b.min, max: b.max, count: 10_000, last: [9_999, 42] };
    const data = byId(linesOption([line(s)]), 'line:r1').data;
    expect(data.at(-1)).toEqual([9_999, 42]);
    expect(chartSettingsFrom({ smoothing: 500, xAxis: { kind: 'metric', key: 'acc' }, logY: 'yes' })).toEqual({
      ...DEFAULT_CHART_SETTINGS,
      smoothing: 100,
      xAxis: { kind: 'metric', key: 'acc' },
    });
    expect(chartSettingsFrom(null)).toEqual(DEFAULT_CHART_SETTINGS);
  });

  it('[CHART-4] a zoom window maps to an x range; fine points replace coarse ones inside it only', () => {
    expect(windowToRange({ start: 0, end: 100 }, [0, 1000])).toBeNull();
    expect(windowToRange({ start: 10, end: 20 }, [0, 1000])).toEqual([100, 200]);
    const [lo, hi] = windowToRange({ start: 0, end: 50 }, [1, 10_000], true)!;
    expect(lo).toBeCloseTo(1, 9);
    expect(hi).toBeCloseTo(100, 9);
    const coarse: ChartSeries = { key: 'm', steps: f64([0, 100, 200, 300]), values: f64([1, 2, 3, 4]), min: f64([0, 1, 2, 3]), max: f64([2, 3, 4, 5]), count: 400 };
    const fine: ChartSeries = { key: 'm', steps: f64([110, 120, 130]), values: f64([7, 8, 9]), count: 400 };
    const s = spliceRange(coarse, fine, [100, 200]);
    expect([...s.steps]).toEqual([0, 110, 120, 130, 300]);
    expect([...s.min!]).toEqual([0, NaN, NaN, NaN, 3]);
    expect([...s.max!]).toEqual([2, NaN, NaN, NaN, 5]);
    // Drawn: the raw part has no band: the band is split around it.
    const band = bandPolygons(s, '#000', false, false);
    expect([...band.x]).toEqual([0, 300]);
    expect(band.segments.map((seg) => bandOutline(band, seg))).toEqual([[[0, 2], [0, 0]], [[300, 5], [300, 3]]]);
  });

  it('[CHART-1] one custom series draws every band, for one run or many: its polygons envelope each line, gaps split them', () => {
    const steps = Float64Array.from({ length: 20_000 }, (_, i) => i);
    const lines = Array.from({ length: 10 }, (_, r) => {
      const values = steps.map((i) => Math.sin(i / 500 + r) + 0.3 * Math.sin(i * 7.3) - 0.5);
      const b = bucketSeries(steps, values, 200);
      return line({ key: 'm', steps: b.steps, values: b.values, min: b.min, max: b.max, count: 20_000 }, `r${r}`, `run ${r}`);
    });
    const o = linesOption(lines);
    const ids = seriesOf(o).map((x) => x.id);
    expect(ids.filter((id) => id.startsWith('band-'))).toEqual([]);
    expect(ids.filter((id) => id === 'bands')).toHaveLength(1);
    expect(seriesOf(linesOption(lines.slice(0, 1))).map((x) => x.id)).toEqual(['line:r0', 'bands']);
    for (const l of lines) {
      const b = bandPolygons(l.series, l.color, false, false);
      expect(b.segments).toHaveLength(1);
      const poly = bandOutline(b, b.segments[0]!);
      const n = l.series.steps.length;
      expect(poly).toHaveLength(2 * n);
      for (let i = 0; i < n; i++) {
        const upper = poly![i]!;
        const lower = poly![2 * n - 1 - i]!;
        expect(upper[0]).toBe(l.series.steps[i]);
        expect(lower[0]).toBe(l.series.steps[i]);
        expect(lower[1] <= l.series.values[i]! && l.series.values[i]! <= upper[1]).toBe(true);
      }
    }
    // A gap (non-finite min/max) splits a band in two polygons.
    const gappy = { ...lines[0]!.series, min: lines[0]!.series.min!.slice(), max: lines[0]!.series.max!.slice() };
    gappy.min![50] = NaN;
    expect(bandPolygons(gappy, '#000', false, false).segments).toHaveLength(2);
    // ECharts lays it out (renderItem with the real api).
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 300 });
    chart.setOption(o.option);
    expect(chart.renderToSVGString()).toContain('<path');
    chart.dispose();
  });
});

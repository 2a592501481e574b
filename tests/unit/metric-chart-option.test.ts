import { describe, expect, it } from 'vitest';
import * as echarts from 'echarts/core';
import { CustomChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { DEFAULT_CHART_SETTINGS } from '@/components/charts/chart-settings';
import { linesOption } from '@/components/charts/lines-option';
import { metricChartOption } from '@/components/charts/metric-chart-option';
import { bucketSeries } from '@/lib/search/bucket';

echarts.use([LineChart, CustomChart, GridComponent, TooltipComponent, DataZoomComponent, SVGRenderer]);

/** A bucketed series of `n` points of `f(step)`, as the worker sends it. */
function bucketed(f: (s: number) => number, n = 20_000, buckets = 200) {
  const steps = Float64Array.from({ length: n }, (_, i) => i);
  const values = steps.map(f);
  const b = bucketSeries(steps, values, buckets);
  expect(b.bucketed).toBe(true);
  return { key: 'm', steps: b.steps, values: b.values, min: b.min!, max: b.max!, count: n };
}

/**
 * What ECharts itself draws for the band: the option is laid out by the real engine (server-side, no DOM) and the
 * band polygon's points read back from the custom series' drawn elements, converted from pixels to data coordinates
 * by the chart; the line's values from its series data.
 */
function drawnBand(option: Record<string, unknown>) {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 300 });
  try {
    chart.setOption(option);
    type Series = { id: string; seriesIndex: number; getData(): LineData };
    const c = chart as unknown as {
      getModel(): { getSeriesCount(): number; getSeriesByIndex(i: number): Series };
      getViewOfSeriesModel(s: Series): { group: Group };
      convertFromPixel(finder: { seriesIndex: number }, p: number[]): number[];
    };
    const model = c.getModel();
    const all = Array.from({ length: model.getSeriesCount() }, (_, i) => model.getSeriesByIndex(i));
    const bands = all.find((s) => s.id === 'bands')!;
    const polygons: number[][][] = [];
    const walk = (g: Group) => {
      for (const el of g.children?.() ?? []) {
        if (el.type === 'polygon') polygons.push(el.shape!.points.map((p) => c.convertFromPixel({ seriesIndex: bands.seriesIndex }, p)));
        else walk(el);
      }
    };
    walk(c.getViewOfSeriesModel(bands).group);
    expect(polygons).toHaveLength(1);
    const poly = polygons[0]!;
    const n = poly.length / 2;
    const line = all.find((s) => s.id === 'line:m')!.getData();
    return {
      x: poly.slice(0, n).map((p) => p[0]!),
      upper: poly.slice(0, n).map((p) => p[1]!),
      lower: poly.slice(n).reverse().map((p) => p[1]!),
      value: Array.from({ length: line.count() }, (_, i) => line.get('y', i) as number),
    };
  } finally {
    chart.dispose();
  }
}
interface LineData {
  count(): number;
  get(dim: string, i: number): unknown;
}
interface Group {
  type?: string;
  shape?: { points: number[][] };
  children?(): Group[];
}

describe('[CHART-1] metric chart option', () => {
  it.each([
    ['negative', (s: number) => -2 - Math.sin(s / 300) + 0.3 * Math.sin(s * 7.3)],
    ['positive', (s: number) => 2 + Math.sin(s / 300) + 0.3 * Math.sin(s * 7.3)],
    ['crossing zero', (s: number) => Math.sin(s / 500) + 0.3 * Math.sin(s * 7.3)],
  ])('[CHART-1] the min/max band envelopes the line in every bucket: %s series (drawn by ECharts itself)', (_name, f) => {
    const s = bucketed(f);
    const { x, lower, upper, value } = drawnBand(metricChartOption(s));
    expect(lower).toHaveLength(s.steps.length);
    const tol = 1e-9 * (Math.max(...s.max) - Math.min(...s.min)); // pixels and back: a rounding error, no more
    for (let i = 0; i < s.steps.length; i++) {
      expect(Math.abs(x[i]! - s.steps[i]!), `bucket ${i} x`).toBeLessThan(1e-6);
      expect(Math.abs(lower[i]! - s.min[i]!), `bucket ${i} lower`).toBeLessThan(tol);
      expect(Math.abs(upper[i]! - s.max[i]!), `bucket ${i} upper`).toBeLessThan(tol);
      expect(lower[i]! <= value[i]! + tol && value[i]! <= upper[i]! + tol, `bucket ${i}: ${lower[i]} ≤ ${value[i]} ≤ ${upper[i]}`).toBe(true);
    }
  });
});

describe('[CHART-1] bands on a log axis', () => {
  it('[CHART-1] [CHART-7] on a log y axis (each point through ECharts\' own coordinate map) the band envelopes the line too', () => {
    const s = bucketed((x) => 10 ** (2 + Math.sin(x / 400) + 0.5 * Math.sin(x * 7.3)));
    const option = linesOption([{ id: 'm', name: 'm', color: '#000', series: s }], { ...DEFAULT_CHART_SETTINGS, logY: true }).option;
    const { x, lower, upper, value } = drawnBand(option);
    expect(lower).toHaveLength(s.steps.length);
    for (let i = 0; i < s.steps.length; i++) {
      expect(Math.abs(x[i]! - s.steps[i]!), `bucket ${i} x`).toBeLessThan(1e-6);
      expect(Math.abs(lower[i]! / s.min[i]! - 1), `bucket ${i} lower`).toBeLessThan(1e-9);
      expect(Math.abs(upper[i]! / s.max[i]! - 1), `bucket ${i} upper`).toBeLessThan(1e-9);
      expect(lower[i]! <= value[i]! * (1 + 1e-9) && value[i]! <= upper[i]! * (1 + 1e-9), `bucket ${i}`).toBe(true);
    }
  });
});

describe('[CHART-17] line data as flat typed arrays', () => {
  it('[CHART-17] each line holds its points as x, y pairs in a Float64Array; ECharts reads the same points, a NaN is a gap, and a tooltip gets [x, y]', () => {
    const s = { key: 'm', steps: Float64Array.from([0, 1, 2, 3, 4]), values: Float64Array.from([1, 2, NaN, 4, 5]), count: 5 };
    const option = metricChartOption(s);
    const line = (option.series as { id: string; data: unknown }[]).find((x) => x.id === 'line:m')!;
    expect(line.data).toBeInstanceOf(Float64Array);
    expect(Array.from(line.data as Float64Array)).toEqual([0, 1, 1, 2, 2, NaN, 3, 4, 4, 5]);
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 300 });
    try {
      chart.setOption(option);
      const model = (chart as unknown as { getModel(): { getSeriesByIndex(i: number): { id: string; getData(): LineData; getDataParams(i: number): { value: unknown } } } }).getModel();
      const series = model.getSeriesByIndex(0);
      expect(series.id).toBe('line:m');
      const d = series.getData();
      expect(Array.from({ length: d.count() }, (_, i) => [d.get('x', i), d.get('y', i)])).toEqual([[0, 1], [1, 2], [2, NaN], [3, 4], [4, 5]]);
      expect(series.getDataParams(3).value).toEqual([3, 4]);
      // The gap: the drawn path starts again after the missing point (two moves).
      const svg = chart.renderToSVGString();
      const path = /<path d="(M[^"]*)"[^>]*stroke-width="1.5"/.exec(svg)?.[1] ?? '';
      expect(path.match(/M/g)).toHaveLength(2);
    } finally {
      chart.dispose();
    }
  });
});

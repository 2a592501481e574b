import { describe, expect, it } from 'vitest';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { metricChartOption } from '@/components/charts/metric-chart-option';
import { bucketSeries } from '@/lib/search/bucket';

echarts.use([LineChart, GridComponent, TooltipComponent, DataZoomComponent, SVGRenderer]);

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
 * stacked values read back from its series data, the numbers its lines and areas are drawn through.
 */
function drawnBand(option: ReturnType<typeof metricChartOption>) {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 300 });
  try {
    chart.setOption(option);
    const model = (chart as unknown as { getModel(): { getSeriesByIndex(i: number): { id: string; getData(): StackData } } }).getModel();
    const byId = (id: string) => [0, 1, 2].map((i) => model.getSeriesByIndex(i)).find((s) => s.id === id)!.getData();
    const stacked = (d: StackData) => {
      const dim = d.getCalculationInfo('stackResultDimension');
      return Array.from({ length: d.count() }, (_, i) => d.get(dim, i) as number);
    };
    const line = byId('line:m');
    return {
      lower: stacked(byId('band-min:m')),
      upper: stacked(byId('band-range:m')),
      value: Array.from({ length: line.count() }, (_, i) => line.get('y', i) as number),
    };
  } finally {
    chart.dispose();
  }
}
interface StackData {
  count(): number;
  get(dim: string, i: number): unknown;
  getCalculationInfo(key: string): string;
}

describe('[CHART-1] metric chart option', () => {
  it.each([
    ['negative', (s: number) => -2 - Math.sin(s / 300) + 0.3 * Math.sin(s * 7.3)],
    ['positive', (s: number) => 2 + Math.sin(s / 300) + 0.3 * Math.sin(s * 7.3)],
    ['crossing zero', (s: number) => Math.sin(s / 500) + 0.3 * Math.sin(s * 7.3)],
  ])('[CHART-1] the min/max band envelopes the line in every bucket: %s series (drawn by ECharts itself)', (_name, f) => {
    const s = bucketed(f);
    const { lower, upper, value } = drawnBand(metricChartOption(s));
    expect(lower).toHaveLength(s.steps.length);
    for (let i = 0; i < s.steps.length; i++) {
      expect(lower[i], `bucket ${i} lower`).toBeCloseTo(s.min[i]!, 9);
      expect(upper[i], `bucket ${i} upper`).toBeCloseTo(s.max[i]!, 9);
      expect(lower[i]! <= value[i]! + 1e-12 && value[i]! <= upper[i]! + 1e-12, `bucket ${i}: ${lower[i]} ≤ ${value[i]} ≤ ${upper[i]}`).toBe(true);
    }
  });
});

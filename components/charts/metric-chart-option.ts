import type { ChartSeries } from '@/lib/react';
import { runColor } from '../run-colors';
import { linesOption } from './lines-option';

/**
 * The chart option of one run's series alone (the run page's charts, the band rule's unit test): linesOption with one
 * line. Its series ids are `line:<key>` and `bands` (the min/max band's polygons, CHART-1).
 */
export function metricChartOption(s: ChartSeries, color = runColor(s.key)) {
  return linesOption([{ id: s.key, name: s.key, color, series: s }]).option;
}

/**
 * The ECharts chart types compare and the dashboards draw besides lines (scatter, parallel coordinates, bars), on the
 * same tree-shaken `echarts/core` as components/echarts-core.ts (ECharts' registry is global: registering here adds
 * to it). Imported lazily from RunsEChart's effect, so the chunk never lands in a page bundle or runs in prerender.
 */
import * as echarts from 'echarts/core';
import { BarChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { GridComponent, ParallelComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([ScatterChart, ParallelChart, BarChart, GridComponent, ParallelComponent, TooltipComponent, CanvasRenderer]);

export type ECharts = echarts.ECharts;
export type EChartsOption = echarts.EChartsCoreOption;
export default echarts;

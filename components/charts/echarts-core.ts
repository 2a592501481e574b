/**
 * Tree-shaken ECharts: only what the metric charts draw. Imported lazily (dynamic `import()` inside an effect) so
 * the ~0.5 MB chunk never lands in a page bundle or runs during prerender (STACK.md pitfall 16).
 */
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, TooltipComponent, DataZoomComponent, LegendComponent, CanvasRenderer]);

export type ECharts = echarts.ECharts;
export default echarts;

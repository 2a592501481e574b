/**
 * Tree-shaken ECharts: only what the metric charts draw. Imported lazily (dynamic `import()` inside an effect) so
 * the ~0.5 MB chunk never lands in a page bundle or runs during prerender (STACK.md pitfall 16).
 */
import * as echarts from 'echarts/core';
import { CustomChart, LineChart } from 'echarts/charts';
import { DataZoomInsideComponent, GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

// Only what the options use (lines-option.ts): the wheel / keyboard zoom is dataZoom `inside` (no slider) and no chart
// has a legend (the tooltip names the runs). The full dataZoom and the legend were ~33 KB of this chunk (of ~590).
echarts.use([LineChart, CustomChart, GridComponent, TooltipComponent, DataZoomInsideComponent, CanvasRenderer]);

export type ECharts = echarts.ECharts;
export default echarts;

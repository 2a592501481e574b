/* global document, indexedDB, requestAnimationFrame -- the functions passed to page.evaluate / waitForFunction run in the page or the worker */
// Metric charts (components/charts, workers/charts-api.ts): the issue-7 chart figures.
//   node bench/charts.mjs      (needs out/ and dist/: `npm run build`; BENCH_CHARTS_TRACE=<file>: a trace of the cold
//   compare load with V8 samples, BENCH_CHARTS_TRACE_RUN=<file>: of the cold run page, BENCH_CHARTS_TRACE_WARM=<file>: of
//   the warm one)
// 1. Node, the worker's functions alone (bundled from source): one 1M-point series → 1,500 min/max buckets
//    (chartOfRange: the grid bucketing getRunsSeries runs), a zoomed range of it (10k and 100k steps: binary search +
//    bucketing or raw points), and a live tail appended to 1,500 drawn buckets (appendTail, CHART-8). Target: 1M →
//    1,500 buckets ≤ 10 ms.
// 2. Chromium on `cairn start` over a generated relay folder (bench/lib/generate.mjs): one run with 10 metric keys ×
//    100k points. The run page /run/?id=: navigation → all 10 charts drawn (each ECharts instance holding its line),
//    cold (fresh profile: the relay sends the docs) and warm (a later visit: a reload once the service worker is
//    active, lib/util.mjs laterVisit: IndexedDB, the app from the precache); then zoom on one chart (ECharts'
//    dataZoom action, as a wheel does) → the re-bucketed line drawn, minus the debounce (ZOOM_DEBOUNCE_MS), with
//    the worker's own `cairn:charts:series` measure and the page's `cairn:chart:draw` (setOption). Targets: first
//    paint of all charts ≤ 1 s, zoom re-bucket + redraw ≤ 50 ms.
// 3. Compare, 50 runs × 1 key × 100k points, through RunsLineChart: on /compare/ when the app has that page
//    (first paint ≤ 2 s); without it, the figure is printed as not measured, with the reason.
// Figures are printed, not asserted.
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fmt, laterVisit, median, report, spawnNode, tempDir, watchdog, ROOT } from './lib/util.mjs';
import { importBundle } from './lib/bundle.mjs';
import { copyWorkspace, describe, preparedWorkspace } from './lib/generate.mjs';
import { launchBare } from './lib/bare-chromium.mjs';

const KEYS = 10;
const POINTS = 100_000;
const COMPARE_RUNS = 50;
const ZOOM_DEBOUNCE_MS = 150;
/** Loads per page figure (BENCH_CHARTS_ROUNDS): the median is printed, with every round's figure. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_CHARTS_ROUNDS ?? 5) || 5);
const WAIT_MS = 120_000;
watchdog(900_000, 'charts');

const met = (v, target) => (Number.isFinite(v) ? (v <= target ? '(met)' : '(MISSED)') : '');
const rows = [];

/** BENCH_CHARTS_DEBUG: the page's and the worker's resources, marks and measures, on the page's clock. */
async function printTimeline(page, worker) {
  const pageOrigin = await page.evaluate(() => performance.timeOrigin);
  const [workerOrigin, wm] = await worker.evaluate(() => [performance.timeOrigin, [...performance.getEntriesByType('mark'), ...performance.getEntriesByType('measure')].map((m) => [m.name, Math.round(m.startTime), Math.round(m.duration)])]);
  const shift = Math.round(workerOrigin - pageOrigin);
  const res = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => [r.name.replace(globalThis.location.origin, ''), Math.round(r.startTime), Math.round(r.responseEnd)]));
  console.log('page resources [name, start, end]', JSON.stringify(res));
  const wres = await worker.evaluate(() => performance.getEntriesByType('resource').map((r) => [decodeURIComponent(r.name).replace(/^https?:\/\/[^/]+/, '').slice(0, 60), Math.round(r.startTime), Math.round(r.responseStart), Math.round(r.responseEnd)]));
  console.log(`worker resources [name, start, firstByte, end] (+${shift} ms for the page's clock)`, JSON.stringify(wres));
  console.log(`worker marks and measures [name, start, duration] (+${shift} ms)`, JSON.stringify(wm));
  console.log('page measures', JSON.stringify(await page.evaluate(() => performance.getEntriesByType('measure').map((m) => [m.name, Math.round(m.startTime), Math.round(m.duration)]))));
}

// ---- 1. Node: the worker's functions ------------------------------------------------------------------------------
const lib = await importBundle(
  'charts',
  `export { chartOfRange, chartTail } from './workers/charts-api.ts';\nexport * from './lib/search/bucket.ts';\nexport * from './lib/search/live-series.ts';\n`,
);
{
  const n = 1_000_000;
  const xs = Float64Array.from({ length: n }, (_, i) => i);
  const values = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 5000) + 0.1 * Math.sin(i * 7.3));
  const xy = { xs, values };
  const time = (f, rounds = 15) => {
    f(); // warm the JIT
    const t = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      f();
      t.push(performance.now() - t0);
    }
    return median(t);
  };
  const whole = time(() => lib.chartOfRange('m', xy, n, 1500, null));
  const zoom10k = time(() => lib.chartOfRange('m', xy, n, 1500, [500_000, 509_999], 20_000));
  const zoom100k = time(() => lib.chartOfRange('m', xy, n, 1500, [400_000, 499_999], 20_000));
  const drawn = lib.chartOfRange('m', { xs: xs.subarray(0, n - 1000), values: values.subarray(0, n - 1000) }, n - 1000, 1500, null);
  const tail = lib.chartTail('m', xy, n, drawn.grid, lib.openCell(drawn));
  const append = time(() => lib.appendTail(drawn, tail, 1500));
  // Compare's CPU in the worker: 50 runs' 100k-point series, each to 1,500 buckets (what getRunsSeries does per run).
  const runs50 = Array.from({ length: COMPARE_RUNS }, (_, r) => ({
    xs: Float64Array.from({ length: POINTS }, (_, i) => i),
    values: Float64Array.from({ length: POINTS }, (_, i) => Math.sin(i / 700 + r) * (1 + r / 50)),
  }));
  const compare50 = time(() => {
    for (const xy50 of runs50) lib.chartOfRange('m', xy50, POINTS, 1500, null);
  }, 7);
  rows.push(
    ['worker: 1M points → 1,500 buckets', `${fmt(whole, 2)} ms`, `chartOfRange (grid min/max/mean, counts); target ≤ 10 ms ${met(whole, 10)}`],
    ['worker: zoom to 10k of 1M steps', `${fmt(zoom10k, 2)} ms`, 'binary search + 10,000 real points (raw: under the 12k zoom budget)'],
    ['worker: zoom to 100k of 1M steps', `${fmt(zoom100k, 2)} ms`, 'binary search + 1,500 buckets of the range'],
    [`worker: ${COMPARE_RUNS} runs × ${POINTS / 1000}k → ${COMPARE_RUNS} × 1,500 buckets`, `${fmt(compare50, 1)} ms`, 'the bucketing part of a compare chart\'s getRunsSeries (docs already read)'],
    ['page: live tail appended to 1,500 buckets', `${fmt(append, 3)} ms`, 'appendTail (CHART-8): splice the open cell, merge pairwise past 3,000'],
  );
}

// ---- 2. Chromium: the run page ---------------------------------------------------------------------------------
for (const [f, what] of [
  [join(ROOT, 'out', 'index.html'), 'out/'],
  [join(ROOT, 'dist', 'cli.cjs'), 'dist/cli.cjs'],
]) {
  if (!existsSync(f)) {
    console.error(`charts: ${what} is not built; run \`npm run build\` first`);
    process.exit(1);
  }
}
/**
 * The browser the page figures are taken in: bare Chromium by default (bench/lib/bare-chromium.mjs: no DevTools
 * Network domain copying every response body, which triples a load that moves tens of megabytes), or Playwright's
 * with BENCH_CHARTS_PLAYWRIGHT=1 (the figures before 2026-12-04 were taken so). Both give `newPage()` → { page, close }.
 */
const VIA_PLAYWRIGHT = Boolean(process.env.BENCH_CHARTS_PLAYWRIGHT);
async function openBrowser() {
  if (!VIA_PLAYWRIGHT) {
    const b = await launchBare();
    return { ...b, newPage: async () => { const page = await b.newPage({ viewport: { width: 1400, height: 1000 } }); return { page, close: () => page.close() }; } };
  }
  const { chromium } = await import('@playwright/test');
  const b = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  return {
    newPage: async () => {
      const ctx = await b.newContext({ viewport: { width: 1400, height: 1000 } });
      return { page: await ctx.newPage(), close: () => ctx.close() };
    },
    startTracing: (page, o) => b.startTracing(page, o),
    stopTracing: () => b.stopTracing(),
    close: () => b.close(),
  };
}
const DRIVER = VIA_PLAYWRIGHT ? 'Playwright (its Network domain on)' : 'bare Chromium (no DevTools Network domain)';
const one = await preparedWorkspace({ runs: 1, experiments: 1, params: 2, metrics: KEYS, points: POINTS }, (l) => console.log(l));
console.log(`charts: run page workspace: ${describe(one)}`);
const runId = one.manifest.experiments[0].firstRunId;

const dir = tempDir('charts');
let server = null;
let browser = null;
try {
  const data = copyWorkspace(one, join(dir.path, 'relay'));
  server = spawnNode([join(ROOT, 'dist', 'cli.cjs'), 'start', '--port', '0', '--data', data]);
  const url = (await server.line(/App:\s+(http:\/\/\S+?)\/?\s/, 'cairn start', 120_000))[1];
  browser = await openBrowser();
  const runUrl = `${url}/run/?id=${runId}`;
  const traceCategories = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink', 'loading', ...(process.env.BENCH_CHARTS_TRACE_V8 ? ['disabled-by-default-v8.cpu_profiler'] : [])];
  /** The page the helpers below read by default: the warm rounds' (and the zoom's) page. */
  let page = null;
  /** Page clock (ms since navigation start) once `count` charts each hold a line of ≥ `min` points. */
  const chartsDrawnAt = (count, min, pg = page) =>
    pg
      .waitForFunction(
        ([k, m]) => {
          const nodes = [...document.querySelectorAll('[data-testid^="metric-chart-"] [role="img"]')];
          const ok = nodes.filter((el) => {
            const c = el.cairnChart;
            const s = c?.getModel?.()?.getSeriesByIndex?.(0);
            return s && s.getData().count() >= m;
          });
          return ok.length >= k ? performance.now() : 0;
        },
        [count, min],
        { polling: 'raf', timeout: WAIT_MS },
      )
      .then((h) => h.jsonValue());
  const worker = (pg = page) => pg.workers()[0];
  const workerMeasures = async (name, pg = page) => {
    const w = worker(pg);
    if (!w) return [];
    return w.evaluate((n) => performance.getEntriesByType('measure').filter((m) => m.name === n).map((m) => m.duration), name).catch(() => []);
  };
  const pageMeasures = (name) => page.evaluate((n) => performance.getEntriesByType('measure').filter((m) => m.name === n).map((m) => m.duration), name);

  // A throwaway load first, in its own fresh profile: the browser process's own start-up (its first renderer, GPU and
  // network processes: a first load took 0.4–0.6 s longer here) is a browser launch, not a first visit to the app.
  {
    const { page: p0, close } = await browser.newPage();
    await p0.goto(runUrl, { waitUntil: 'commit' });
    await chartsDrawnAt(KEYS, 1000, p0).catch(() => NaN);
    await close();
  }
  // Cold: ROUNDS first visits, each in a fresh profile (the relay sends the docs), back to back.
  // BENCH_CHARTS_TRACE_RUN=<file>: Chromium's trace of the first (bench/trace-summary.mjs reads it).
  const runTrace = process.env.BENCH_CHARTS_TRACE_RUN;
  const colds = [];
  let coldSeries = [];
  for (let r = 0; r < ROUNDS; r++) {
    const { page: pr, close } = await browser.newPage();
    if (runTrace && r === 0) await browser.startTracing(pr, { categories: traceCategories });
    await pr.goto(runUrl, { waitUntil: 'commit' });
    colds.push(await chartsDrawnAt(KEYS, 1000, pr));
    if (runTrace && r === 0) writeFileSync(runTrace, await browser.stopTracing());
    if (r === 0) {
      coldSeries = await workerMeasures('cairn:charts:series', pr);
      if (process.env.BENCH_CHARTS_DEBUG && worker(pr)) await printTimeline(pr, worker(pr));
    }
    await close();
  }
  // Warm: later visits of one profile. A first visit (not counted), then, once the service worker is active and the
  // worker's saves are done (lib/util.mjs laterVisit), ROUNDS reloads, each after the same settling.
  // BENCH_CHARTS_TRACE_WARM=<file>: the trace of the first reload.
  const warm = await browser.newPage();
  page = warm.page;
  const closePage = warm.close;
  await page.goto(runUrl, { waitUntil: 'commit' });
  await chartsDrawnAt(KEYS, 1000);
  const warmTrace = process.env.BENCH_CHARTS_TRACE_WARM;
  const warms = [];
  let swMs = null;
  let warmSeries = [];
  let draws = [];
  for (let r = 0; r < ROUNDS; r++) {
    const sw = await laterVisit(page);
    if (r === 0) swMs = sw;
    if (warmTrace && r === 0) await browser.startTracing(page, { categories: traceCategories });
    await page.reload({ waitUntil: 'commit' });
    warms.push(await chartsDrawnAt(KEYS, 1000));
    if (warmTrace && r === 0) writeFileSync(warmTrace, await browser.stopTracing());
    if (r === 0) {
      // The reload started a new worker: its measures are this load's alone.
      warmSeries = await workerMeasures('cairn:charts:series');
      draws = await pageMeasures('cairn:chart:draw');
      if (process.env.BENCH_CHARTS_DEBUG && worker()) {
        const rows = await page.evaluate(
          () =>
            new Promise((resolve) => {
              const open = indexedDB.open('cairn');
              open.onsuccess = () => {
                const all = open.result.transaction('updates').objectStore('updates').getAll();
                all.onsuccess = () => resolve(all.result.map((r) => [r.id, r.doc, r.update.byteLength]));
              };
            }),
        );
        console.log('IndexedDB update rows [id, doc, bytes]', JSON.stringify(rows));
        console.log('warm run page:');
        await printTimeline(page, worker());
      }
    }
  }
  await new Promise((r) => setTimeout(r, 500));

  // Zoom one chart: dispatch → the line's point count changes (the re-bucketed answer drawn).
  const windows = [
    [40, 41],
    [60, 62.5],
    [20, 30],
    [70, 90],
    [5, 6],
  ];
  const zooms = [];
  for (const [start, end] of windows) {
    const before = (await workerMeasures('cairn:charts:series')).length;
    const drawsBefore = (await pageMeasures('cairn:chart:draw')).length;
    const ms = await page.evaluate(
      ([s, e]) =>
        new Promise((resolve) => {
          const el = document.querySelector('[data-testid="metric-chart-metric_0"] [role="img"]');
          const chart = el.cairnChart;
          const data = () => chart.getModel().getSeriesByIndex(0).getData();
          const firstX = () => data().get(data().mapDimension('x'), 1);
          const was = `${data().count()}:${firstX()}`;
          const t0 = performance.now();
          chart.dispatchAction({ type: 'dataZoom', start: s, end: e });
          const poll = () => {
            if (`${data().count()}:${firstX()}` !== was) return resolve(performance.now() - t0);
            if (performance.now() - t0 > 10_000) return resolve(NaN);
            requestAnimationFrame(poll);
          };
          requestAnimationFrame(poll);
        }),
      [start, end],
    );
    await new Promise((r) => setTimeout(r, 300));
    const w = (await workerMeasures('cairn:charts:series')).slice(before);
    const d = (await pageMeasures('cairn:chart:draw')).slice(drawsBefore);
    zooms.push({ total: ms, worker: w.length ? Math.max(...w) : NaN, draw: d.length ? Math.max(...d) : NaN });
  }
  const zoomNet = median(zooms.map((z) => z.total - ZOOM_DEBOUNCE_MS));
  rows.push(
    [`run page: ${KEYS} charts × ${POINTS / 1000}k points drawn, cold`, `${fmt(median(colds), 0)} ms`, `navigation → every chart's line in its ECharts instance (fresh profile; ${DRIVER}), median of ${colds.length} (${colds.map((x) => fmt(x, 0)).join(' / ')}); first round's worker getRunsSeries ${coldSeries.map((x) => fmt(x, 0)).join('/')} ms; target ≤ 1 s ${met(median(colds), 1000)}`],
    [`run page: ${KEYS} charts drawn, warm`, `${fmt(median(warms), 0)} ms`, `a later visit (reload once the service worker was active${swMs === null ? ': it never was' : `, after ${fmt(swMs / 1000, 1)} s`}, + 2.5 s: IndexedDB, the app from the precache), median of ${warms.length} (${warms.map((x) => fmt(x, 0)).join(' / ')}); first round's worker getRunsSeries ${warmSeries.map((x) => fmt(x, 0)).join('/')} ms, setOption per chart median ${fmt(median(draws), 1)} ms; target ≤ 1 s ${met(median(warms), 1000)}`],
    [
      'zoom re-bucket + redraw',
      `${fmt(zoomNet, 0)} ms`,
      `dispatch → finer line drawn, minus the ${ZOOM_DEBOUNCE_MS} ms debounce, median of ${zooms.length} (${zooms.map((z) => fmt(z.total - ZOOM_DEBOUNCE_MS, 0)).join(' / ')}); worker ${zooms.map((z) => fmt(z.worker, 1)).join('/')} ms, setOption ${zooms.map((z) => fmt(z.draw, 1)).join('/')} ms; target ≤ 50 ms ${met(zoomNet, 50)}`,
    ],
  );
  await closePage();

  // ---- 3. Compare: 50 runs × 1 key, through the compare page when the app has one ---------------------------------
  if (existsSync(join(ROOT, 'out', 'compare', 'index.html'))) {
    await server.kill('SIGTERM');
    server = null;
    const many = await preparedWorkspace({ runs: COMPARE_RUNS, experiments: 1, params: 2, metrics: 1, points: POINTS }, (l) => console.log(l));
    console.log(`charts: compare workspace: ${describe(many)}`);
    const data2 = copyWorkspace(many, join(dir.path, 'relay-compare'));
    server = spawnNode([join(ROOT, 'dist', 'cli.cjs'), 'start', '--port', '0', '--data', data2]);
    const url2 = (await server.line(/App:\s+(http:\/\/\S+?)\/?\s/, 'cairn start', 120_000))[1];
    const exp = many.manifest.experiments[0];
    const { runIdOf } = await import('./lib/generate.mjs');
    const ids = Array.from({ length: COMPARE_RUNS }, (_, i) => runIdOf(i));
    const compares = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { page: p2, close: closeP2 } = await browser.newPage();
      // BENCH_CHARTS_TRACE=<file>: Chromium's trace of the cold compare load, for the worker thread's profile.
      const traceFile = round === 0 ? process.env.BENCH_CHARTS_TRACE : undefined;
      if (traceFile) await browser.startTracing(p2, { categories: [...new Set([...traceCategories, 'netlog', 'disabled-by-default-v8.cpu_profiler'])] });
      await p2.goto(`${url2}/compare/?experiment=${exp.id}&runs=${ids.join(',')}`, { waitUntil: 'commit' });
      const compareMs = await p2
        .waitForFunction(
          ([k]) => {
            for (const el of document.querySelectorAll('[role="img"]')) {
              const c = el.cairnChart;
              const model = c?.getModel?.();
              if (!model) continue;
              let lines = 0;
              for (let i = 0; i < model.getSeriesCount(); i++) {
                const s = model.getSeriesByIndex(i);
                if (String(s.id).startsWith('line:') && s.getData().count() > 1000) lines++;
              }
              if (lines >= k) return performance.now();
            }
            return 0;
          },
          [COMPARE_RUNS],
          { polling: 'raf', timeout: WAIT_MS },
        )
        .then((h) => h.jsonValue())
        .catch(() => NaN);
      if (traceFile) writeFileSync(traceFile, await browser.stopTracing());
      const w2 = p2.workers()[0];
      const wm = w2 ? await w2.evaluate(() => performance.getEntriesByType('measure').filter((m) => m.name.startsWith('cairn:charts')).map((m) => [m.name, m.startTime, m.duration])).catch(() => []) : [];
      const series = wm.filter((m) => m[0] === 'cairn:charts:series').map((m) => m[2]);
      const docs = wm.filter((m) => m[0] === 'cairn:charts:doc').map((m) => m[2]);
      const reads = wm.filter((m) => m[0] === 'cairn:charts:read').map((m) => m[2]);
      const draws2 = await p2.evaluate(() => performance.getEntriesByType('measure').filter((m) => m.name === 'cairn:chart:draw').map((m) => m.duration));
      if (process.env.BENCH_CHARTS_DEBUG && w2 && round === 0) await printTimeline(p2, w2);
      const compareNote = `worker getRunsSeries ${series.map((x) => fmt(x, 0)).join('/')} ms (docs fetched in ${fmt(Math.max(...docs), 0)} ms at most, ${docs.length} of them; reads ${fmt(reads.reduce((a, b) => a + b, 0), 0)} ms in all); setOption ${draws2.map((x) => fmt(x, 0)).join('/')} ms`;
      compares.push({ ms: compareMs, note: compareNote });
      await closeP2();
    }
    const cm = median(compares.map((c) => c.ms));
    rows.push([
      `compare: ${COMPARE_RUNS} runs × 1 key × ${POINTS / 1000}k, first paint`,
      `${fmt(cm, 0)} ms`,
      `/compare/ → one RunsLineChart holding all ${COMPARE_RUNS} lines (fresh profile; ${DRIVER}), median of ${compares.length} (${compares.map((c) => fmt(c.ms, 0)).join(' / ')}); first round's ${compares[0].note}; target ≤ 2 s ${met(cm, 2000)}`,
    ]);
  } else {
    rows.push([`compare: ${COMPARE_RUNS} runs × 1 key × ${POINTS / 1000}k, first paint`, 'not measured', 'this build has no /compare/ page']);
  }
} finally {
  await browser?.close();
  await server?.kill('SIGTERM');
  dir.remove();
}

console.log(`charts: metric charts (components/charts, workers/charts-api.ts); load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
for (const [k, v, note] of rows) console.log(`  ${k.padEnd(46)} ${String(v).padStart(14)}  ${note}`);
report('charts', rows);
process.exit(0);

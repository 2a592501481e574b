/* global window, document, PerformanceObserver -- the functions passed to page.evaluate / addInitScript / waitForFunction run in the page or the worker */
// The app in Chromium at workspace scale: what a person waits for.
//   node bench/browser.mjs      (needs out/ and dist/: `npm run build`; BENCH_BROWSER_RUNS=1000 for a quicker run)
// The workspace is bench/lib/generate.mjs's: 10 experiments of BENCH_BROWSER_RUNS (10,000) runs each (20 params,
// 20 metric keys × 5 points, 3 tags; 100k runs in all by default), built through lib/doc's commands into the relay's
// SQLite (format 2: the workspace doc holds the experiments, each run its run doc and metrics doc). A copy of it is
// served by `node dist/cli.cjs start`; Debian's Chromium is driven with Playwright on one 10k-run experiment:
//   - experiments list: a fresh profile navigates to / → the experiment's link is visible;
//   - experiment page, cold (its index not cached yet) and warm (a later visit: a reload once the service worker is
//     active and 2.5 s more, lib/util.mjs laterVisit; the worker's IndexedDB cache, the app from the precache):
//     navigation → the first run rows (100, or all when fewer) are in the DOM;
//   - the filter box: Enter → the filtered rows are shown (worker search + render); and, when the data worker records
//     them, its own `performance.measure` entries named `cairn:…` during each filter (read with Playwright's
//     worker.evaluate): the worker-side filter + sort;
//   - a new metric value logged by the SDK (a run started in that experiment) → shown in the open table;
//   - main-thread long tasks (PerformanceObserver 'longtask') during all of it: count and the longest.
// Times in the page are read from the page's clock (performance.now(), i.e. since navigation start) by polling on
// animation frames, so they include the page's own load. Targets (issue 6): list ≤ 300 ms, first rows ≤ 300 ms warm
// and ≤ 1.5 s cold, filter + sort of 10k runs ≤ 50 ms in the worker, no main-thread task over 50 ms, a new value in
// the table ≤ 1 s. Figures are printed, not asserted.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fmt, laterVisit, report, spawnNode, tempDir, watchdog, ROOT } from './lib/util.mjs';
import { copyWorkspace, describe, preparedWorkspace } from './lib/generate.mjs';

const RUNS = Number(process.env.BENCH_BROWSER_RUNS ?? 10_000);
const EXPERIMENTS = 10;
// A screenful: the virtualized runs table draws the rows in view (about 30 at 1280×720) plus a few, never 100.
const FIRST_ROWS = Math.min(25, RUNS);
const WAIT_MS = 120_000;
watchdog(600_000, 'browser');

for (const [f, what] of [
  [join(ROOT, 'out', 'index.html'), 'out/'],
  [join(ROOT, 'dist', 'cli.cjs'), 'dist/cli.cjs'],
  [join(ROOT, 'dist', 'sdk', 'index.mjs'), 'dist/sdk'],
]) {
  if (!existsSync(f)) {
    console.error(`browser: ${what} is not built; run \`npm run build\` first`);
    process.exit(1);
  }
}
const { chromium } = await import('@playwright/test');
const { connect } = await import(pathToFileURL(join(ROOT, 'dist', 'sdk', 'index.mjs')).href);
// Prepared: the relay's first start (its index build) already done on the folder (bench/lib/generate.mjs).
const gen = await preparedWorkspace({ runs: RUNS * EXPERIMENTS, experiments: EXPERIMENTS }, (l) => console.log(l));
const exp = gen.manifest.experiments[0];
const WS = gen.manifest.ws;
console.log(`browser: workspace of ${describe(gen)}; measuring experiment ${exp.name} (${exp.runs.toLocaleString('en-US')} runs)`);

/** Top-level tasks (ms) of the dedicated worker threads in a Chromium trace: { longest, busy, tasks }. */
function workerTasks(trace) {
  const events = trace.traceEvents ?? trace;
  const workerThreads = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && /DedicatedWorker/i.test(e.args?.name ?? '')).map((e) => `${e.pid}:${e.tid}`));
  const tasks = events.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && workerThreads.has(`${e.pid}:${e.tid}`)).map((e) => (e.dur ?? 0) / 1000);
  return { longest: tasks.length ? Math.max(...tasks) : NaN, busy: tasks.reduce((a, b) => a + b, 0), tasks: tasks.length, threads: workerThreads.size };
}

const dir = tempDir('browser');
let server = null;
let browser = null;
try {
  const data = copyWorkspace(gen, join(dir.path, 'relay'));
  const ts = performance.now();
  server = spawnNode([join(ROOT, 'dist', 'cli.cjs'), 'start', '--port', '0', '--data', data]);
  const url = (await server.line(/App:\s+(http:\/\/\S+?)\/?\s/, 'cairn start', 120_000))[1];
  const startMs = performance.now() - ts;

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const context = await browser.newContext();
  // Long tasks on every page of the context, kept on window for the bench to read.
  await context.addInitScript(() => {
    const w = window;
    w.__longTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ duration: e.duration, start: e.startTime, page: w.location.pathname });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      // no long task API: nothing to count
    }
  });
  const page = await context.newPage();
  const allLong = [];
  // Taken out of the page as they are read: several reads on one page must not count its tasks again.
  const collectLong = async () => allLong.push(...(await page.evaluate(() => window.__longTasks?.splice(0) ?? [])));
  const durations = () => allLong.map((t) => t.duration);
  /** The page's clock (ms since its navigation started) once `predicate(arg)` holds, polled every animation frame. */
  const pageTimeWhen = async (predicate, arg) => (await page.waitForFunction(predicate, arg, { polling: 'raf', timeout: WAIT_MS })).jsonValue();
  const rowsShown = (n) => pageTimeWhen((k) => (document.querySelectorAll('[data-testid="run-row"]').length >= k ? performance.now() : 0), n);
  const heading = page.getByRole('heading', { name: /^Runs/ });
  const loadEvent = () => page.evaluate(() => performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? NaN);

  // Experiments list, fresh profile.
  await page.goto(`${url}/`, { waitUntil: 'commit' });
  const listMs = await pageTimeWhen((name) => [...document.querySelectorAll('a')].some((a) => a.textContent?.trim() === name) && performance.now(), exp.name);
  const listLoad = await loadEvent();
  await collectLong();

  // The experiment page, its index not cached.
  await page.goto(`${url}/experiment/?id=${exp.id}`, { waitUntil: 'commit' });
  const coldMs = await rowsShown(FIRST_ROWS);
  const coldLoad = await loadEvent();
  await page.getByRole('heading', { name: `Runs (${exp.runs})` }).waitFor({ timeout: WAIT_MS });
  const coldAllMs = await page.evaluate(() => performance.now());
  await collectLong();
  // A warm open is a later visit: the service worker installed, and the worker's cache-save delay (2 s) passed.
  const swMs = await laterVisit(page);
  await page.reload({ waitUntil: 'commit' });
  const warmMs = await rowsShown(FIRST_ROWS);
  const warmLoad = await loadEvent();
  await page.getByRole('heading', { name: `Runs (${exp.runs})` }).waitFor({ timeout: WAIT_MS });
  // The cached view (if the app shows one) gives way to live rows.
  await page.getByTestId('runs-cached').waitFor({ state: 'detached', timeout: WAIT_MS });
  const liveAfterMs = await page.evaluate(() => performance.now());
  await collectLong();

  // Filters: Enter → the heading's count changes. The worker's own measures (if it records any) are read around it.
  const worker = () => page.workers().find((w) => /data|worker/i.test(w.url())) ?? page.workers()[0];
  const workerMeasures = async () => {
    const w = worker();
    if (!w) return [];
    return w.evaluate(() => performance.getEntriesByType('measure').filter((m) => m.name.startsWith('cairn:')).map((m) => ({ name: m.name, start: m.startTime, duration: m.duration }))).catch(() => []);
  };
  const box = page.getByLabel('Filter runs');
  const filters = [];
  for (const f of ["metrics.metric_3 > 0.5 and params.param_1 = '128'", 'params.param_5 < 4 OR tags.sweep = "s2"', 'metrics.metric_7 <= 0.25']) {
    await box.fill(f);
    const seen = new Set((await workerMeasures()).map((m) => `${m.name}@${m.start}`));
    const before = await heading.textContent();
    const t = performance.now();
    await box.press('Enter');
    await page.waitForFunction((b) => [...document.querySelectorAll('h2')].some((h) => /^Runs/.test(h.textContent ?? '') && h.textContent !== b), before, { polling: 'raf', timeout: WAIT_MS });
    const shownMs = performance.now() - t;
    await new Promise((r) => setTimeout(r, 100));
    const fresh = (await workerMeasures()).filter((m) => !seen.has(`${m.name}@${m.start}`));
    filters.push({ f, shownMs, count: (await heading.textContent())?.replace(/^Runs\s*/, ''), worker: fresh });
  }
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByRole('heading', { name: `Runs (${exp.runs})` }).waitFor({ timeout: WAIT_MS });
  await collectLong();

  // The same filters again under Chromium's tracing: the tasks of the page's dedicated worker threads between Enter
  // and the rows shown (their longest task, and their busy time in all), whatever the worker code records itself.
  const traced = [];
  for (const { f } of filters) {
    await box.fill(f);
    const before = await heading.textContent();
    await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    await box.press('Enter');
    await page.waitForFunction((b) => [...document.querySelectorAll('h2')].some((h) => /^Runs/.test(h.textContent ?? '') && h.textContent !== b), before, { polling: 'raf', timeout: WAIT_MS });
    await new Promise((r) => setTimeout(r, 100));
    traced.push(workerTasks(JSON.parse((await browser.stopTracing()).toString('utf8'))));
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('heading', { name: `Runs (${exp.runs})` }).waitFor({ timeout: WAIT_MS });
  }
  await collectLong();

  // A value logged by a script reaches the open table. A failure here (the SDK, the live path) is reported, and the
  // figures above still print.
  let newRunMs = NaN;
  let liveMs = NaN;
  let liveError = null;
  let client = null;
  try {
    client = await connect({ relay: url, workspace: WS, dataDir: join(dir.path, 'sdk') });
    const live = await client.startRun({ experimentId: exp.id, runName: 'live-run', startTime: 1_800_000_000_000 });
    const tRow = performance.now();
    await page.getByRole('link', { name: 'live-run', exact: true }).waitFor({ timeout: 60_000 });
    newRunMs = performance.now() - tRow;
    const t = performance.now();
    live.logMetric('metric_0', 0.123456, { step: 1 });
    await live.flush();
    await page.getByTestId('run-row').filter({ hasText: 'live-run' }).getByTestId('run-metric-metric_0').getByText('0.123456').waitFor({ timeout: 60_000 });
    liveMs = performance.now() - t;
  } catch (err) {
    liveError = String(err?.message ?? err).split('\n')[0];
    console.log(`  live part failed: ${liveError}`);
  } finally {
    await client?.close().catch(() => {});
  }
  await collectLong();

  const longest = allLong.length ? Math.max(...durations()) : 0;
  const over50 = durations().filter((d) => d > 50).length;
  for (const t of allLong.filter((x) => x.duration > 50)) console.log(`  long task ${fmt(t.duration, 0)} ms at ${fmt(t.start, 0)} ms on ${t.page}`);
  const workerFilter = filters.map((x) => (x.worker.length ? Math.max(...x.worker.map((m) => m.duration)) : NaN));
  const workerNames = [...new Set(filters.flatMap((x) => x.worker.map((m) => m.name)))];
  const met = (v, target) => (Number.isFinite(v) ? (v <= target ? '(met)' : '(MISSED)') : '');
  const rows = [
    ['workspace', `${gen.manifest.runs.toLocaleString('en-US')} runs`, `${EXPERIMENTS} experiments; one of ${exp.runs.toLocaleString('en-US')} runs measured; cairn start up in ${fmt(startMs, 0)} ms`],
    // The issue's target is "≤ 300 ms after load": measured from the load event (navigation start shown too).
    ['experiments list visible (fresh profile)', `${fmt(listMs - listLoad, 0)} ms`, `after the load event (at ${fmt(listLoad, 0)} ms); ${fmt(listMs, 0)} ms since navigation start; target ≤ 300 ms after load ${met(listMs - listLoad, 300)}`],
    [`experiment page, first ${FIRST_ROWS} rows, cold`, `${fmt(coldMs, 0)} ms`, `since navigation start, index not cached (load event at ${fmt(coldLoad, 0)} ms); all ${exp.runs} counted at ${fmt(coldAllMs, 0)} ms; target ≤ 1.5 s ${met(coldMs, 1500)}`],
    [`experiment page, first ${FIRST_ROWS} rows, warm`, `${fmt(warmMs, 0)} ms`, `a later visit (reload once the service worker was active${swMs === null ? ': it never was' : `, after ${fmt(swMs / 1000, 1)} s`}, + 2.5 s), cached index; ${fmt(warmMs - warmLoad, 0)} ms after the load event (at ${fmt(warmLoad, 0)} ms); target ≤ 300 ms ${met(warmMs, 300)}`],
    ['  … live rows in place after', `${fmt(liveAfterMs, 0)} ms`, 'since navigation start of the warm reload'],
    ['filter box: Enter → rows shown (3 filters)', filters.map((x) => fmt(x.shownMs, 0)).join(' / ') + ' ms', `worker search + render; matches ${filters.map((x) => x.count).join(' / ')}`],
    [
      'worker thread during a filter (traced, 3 filters)',
      traced.map((x) => fmt(x.longest, 0)).join(' / ') + ' ms',
      `longest worker task per filter (busy ${traced.map((x) => fmt(x.busy, 0)).join(' / ')} ms in ${traced.map((x) => x.tasks).join(' / ')} tasks, ${traced[0]?.threads ?? 0} worker threads); target filter + sort ≤ 50 ms ${met(Math.max(...traced.map((x) => x.longest)), 50)}`,
    ],
    // Only when the worker records its own `cairn:` measures (the traced row above needs no help from it).
    ...(workerFilter.every(Number.isNaN)
      ? []
      : [['filter + sort in the worker, its own measures', workerFilter.map((x) => fmt(x, 1)).join(' / ') + ' ms', `longest of ${workerNames.join(', ')}; target ≤ 50 ms ${met(Math.max(...workerFilter.filter(Number.isFinite)), 50)}`]]),
    ['a run started by the SDK → its row shown', `${fmt(newRunMs, 0)} ms`, liveError ? `not measured: ${liveError}` : 'startRun → the row is in the open table'],
    ['new metric value → shown in the open table', `${fmt(liveMs, 0)} ms`, liveError ? 'not measured (above)' : `logMetric + flush → the cell shows it; target ≤ 1 s ${met(liveMs, 1000)}`],
    ['main-thread long tasks', `${allLong.length}`, `${over50} over 50 ms, longest ${fmt(longest, 0)} ms; target: none over 50 ms ${over50 === 0 ? '(met)' : '(MISSED)'}`],
  ];
  console.log(`browser: Chromium on the app, ${exp.runs.toLocaleString('en-US')}-run experiment of a ${gen.manifest.runs.toLocaleString('en-US')}-run workspace (format 2)`);
  for (const [k, v, note] of rows) console.log(`  ${k.padEnd(46)} ${String(v).padStart(22)}  ${note}`);
  report('browser', rows);
} finally {
  await browser?.close();
  await server?.kill('SIGTERM');
  dir.remove();
}
process.exit(0);

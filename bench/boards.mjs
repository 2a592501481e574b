/* global document -- the functions passed to page.waitForFunction run in the page */
// Compare and dashboards in Chromium, on one experiment of bench/lib/generate.mjs's workspace.
//   node bench/boards.mjs      (needs out/ and dist/: `npm run build`; BENCH_BOARDS_RUNS=1000 for a quicker run)
// Measured, from navigation start (the page's clock, polled on animation frames):
//   - /compare/ of N runs (50 and 100: the range is 2–100) → the diff table's rows, the parallel coordinates
//     and the scatter all drawn with N runs (runs from the experiment index through the worker: no run doc opened);
//   - a dashboard card added in one browser context → drawn in a second context open on the same dashboard
//     (workspace doc → relay → the other tab's worker → its `boards` topic → re-query → render);
//   - main-thread long tasks during it all;
//   - compare of 50 runs × 1 metric × 100k points (a second workspace of BENCH_BOARDS_LINE_RUNS runs): navigation →
//     the line chart holds a line per run (read back from the ECharts instance; the target: first paint ≤ 2 s).
// Figures are printed, not asserted. The line charts of compare are the charts area's (bench their own numbers).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, report, spawnNode, tempDir, watchdog, ROOT } from './lib/util.mjs';
import { copyWorkspace, describe, preparedWorkspace, runIdOf } from './lib/generate.mjs';

const RUNS = Number(process.env.BENCH_BOARDS_RUNS ?? 10_000);
const LINE_RUNS = Number(process.env.BENCH_BOARDS_LINE_RUNS ?? 50);
const LINE_POINTS = Number(process.env.BENCH_BOARDS_LINE_POINTS ?? 100_000);
const WAIT_MS = 120_000;
watchdog(600_000, 'boards');

for (const f of [join(ROOT, 'out', 'index.html'), join(ROOT, 'dist', 'cli.cjs')]) {
  if (!existsSync(f)) {
    console.error(`boards: ${f} is not built; run \`npm run build\` first`);
    process.exit(1);
  }
}
const { chromium } = await import('@playwright/test');
const gen = await preparedWorkspace({ runs: RUNS, experiments: 1 }, (l) => console.log(l));
const exp = gen.manifest.experiments[0];
console.log(`boards: workspace of ${describe(gen)}`);

const dir = tempDir('boards');
let server = null;
let browser = null;
try {
  server = spawnNode([join(ROOT, 'dist', 'cli.cjs'), 'start', '--port', '0', '--data', copyWorkspace(gen, join(dir.path, 'relay'))]);
  const url = (await server.line(/App:\s+(http:\/\/\S+?)\/?\s/, 'cairn start', 120_000))[1];
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const longTasks = () => {
    const w = globalThis;
    w.__longTasks = [];
    try {
      new w.PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      // no long task API
    }
  };
  const contexts = [await browser.newContext(), await browser.newContext()];
  for (const c of contexts) await c.addInitScript(longTasks);
  const [page, other] = await Promise.all(contexts.map((c) => c.newPage()));
  const allLong = [];
  const collect = async (p) => allLong.push(...(await p.evaluate(() => globalThis.__longTasks ?? [])));

  // Warm the worker (first load of the experiment's index) on the experiment page, as a person arrives from it.
  await page.goto(`${url}/experiment/?id=${exp.id}`);
  await page.getByRole('heading', { name: `Runs (${exp.runs})` }).waitFor({ timeout: WAIT_MS });

  const compare = {};
  for (const n of [50, 100]) {
    const ids = Array.from({ length: n }, (_, i) => runIdOf(i));
    await page.goto(`${url}/compare/?experiment=${exp.id}&runs=${ids.join(',')}`, { waitUntil: 'commit' });
    const drawn = (testId, k) => `document.querySelector('[data-testid="${testId}"]')?.getAttribute('data-drawn') === '${k}' && document.querySelector('[data-testid="${testId}"] canvas')`;
    const at = async (expr) => (await page.waitForFunction(`(${expr}) ? performance.now() : 0`, null, { polling: 'raf', timeout: WAIT_MS })).jsonValue();
    const [rows, parallel, scatter] = await Promise.all([
      at(`document.querySelectorAll('[data-testid="diff-row"]').length > 0 && document.querySelectorAll('[aria-label="Run differences"] thead th').length === ${n + 1}`),
      at(drawn('parallel-chart', n)),
      at(drawn('scatter-chart', n)),
    ]);
    compare[n] = { rows, parallel, scatter };
    await collect(page);
  }

  // A dashboard open in two contexts; a card added in one is drawn in the other.
  await page.goto(`${url}/dashboards/?experiment=${exp.id}`);
  const form = page.getByRole('form', { name: 'New dashboard' });
  await form.getByLabel('Dashboard name').fill('Bench', { timeout: WAIT_MS });
  await form.getByRole('button', { name: 'New dashboard' }).click();
  await page.getByTestId('board-name').waitFor({ timeout: WAIT_MS });
  await other.goto(page.url());
  await other.getByTestId('board-no-cards').waitFor({ timeout: WAIT_MS });
  await page.getByRole('button', { name: 'Add card' }).click();
  const settings = page.getByRole('form', { name: 'Card settings' });
  await settings.getByLabel('Chart').selectOption({ label: 'Bar of latest values' });
  await settings.getByLabel('Title').fill('Bench card');
  const t0 = Date.now();
  await settings.getByRole('button', { name: 'Add card' }).click();
  await page.locator('[data-testid="bar-chart"] canvas').first().waitFor({ timeout: WAIT_MS });
  const ownMs = Date.now() - t0;
  await other.getByRole('article', { name: 'Card Bench card' }).waitFor({ timeout: WAIT_MS });
  const otherCardMs = Date.now() - t0;
  await other.locator('[data-testid="bar-chart"] canvas').first().waitFor({ timeout: WAIT_MS });
  const otherMs = Date.now() - t0;
  await collect(page);
  await collect(other);
  // The dashboard tabs keep syncing (sockets, index polls): closed, so the line compare below is measured alone, as
  // charts.mjs measures it, not against two live pages on this 2-core machine.
  for (const c of contexts) await c.close();

  // Compare's line chart: LINE_RUNS finished runs of LINE_POINTS points each (snapshots, not sockets, per run).
  const lineGen = await preparedWorkspace({ runs: LINE_RUNS, experiments: 1, params: 5, metrics: 1, points: LINE_POINTS }, (l) => console.log(l));
  const lineExp = lineGen.manifest.experiments[0];
  console.log(`boards: line workspace of ${describe(lineGen)}`);
  const lineServer = spawnNode([join(ROOT, 'dist', 'cli.cjs'), 'start', '--port', '0', '--data', copyWorkspace(lineGen, join(dir.path, 'relay-lines'))]);
  let lineMs = NaN;
  let lineMsWarm = NaN;
  try {
    const lineUrl = (await lineServer.line(/App:\s+(http:\/\/\S+?)\/?\s/, 'cairn start', 120_000))[1];
    const lineContext = await browser.newContext();
    await lineContext.addInitScript(longTasks);
    const linePage = await lineContext.newPage();
    const ids = Array.from({ length: LINE_RUNS }, (_, i) => runIdOf(i));
    const linesDrawn = () =>
      linePage.waitForFunction(
        (n) => {
          const el = document.querySelector('[data-testid="metric-chart-metric_0"] [role="img"]');
          const model = el?.cairnChart?.getModel();
          if (!model) return 0;
          let lines = 0;
          for (let i = 0; i < model.getSeriesCount(); i++) if (model.getSeriesByIndex(i).id.startsWith('line:') && model.getSeriesByIndex(i).getData().count() > 0) lines++;
          return lines >= n ? performance.now() : 0;
        },
        LINE_RUNS,
        { polling: 'raf', timeout: WAIT_MS },
      );
    for (const round of ['cold', 'warm']) {
      await linePage.goto(`${lineUrl}/compare/?experiment=${lineExp.id}&runs=${ids.join(',')}`, { waitUntil: 'commit' });
      const ms = await (await linesDrawn()).jsonValue();
      if (round === 'cold') lineMs = ms;
      else lineMsWarm = ms;
    }
    allLong.push(...(await linePage.evaluate(() => globalThis.__longTasks ?? [])));
  } finally {
    await lineServer.kill('SIGTERM');
  }

  const over50 = allLong.filter((d) => d > 50).length;
  const rows = [
    ['experiment', `${exp.runs.toLocaleString('en-US')} runs`, `${gen.manifest.params} params, ${gen.manifest.metrics} metric keys each`],
    ...[50, 100].map((n) => [
      `compare ${n} runs: diff table / parallel / scatter`,
      `${fmt(compare[n].rows, 0)} / ${fmt(compare[n].parallel, 0)} / ${fmt(compare[n].scatter, 0)} ms`,
      'since navigation start of a page load (the index cached by the visit before)',
    ]),
    ['dashboard card added → drawn here', `${ownMs} ms`, 'click "Add card" → its bar chart has a canvas, same tab'],
    ['  … → the card shown in another browser', `${otherCardMs} ms`, 'a second context open on the dashboard: workspace doc → relay → its worker → boards topic'],
    ['  … → its chart drawn there', `${otherMs} ms`, "includes that context's first load of the experiment's index (the card's runs)"],
    [
      `compare ${LINE_RUNS} runs × 1 metric × ${LINE_POINTS.toLocaleString('en-US')} points: lines drawn`,
      `${fmt(lineMs, 0)} ms (again ${fmt(lineMsWarm, 0)} ms)`,
      `since navigation start, a line per run in the chart (fresh profile, then a reload); target first paint ≤ 2 s ${lineMs <= 2000 ? '(met)' : '(MISSED)'}`,
    ],
    ['main-thread long tasks', `${allLong.length}`, `${over50} over 50 ms, longest ${fmt(allLong.length ? Math.max(...allLong) : 0, 0)} ms`],
  ];
  console.log('boards: compare and dashboards in Chromium');
  for (const [k, v, note] of rows) console.log(`  ${k.padEnd(46)} ${String(v).padStart(22)}  ${note}`);
  report('boards', rows);
} finally {
  await browser?.close();
  await server?.kill('SIGTERM');
  dir.remove();
}
process.exit(0);

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, type Locator, type Page } from '@playwright/test';
import { FIRST_LOAD_TIMEOUT } from './app-header';

/**
 * Line charts (components/charts) as tests see them: the chart's figure by metric key, and what ECharts actually drew,
 * read back from the live instance (EChart.tsx puts it on its canvas container as `cairnChart`).
 */

/** One drawn series: its id (`line:<runId>`, `raw:<runId>`, `bands`), points, stacked y. */
export interface DrawnSeries {
  id: string;
  x: number[];
  y: (number | null)[];
  /** The stack result (what the band is drawn through), for stacked series. */
  stacked: (number | null)[] | null;
}

export class ChartView {
  readonly figure: Locator;
  readonly canvas: Locator;

  constructor(
    readonly page: Page,
    readonly metricKey: string,
  ) {
    this.figure = page.getByTestId(`metric-chart-${metricKey}`);
    this.canvas = this.figure.getByRole('img');
  }

  async expectDrawn(timeout = FIRST_LOAD_TIMEOUT): Promise<void> {
    await expect(this.figure.locator('canvas').first()).toBeVisible({ timeout });
  }

  /** Every series ECharts holds for this chart, as laid out (its model's data, with the stack dimension). */
  async drawn(): Promise<DrawnSeries[]> {
    return this.canvas.evaluate((el) => {
      type Data = { count(): number; get(dim: string, i: number): unknown; getCalculationInfo(k: string): string | undefined; mapDimension(d: string): string };
      type Model = { getSeriesCount(): number; getSeriesByIndex(i: number): { id: string; getData(): Data } };
      const chart = (el as unknown as { cairnChart?: { getModel(): Model } }).cairnChart;
      if (!chart) return [];
      const model = chart.getModel();
      const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
      const out = [];
      for (let s = 0; s < model.getSeriesCount(); s++) {
        const series = model.getSeriesByIndex(s);
        const d = series.getData();
        const n = d.count();
        const xDim = d.mapDimension('x');
        const yDim = d.mapDimension('y');
        const stackDim = d.getCalculationInfo('stackResultDimension');
        const x: number[] = [];
        const y: (number | null)[] = [];
        const stacked: (number | null)[] = [];
        for (let i = 0; i < n; i++) {
          x.push(d.get(xDim, i) as number);
          y.push(num(d.get(yDim, i)));
          if (stackDim) stacked.push(num(d.get(stackDim, i)));
        }
        out.push({ id: series.id, x, y, stacked: stackDim ? stacked : null });
      }
      return out;
    });
  }

  /**
   * A run's min/max band (the first run's when `runId` is not given): `drawn` read back from the polygons ECharts drew
   * (pixels converted to data by the chart: equal up to rounding), `buckets` the exact buckets the option gave it.
   */
  async band(runId?: string): Promise<{ drawn: { x: number[]; lo: number[]; hi: number[] }; buckets: { x: number[]; lo: number[]; hi: number[] } } | null> {
    return this.canvas.evaluate((el, id) => {
      type Shape = { type?: string; name?: string; shape?: { points: number[][] }; children?(): Shape[] };
      type Series = { id: string; seriesIndex: number; option: { cairnBands?: { id: string; x: ArrayLike<number>; lo: ArrayLike<number>; hi: ArrayLike<number> }[] } };
      const chart = (el as unknown as {
        cairnChart?: {
          getModel(): { getSeriesCount(): number; getSeriesByIndex(i: number): Series };
          getViewOfSeriesModel(s: Series): { group: Shape } | undefined;
          convertFromPixel(f: { seriesIndex: number }, p: number[]): number[];
        };
      }).cairnChart;
      if (!chart) return null;
      const model = chart.getModel();
      let bands: Series | undefined;
      for (let i = 0; i < model.getSeriesCount(); i++) if (model.getSeriesByIndex(i).id === 'bands') bands = model.getSeriesByIndex(i);
      const exact = bands?.option.cairnBands?.find((b) => id === null || b.id === id);
      const view = bands && chart.getViewOfSeriesModel(bands);
      if (!bands || !exact || !view) return null;
      const drawn = { x: [] as number[], lo: [] as number[], hi: [] as number[] };
      const walk = (g: Shape, mine: boolean) => {
        for (const c of g.children?.() ?? []) {
          const isMine = mine || c.name === `band:${exact.id}`;
          if (c.type === 'polygon' && isMine && c.shape) {
            const pts = c.shape.points.map((p) => chart.convertFromPixel({ seriesIndex: bands!.seriesIndex }, p));
            const n = pts.length / 2;
            for (let i = 0; i < n; i++) {
              drawn.x.push(pts[i]![0]!);
              drawn.hi.push(pts[i]![1]!);
              drawn.lo.push(pts[pts.length - 1 - i]![1]!);
            }
          } else walk(c, isMine);
        }
      };
      walk(view.group, false);
      return { drawn, buckets: { x: Array.from(exact.x), lo: Array.from(exact.lo), hi: Array.from(exact.hi) } };
    }, runId ?? null);
  }

  /** The series whose id starts with `prefix` (e.g. `line:`). */
  async series(prefix: string): Promise<DrawnSeries | undefined> {
    return (await this.drawn()).find((s) => s.id.startsWith(prefix));
  }

  /** Zooms the x axis to [start, end] percent, as a wheel or drag would (ECharts' own dataZoom action). */
  async zoom(start: number, end: number): Promise<void> {
    await this.canvas.evaluate(
      (el, w) => {
        const chart = (el as unknown as { cairnChart?: { dispatchAction(a: unknown): void } }).cairnChart;
        chart?.dispatchAction({ type: 'dataZoom', start: w.start, end: w.end });
      },
      { start, end },
    );
  }
}

export interface SeriesRun {
  /** The run's id (with `finishedBefore`: every id, comma-separated, the live one last). */
  runId: Promise<string>;
  experimentId: Promise<string>;
  /** Resolves with the points logged per key once the run ended. */
  done: Promise<number>;
  /** Stops live logging: the run ends. */
  stop(): void;
  kill(): void;
}

/**
 * Logs one run through the Node SDK (`cairn/sdk`, run as a child process from the repository root): `prefill` steps of
 * each key at once (`keys`: key → a JS expression of the step `s`), flushed, then the run id is printed; with
 * `liveDelayMs` it goes on logging one step per delay until `stop()` (at most `liveMax` steps), then ends the run.
 */
export function startSeriesRun(o: {
  relay: string;
  experimentName: string;
  runName: string;
  keys: Record<string, string>;
  prefill: number;
  liveDelayMs?: number;
  liveMax?: number;
  /** Finished runs to log before the (last) one above: `<runName>-<i>`, their ids first on the id line. */
  finishedBefore?: number;
}): SeriesRun {
  const script = `
    import { mkdtempSync, rmSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    import { createInterface } from 'node:readline';
    import { connect } from 'cairn/sdk';
    const o = JSON.parse(process.env.CAIRN_E2E_SERIES_RUN);
    const fns = Object.entries(o.keys).map(([k, e]) => [k, new Function('s', 'return (' + e + ');')]);
    let stop = false;
    createInterface({ input: process.stdin }).on('line', (l) => { if (l.trim() === 'stop') stop = true; });
    process.stdin.unref?.();
    const dir = mkdtempSync(join(tmpdir(), 'cairn-e2e-charts-'));
    const client = await connect({ relay: o.relay, workspace: 'default', dataDir: dir });
    try {
      const experimentId = (await client.getExperimentByName(o.experimentName))?.experimentId ?? (await client.createExperiment(o.experimentName));
      const before = [];
      for (let r = 0; r < (o.finishedBefore ?? 0); r++) {
        const f = await client.startRun({ experimentId, runName: o.runName + '-' + r });
        for (let s = 0; s < o.prefill; s++) { const m = {}; for (const [k, fn] of fns) m[k] = fn(s) + r; f.logMetrics(m, { step: s }); }
        await f.end();
        before.push(f.id);
      }
      const run = await client.startRun({ experimentId, runName: o.runName });
      const log = (s) => { const m = {}; for (const [k, f] of fns) m[k] = f(s); run.logMetrics(m, { step: s, timestamp: 1700000000000 + s * 1000 }); };
      for (let s = 0; s < o.prefill; s++) log(s);
      await run.flush({ timeoutMs: 60000 });
      console.log([...before, run.id].join(','));
      console.log(experimentId);
      let s = o.prefill;
      if (o.liveDelayMs) {
        for (; s < o.prefill + (o.liveMax ?? 1e6) && !stop; s++) {
          log(s);
          if (s % 2 === 0) await run.flush();
          await new Promise((r) => setTimeout(r, o.liveDelayMs));
        }
      }
      await run.end();
      await client.close();
      console.log('done ' + s);
    } catch (e) {
      console.error(e?.stack ?? String(e));
      process.exitCode = 1;
      await client.close({ timeoutMs: 2000 }).catch(() => {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  `;
  // The options go by environment: argv would end up in the run's mlflow.source.name tag.
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: resolve(__dirname, '../../..'),
    env: { ...process.env, CAIRN_E2E_SERIES_RUN: JSON.stringify(o) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines: string[] = [];
  const exited = new Promise<number>((res) => child.on('exit', (code, signal) => res(code ?? (signal ? 128 : 1))));
  const runId = new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line.trim());
      if (lines.length === 1) res(lines[0]!);
    });
    void exited.then((code) => rej(new Error(`SDK logger exited (${code}) before printing a run id:\n${stderr}`)));
  });
  const done = exited.then((code) => {
    const m = /^done (\d+)$/.exec(lines.at(-1) ?? '');
    if (code !== 0 || !m) throw new Error(`SDK logger exited (${code}) without ending the run:\n${stderr}`);
    return Number(m[1]);
  });
  const experimentId = runId.then(
    () =>
      new Promise<string>((res) => {
        const check = () => (lines.length >= 2 ? res(lines[1]!) : setTimeout(check, 10));
        check();
      }),
  );
  runId.catch(() => {});
  experimentId.catch(() => {});
  done.catch(() => {});
  return {
    runId,
    experimentId,
    done,
    stop: () => {
      if (child.exitCode === null) child.stdin.end('stop\n');
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

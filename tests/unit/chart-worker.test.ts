import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMetrics, ensureWorkspace, memoryCtx, startRun, updateRun } from '@/lib/doc';
import { freshDbName, storeDocs, workerServices } from '../shared/worker-service';

const freshDb = () => freshDbName('chart-worker');
const openService = workerServices();
const service = (dbName: string) => openService(dbName);



/** Runs with `points` of a spiky `loss` crossing zero (and `acc` = step / points) each; finished unless `running`. */
async function seed(dbName: string, runs: number, points: number, running = false) {
  const ctx = memoryCtx(new Y.Doc(), 'sdk');
  ensureWorkspace(ctx);
  const ids: string[] = [];
  for (let r = 0; r < runs; r++) {
    const run = startRun(ctx, {});
    const batch = 8_000;
    for (let i = 0; i < points; i += batch) {
      const pts = [];
      for (let j = i; j < Math.min(points, i + batch); j++) {
        pts.push({ key: 'loss', value: Math.sin(j / 500) + (j % 97 === 0 ? 5 : 0) - (j % 89 === 0 ? 5 : 0), step: j, timestamp: 1_000_000 + j * 10 });
        pts.push({ key: 'acc', value: j / points, step: j, timestamp: 1_000_000 + j * 10 });
      }
      appendMetrics(ctx, ctx.metricsDoc(run.runId), run.runId, pts);
    }
    if (!running) updateRun(ctx, { runId: run.runId, status: 'FINISHED' });
    ids.push(run.runId);
  }
  await storeDocs(dbName, ctx);
  return ids;
}

describe('charts worker API', () => {
  it('[CHART-3] getRunsSeries buckets each run to ≥ 1,500 buckets with the band and the true last point; null for a missing key', async () => {
    const db = freshDb();
    const ids = await seed(db, 2, 100_000);
    const api = await service(db);
    const out = await api.getRunsSeries([...ids, 'f'.repeat(32)], 'loss');
    expect(out.map((r) => r.runId)).toEqual([...ids, 'f'.repeat(32)]);
    expect(out[2]!.series).toBeNull();
    const s = out[0]!.series!;
    expect(s.count).toBe(100_000);
    expect(s.steps.length).toBeGreaterThanOrEqual(1_499);
    expect(s.steps.length).toBeLessThanOrEqual(1_500);
    expect(s.last).toEqual([99_999, Math.sin(99_999 / 500)]);
    expect(s.extent).toEqual([0, 99_999]);
    expect(Math.max(...s.max!)).toBeGreaterThan(4);
    expect(Math.min(...s.min!)).toBeLessThan(-4);
    for (let i = 0; i < s.steps.length; i++) expect(s.min![i]! <= s.values[i]! && s.values[i]! <= s.max![i]!).toBe(true);
    expect(out[0]!.live).toBe(false);
    expect((await api.getRunsSeries(ids, 'nope')).map((r) => r.series)).toEqual([null, null]);
  });

  it('[CHART-2] marks only RUNNING runs live; finished runs are read and released (no doc held open for them)', async () => {
    const db = freshDb();
    const finishedIds = await seed(db, 3, 2_000);
    const running = await seed(db, 1, 2_000, true);
    const api = await service(db);
    const out = await api.getRunsSeries([...finishedIds, ...running], 'loss');
    expect(out.map((r) => r.live)).toEqual([false, false, false, true]);
    expect(out.every((r) => r.series?.count === 2_000)).toBe(true);
    // A second answer for finished runs comes from the worker's cache, the same points.
    const again = await api.getRunsSeries(finishedIds, 'loss');
    expect([...again[0]!.series!.values]).toEqual([...out[0]!.series!.values]);
    const tails = await api.getRunsSeriesTails('loss', [{ runId: running[0]!, grid: out[3]!.series!.grid ?? { origin: 0, width: 1 }, fromCell: 0 }]);
    expect(tails[0]!.live).toBe(true);
    expect(tails[0]!.series!.count).toBe(2_000);
  });

  it('[CHART-4] a range is bucketed finer on its own grid; a range of few points comes back raw (real points)', async () => {
    const db = freshDb();
    const [id] = await seed(db, 1, 200_000);
    const api = await service(db);
    const [wide] = await api.getRunsSeries([id!], 'loss', { range: [50_000, 150_000] });
    expect(wide!.series!.steps.length).toBeGreaterThanOrEqual(1_499);
    expect(wide!.series!.steps[0]).toBeGreaterThanOrEqual(50_000);
    expect(wide!.series!.steps.at(-1)).toBeLessThanOrEqual(150_000);
    expect(wide!.series!.before).toBe(50_000);
    const [narrow] = await api.getRunsSeries([id!], 'loss', { range: [10_000, 19_999] });
    expect(narrow!.series!.min).toBeUndefined();
    expect(narrow!.series!.steps.length).toBe(10_000);
    expect(narrow!.series!.steps[0]).toBe(10_000);
    expect(narrow!.series!.values[5]).toBe(Math.sin(10_005 / 500)); // 10,005 is no multiple of 97 or 89: no spike
  });

  it('[CHART-6] x axis: wall time, relative seconds, another metric', async () => {
    const db = freshDb();
    const [id] = await seed(db, 1, 1_000);
    const api = await service(db);
    const [wall] = await api.getRunsSeries([id!], 'loss', { xAxis: { kind: 'wall' } });
    expect(wall!.series!.steps[0]).toBe(1_000_000);
    const [rel] = await api.getRunsSeries([id!], 'loss', { xAxis: { kind: 'relative' } });
    expect(rel!.series!.steps[10]! - rel!.series!.steps[0]!).toBeCloseTo(0.1, 5);
    const [byAcc] = await api.getRunsSeries([id!], 'loss', { xAxis: { kind: 'metric', key: 'acc' } });
    expect(byAcc!.series!.steps[500]).toBeCloseTo(0.5, 9);
    expect(byAcc!.series!.values[500]).toBeCloseTo(Math.sin(1), 9);
  });

  it('[CHART-11] refuses bad arguments at the boundary', async () => {
    const db = freshDb();
    const api = await service(db);
    await expect(api.getRunsSeries(['x'], 'loss', { buckets: 0 })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(api.getRunsSeries(['x'], 'loss', { range: [2, 1] })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(api.getRunsSeries(Array(101).fill('a'), 'loss')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(api.getRunsSeries(['bad id!'], 'loss')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(api.getRunsSeriesTails('loss', [{ runId: 'a', grid: { origin: 0, width: 0 }, fromCell: 0 }])).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });
});

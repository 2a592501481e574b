import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMetrics, ensureWorkspace, logBatch, memoryCtx, startRun } from '@/lib/doc';
import { freshDbName, storeDocs, workerServices } from '../shared/worker-service';
import { SIGNAL_DEBOUNCE_MS } from '@/workers/topics';

const freshDb = () => freshDbName('boards-api');
const openService = workerServices();
const service = (dbName = freshDb()) => openService(dbName);
const tick = (ms = SIGNAL_DEBOUNCE_MS * 3) => new Promise((r) => setTimeout(r, ms));



/** Six runs r0..r5 in the Default experiment (r5 newest), lr alternating, acc = i / 10. */
async function seedRuns(dbName: string): Promise<string[]> {
  const ctx = memoryCtx(new Y.Doc(), 'sdk');
  ensureWorkspace(ctx);
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const run = startRun(ctx, { runName: `r${i}`, startTime: 1_700_000_000_000 + i });
    logBatch(ctx, { runId: run.runId, params: [{ key: 'lr', value: i % 2 ? '0.1' : '0.01' }] });
    appendMetrics(ctx, ctx.metricsDoc(run.runId), run.runId, [{ key: 'acc', value: i / 10, step: 0, timestamp: 1 }]);
    ids.push(run.runId);
  }
  await storeDocs(dbName, ctx);
  return ids;
}

describe('dashboards and compare in the data worker', () => {
  it('[CMP-1] compareRuns gives index rows in the order asked, lists unknown ids, and takes 2 to 100 runs', async () => {
    const db = freshDb();
    const ids = await seedRuns(db);
    const api = await service(db);
    const unknown = 'f'.repeat(32);
    const got = await api.compareRuns('0', [ids[3]!, unknown, ids[0]!, ids[3]!]);
    expect(got.runs.map((r) => r.info.runName)).toEqual(['r3', 'r0']);
    expect(got.runs[0]!.params).toEqual({ lr: '0.1' });
    expect(got.runs[0]!.metrics.acc!.latest).toBeCloseTo(0.3);
    expect(got.missing).toEqual([unknown]);
    expect(structuredClone(got)).toEqual(got);
    await expect(api.compareRuns('0', [ids[0]!])).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('at least 2') });
    const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, '0'));
    await expect(api.compareRuns('0', many)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('at most 100') });
    await expect(api.compareRuns('0', ['bad id!', ids[0]!])).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    // A deleted run is no longer compared.
    await api.deleteRun(ids[0]!);
    await tick();
    expect((await api.compareRuns('0', [ids[3]!, ids[0]!])).missing).toEqual([ids[0]]);
  });

  it('[BOARD-C1] a card draws chosen runs in order, or the first N matching a filter newest first; a bad filter is a value', async () => {
    const db = freshDb();
    const ids = await seedRuns(db);
    const api = await service(db);
    const chosen = await api.selectBoardRuns('0', { mode: 'selected', runIds: [ids[1]!, ids[4]!] });
    expect(chosen.runs.map((r) => r.info.runName)).toEqual(['r1', 'r4']);
    const first = await api.selectBoardRuns('0', { mode: 'filter', filter: '', limit: 2 });
    expect(first).toMatchObject({ total: 6, missing: [] });
    expect(first.runs.map((r) => r.info.runName)).toEqual(['r5', 'r4']);
    const matching = await api.selectBoardRuns('0', { mode: 'filter', filter: "params.lr = '0.1'", limit: 2 });
    expect(matching.total).toBe(3);
    expect(matching.runs.map((r) => r.info.runName)).toEqual(['r5', 'r3']);
    const bad = await api.selectBoardRuns('0', { mode: 'filter', filter: 'metrics.acc >> 1', limit: 2 });
    expect(bad.runs).toEqual([]);
    expect(bad.error).toMatchObject({ field: 'filter', position: expect.any(Number) });
    await expect(api.selectBoardRuns('0', { mode: 'filter', filter: '', limit: 0 })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(api.selectBoardRuns('0', { mode: 'everything' })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });

  it('[BOARD-W1] a dashboard change signals the boards topic and the readings follow', async () => {
    const api = await service();
    const signals: string[] = [];
    await api.subscribe('boards', (t) => void signals.push(t));
    expect(await api.listBoards('0')).toEqual([]);
    const boardId = await api.createBoard('0', 'Main');
    await tick();
    expect(signals).toEqual(['boards']);
    const cardId = await api.addBoardCard(boardId, { kind: 'bar', title: '', metric: 'acc', runs: { mode: 'filter', filter: '', limit: 5 } });
    await api.moveBoardCard(boardId, cardId, 3, 2);
    await tick();
    expect(signals).toEqual(['boards', 'boards']);
    const board = await api.getBoard(boardId);
    expect(board).toMatchObject({ name: 'Main', experimentId: '0', cards: [{ cardId, pos: { x: 3, y: 2 }, size: { w: 6, h: 4 } }] });
    expect(structuredClone(board)).toEqual(board);
    expect((await api.listBoards('0')).map((b) => b.name)).toEqual(['Main']);
    await expect(api.resizeBoardCard(boardId, cardId, 20, 1)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await api.deleteBoard(boardId);
    expect(await api.getBoard(boardId)).toBeNull();
    await expect(api.getBoard('not an id')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });
});

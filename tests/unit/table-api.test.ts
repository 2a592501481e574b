import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMetrics, ensureWorkspace, logBatch, memoryCtx, startRun } from '@/lib/doc';
import { VIEWS_TOPIC, type ListQuery } from '@/lib/search/table-window';
import { freshDbName, storeDocs, workerServices } from '../shared/worker-service';
import type { ServiceCore } from '@/workers/service-core';
import { tableApi } from '@/workers/table-api';
import { byStartDesc } from '@/workers/run-rows';
import { getRun } from '@/lib/doc';
import { rowFromRun } from '@/lib/run-index';
import { tableFromRows } from '@/lib/search';
import { SIGNAL_DEBOUNCE_MS } from '@/workers/topics';

const freshDb = () => freshDbName('table-api');
const openService = workerServices();
const tick = (ms = SIGNAL_DEBOUNCE_MS * 3) => new Promise((r) => setTimeout(r, ms));

/** `runs` runs r0.. in experiment 0, param opt a/b alternating, metric acc = i. */
async function service(runs: number) {
  const db = freshDb();
  const ctx = memoryCtx(new Y.Doc(), 'sdk');
  ensureWorkspace(ctx);
  const ids: string[] = [];
  for (let i = 0; i < runs; i++) {
    const run = startRun(ctx, { runName: `r${i}`, startTime: 1_700_000_000_000 + i });
    logBatch(ctx, { runId: run.runId, params: [{ key: 'opt', value: i % 2 ? 'b' : 'a' }] });
    appendMetrics(ctx, ctx.metricsDoc(run.runId), run.runId, [{ key: 'acc', value: i, step: 0, timestamp: 1 }]);
    ids.push(run.runId);
  }
  await storeDocs(db, ctx);
  const api = await openService(db);
  return { api, ids };
}

const Q: ListQuery = { filter: '', sort: null, columns: null, groupBy: null, pinned: [], hidden: [], showHidden: false, deleted: false, expanded: [], collapsedGroups: [] };
const names = (w: { items: { kind: string; run?: { info: { runName: string } }; value?: string | null }[] }) =>
  w.items.map((i) => (i.kind === 'run' ? i.run!.info.runName : `[${i.value}]`));

describe('runs table worker API (workers/table-api.ts)', () => {
  it('[TABLE-1] windows of the shown list by offset, with the total known; bad arguments refused', async () => {
    const { api } = await service(30);
    const first = await api.listRunsWindow('0', Q, { offset: 0, limit: 5 });
    expect(first).toMatchObject({ offset: 0, itemCount: 30, matching: 30, hidden: 0, other: 0, metricKeys: ['acc'] });
    expect(names(first)).toEqual(['r29', 'r28', 'r27', 'r26', 'r25']);
    expect(names(await api.listRunsWindow('0', Q, { offset: 27, limit: 10 }))).toEqual(['r2', 'r1', 'r0']);
    const sorted = await api.listRunsWindow('0', { ...Q, sort: { column: 'metric:acc', ascending: true }, filter: "params.opt = 'b'" }, { offset: 0, limit: 3 });
    expect(names(sorted)).toEqual(['r1', 'r3', 'r5']);
    expect(sorted.matching).toBe(15);
    const grouped = await api.listRunsWindow('0', { ...Q, groupBy: 'param:opt', collapsedGroups: ['v:a'] }, { offset: 0, limit: 3 });
    expect(names(grouped)).toEqual(['[a]', '[b]', 'r29']);
    expect(grouped.items[0]).toMatchObject({ kind: 'group', count: 15, aggregates: { 'metric:acc': { count: 15, min: 0, max: 28, mean: 14 } } });
    const bad = await api.listRunsWindow('0', { ...Q, filter: 'metrics.acc >> 1' }, { offset: 0, limit: 5 });
    expect(bad).toMatchObject({ itemCount: 0, items: [], error: { field: 'filter', position: expect.any(Number) } });
    await expect(api.listRunsWindow('0', { ...Q, pinned: 'x' } as never, { offset: 0, limit: 5 })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(api.listRunsWindow('0', Q, { offset: -1, limit: 5 })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(api.listRunsWindow('0', Q, { offset: 0, limit: 1e6 })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    const keys = await api.listTableKeys('0');
    expect(keys).toMatchObject({ params: ['opt'], metrics: ['acc'] });
    expect(keys.tags).toEqual([...keys.tags].sort());
  });

  it('[TABLE-10] the deleted view lists deleted runs; a restore puts them back; the CSV covers every matching run', async () => {
    const { api, ids } = await service(4);
    await api.deleteRun(ids[1]!);
    await tick();
    expect(names(await api.listRunsWindow('0', { ...Q, deleted: true }, { offset: 0, limit: 10 }))).toEqual(['r1']);
    expect((await api.listRunsWindow('0', Q, { offset: 0, limit: 10 })).other).toBe(1);
    await api.restoreRun(ids[1]!);
    await tick();
    expect((await api.listRunsWindow('0', { ...Q, deleted: true }, { offset: 0, limit: 10 })).itemCount).toBe(0);
    const csv = await api.exportRunsCsv('0', { ...Q, columns: ['metric:acc'] });
    expect(csv).toBe('Run Name,metric acc\r\nr3,3\r\nr2,2\r\nr1,1\r\nr0,0\r\n');
  });

  it('[TABLE-9] saved views: commands through the worker, listed per experiment, a topic signalled on change', async () => {
    const { api } = await service(1);
    const signals: string[] = [];
    expect(await api.listSavedViews('0')).toEqual([]);
    await api.subscribe(VIEWS_TOPIC, (t) => void signals.push(t));
    const id = await api.saveTableView('0', 'mine', 'q=x');
    await tick();
    expect(signals).toContain(VIEWS_TOPIC);
    expect(await api.listSavedViews('0')).toMatchObject([{ viewId: id, name: 'mine', query: 'q=x' }]);
    await api.renameTableView(id, 'ours');
    await api.deleteTableView(id);
    expect(await api.listSavedViews('0')).toEqual([]);
    await expect(api.saveTableView('0', '', 'q')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });

  it('[TABLE-13] the plain first window (no filter, no sort) needs no search table; it is built just after, and a filter then uses it', async () => {
    const ctx = memoryCtx(new Y.Doc(), 'sdk');
    ensureWorkspace(ctx);
    for (let i = 0; i < 20; i++) startRun(ctx, { runName: `r${i}`, startTime: 1_700_000_000_000 + i });
    const active = [...ctx.runDocs.keys()].map((id) => rowFromRun(getRun(ctx, id)!)).sort(byStartDesc);
    let built = 0;
    const host = { runs: { rows: async () => active }, ws: ctx.ws };
    const core = {
      ready: async () => host,
      rowsOf: async () => ({ version: 1, active, deleted: 0, metricKeys: [] }),
      searchTableOf: () => {
        built++;
        return tableFromRows(active);
      },
    } as unknown as ServiceCore;
    const api = tableApi(core);
    const first = await api.listRunsWindow('0', Q, { offset: 0, limit: 3 });
    expect(names(first)).toEqual(['r19', 'r18', 'r17']);
    expect(built).toBe(0);
    await tick(300);
    expect(built).toBeGreaterThan(0);
    const filtered = await api.listRunsWindow('0', { ...Q, filter: "attributes.run_name = 'r3'" }, { offset: 0, limit: 3 });
    expect(names(filtered)).toEqual(['r3']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/sdk';
import { Closer, startTestRelay, type TestRelay } from './helpers';

const WS = 'default';

describe('SDK searchRuns', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.dispose();
  });

  it('[SDK-14] MLflow search_runs semantics over the runs the client holds: filter, order, pages, views, errors', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      const exp = await a.createExperiment('sweep');
      const other = await a.createExperiment('other');
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const run = await a.startRun({ experimentId: exp, runName: `r${i}`, startTime: 1_700_000_000_000 + i });
        run.logParams({ lr: [0.1, 0.01, 0.001][i % 3], optimizer: i % 2 ? 'adam' : 'sgd' });
        run.logMetric('acc', i / 10, { step: 1 });
        if (i !== 5) run.logMetric('loss', 1 / (i + 1), { step: 1 });
        await run.end(i === 4 ? 'FAILED' : 'FINISHED');
        ids.push(run.id);
      }
      const elsewhere = await a.startRun({ experimentId: other, runName: 'x' });
      elsewhere.logMetric('acc', 0.99);
      await elsewhere.end();
      await a.deleteRun(ids[0]!);
      // A second client sees the same results once synced (it holds the same runs).
      const b = await t.client({ relay: relay.url, workspace: WS });
      for (const c of [a, b]) {
        const hit = await c.searchRuns({ experimentIds: [exp], filter: "metrics.acc > 0.25 and params.optimizer = 'adam'", orderBy: ['metrics.acc DESC'] });
        expect(hit.runs.map((r) => r.info.runName)).toEqual(['r5', 'r3']);
        expect(hit.stale).toBe(false);
      }
      // Cairn's extensions: OR and numeric params.
      const ext = await a.searchRuns({ experimentIds: [exp], filter: 'params.lr < 0.05 OR attributes.status = "FAILED"' });
      expect(ext.runs.map((r) => r.info.runName).sort()).toEqual(['r1', 'r2', 'r4', 'r5']);
      // Missing keys never match; deleted runs only with their view; no experiment given = all of them.
      expect((await a.searchRuns({ experimentIds: [exp], filter: 'metrics.loss >= 0' })).runs).toHaveLength(4);
      expect((await a.searchRuns({ experimentIds: [exp], viewType: 'DELETED_ONLY' })).runs.map((r) => r.info.runId)).toEqual([ids[0]]);
      expect((await a.searchRuns({ filter: 'metrics.acc > 0.9' })).runs.map((r) => r.info.runName)).toEqual(['x']);
      // Pages in MLflow's default order (start_time DESC).
      const first = await a.searchRuns({ experimentIds: [exp], maxResults: 2 });
      expect(first.runs.map((r) => r.info.runName)).toEqual(['r5', 'r4']);
      const second = await a.searchRuns({ experimentIds: [exp], maxResults: 2, pageToken: first.nextPageToken! });
      expect(second.runs.map((r) => r.info.runName)).toEqual(['r3', 'r2']);
      const last = await a.searchRuns({ experimentIds: [exp], maxResults: 2, pageToken: second.nextPageToken! });
      expect(last.runs.map((r) => r.info.runName)).toEqual(['r1']);
      expect(last.nextPageToken).toBeNull();
      // Errors are CairnErrors with a position a filter box can point at.
      const err = await a.searchRuns({ experimentIds: [exp], filter: 'metrics.acc >> 1' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CairnError);
      expect((err as CairnError).code).toBe('INVALID_PARAMETER_VALUE');
      expect(typeof (err as CairnError).details?.position).toBe('number');
      await expect(a.searchRuns({ maxResults: 50_001 })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
      await expect(a.searchRuns({ pageToken: 'garbage' })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
      // What a plain-JS script might pass: refused as a value error, never a TypeError.
      for (const bad of [{ filter: 7 }, { orderBy: 'metrics.acc' }, { viewType: 'SOME' }, { experimentIds: [1] }, { limit: 3 }]) {
        await expect(a.searchRuns(bad as never)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
      }
    } finally {
      await t.closeAll();
    }
  });
});

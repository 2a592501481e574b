import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { freshDbName, workerServices } from '../shared/worker-service';

const openService = workerServices();
const code = async (p: Promise<unknown>) => p.then(() => 'NO_ERROR', (e: { code?: string }) => e.code);

describe('logging worker API (workers/logging-api.ts)', () => {
  it('[WRK-11] params, metric points and the end of a run are stored and read back; refused input writes nothing', async () => {
    const db = freshDbName('logging');
    const api = await openService(db);
    const runId = await api.startRun('0', 'logged-from-the-app');
    await api.logRunParams(runId, { model: 'mlp', epochs: '3' });
    await api.logRunParams(runId, { model: 'mlp' }); // the same value again: a no-op
    expect(await code(api.logRunParams(runId, { model: 'svm' }))).toBe('INVALID_PARAMETER_VALUE');
    for (let step = 1; step <= 3; step++) {
      await api.logRunMetrics(runId, [
        { key: 'train_loss', value: 1 / step, step },
        { key: 'val_accuracy', value: 0.5 + step / 10, step, timestamp: 1_700_000_000_000 + step },
      ]);
    }
    expect(await code(api.logRunMetrics(runId, [{ key: 'train_loss', value: 'high' as never, step: 4 }]))).toBe('INVALID_PARAMETER_VALUE');
    expect(await code(api.logRunMetrics('not a run', [{ key: 'x', value: 1, step: 0 }]))).toBe('INVALID_PARAMETER_VALUE');
    expect(await code(api.endRun(runId, 'RUNNING' as never))).toBe('INVALID_PARAMETER_VALUE');
    expect((await api.getRun(runId))!.info.status).toBe('RUNNING');
    await api.endRun(runId);

    const run = (await api.getRun(runId))!;
    expect(run.params).toEqual({ model: 'mlp', epochs: '3' });
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.endTime).toBeGreaterThan(0);
    expect(run.metrics.train_loss).toMatchObject({ latest: 1 / 3, latestStep: 3, count: 3, min: 1 / 3, max: 1 });
    expect(run.metrics.val_accuracy).toMatchObject({ latest: 0.5 + 3 / 10, latestStep: 3, latestTimestamp: 1_700_000_000_003 });
    const series = Object.fromEntries((await api.getRunMetrics(runId)).map((s) => [s.key, s]));
    expect([...series.train_loss!.steps]).toEqual([1, 2, 3]);
    expect([...series.val_accuracy!.values]).toEqual([1, 2, 3].map((step) => 0.5 + step / 10));

    // Stored: a new service on the same database sees all of it (WRK-6).
    await api.dispose();
    const again = await openService(db);
    const reread = (await again.getRun(runId))!;
    expect(reread.params).toEqual({ model: 'mlp', epochs: '3' });
    expect(reread.info.status).toBe('FINISHED');
    expect((await again.getRunMetrics(runId)).map((s) => s.key).sort()).toEqual(['train_loss', 'val_accuracy']);
  });
});

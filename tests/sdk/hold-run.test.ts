import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as doc from '@/lib/doc';
import { Closer, expectCairnError, startTestRelay, type TestRelay } from './helpers';

const WS = 'default';
const RUN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('SDK holdRun (importers)', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.dispose();
  });

  it('[SDK-22] a run written with an explicit id, times, status and lifecycle reaches another client; a second hold sees it and its point counts', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      const held = await a.holdRun(RUN);
      expect(held.existing).toBeNull();
      await expectCairnError(() => a.holdRun(RUN), 'INVALID_STATE');
      a.withRun(RUN, () => {
        doc.startRun(a.ctx, { runId: RUN, experimentId: '0', runName: 'imported', startTime: 1_000, userId: 'ana' });
        doc.updateRun(a.ctx, { runId: RUN, status: 'FAILED', endTime: 2_000 });
      });
      a.logPoints(RUN, ['loss', 'loss', 'acc'], [0.5, NaN, 1], [0, 1, 0], [10, 11, 12]);
      await held.release();
      await a.deleteRun(RUN);
      await a.flush();

      // Another data dir: everything comes from the relay.
      const b = await t.client({ relay: relay.url, workspace: WS });
      const again = await b.holdRun(RUN);
      expect(again.existing?.info).toMatchObject({ runId: RUN, runName: 'imported', startTime: 1_000, endTime: 2_000, status: 'FAILED', lifecycleStage: 'deleted', userId: 'ana' });
      expect(again.pointCount('loss')).toBe(2);
      expect(again.pointCount('acc')).toBe(1);
      expect(again.pointCount('none')).toBe(0);
      await again.release();
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-22] an unreachable relay is TEMPORARILY_UNAVAILABLE and holds nothing', async () => {
    const t = new Closer();
    try {
      const gone = await startTestRelay();
      const url = gone.url;
      await gone.dispose();
      const c = await t.client({ relay: url, workspace: WS });
      await expectCairnError(() => c.holdRun(RUN, { timeoutMs: 300 }), 'TEMPORARILY_UNAVAILABLE');
      // Nothing stays held: a second attempt is refused the same way, not as INVALID_STATE.
      await expectCairnError(() => c.holdRun(RUN, { timeoutMs: 300 }), 'TEMPORARILY_UNAVAILABLE');
    } finally {
      await t.closeAll();
    }
  });
});

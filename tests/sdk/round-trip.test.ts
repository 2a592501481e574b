import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError, type HistoryPoint } from '@/lib/sdk';
import { Closer, expectCairnError, relayHistory, startTestRelay, type TestRelay } from './helpers';

const WS = 'default';

describe('SDK round trip against a real relay (in-process, SQLite)', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.dispose();
  });

  it('[SDK-1] experiments, runs, params, tags and metrics reach a second client; history in step order with NaN/±Infinity', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      expect(a.status).toBe('synced');
      const expId = await a.createExperiment('round-trip', { tags: { team: 'vision' } });
      expect(typeof expId).toBe('string');
      const exp = await a.getExperimentByName('round-trip');
      expect(exp?.experimentId).toBe(expId);
      expect(exp?.tags).toEqual({ team: 'vision' });

      const run = await a.startRun({ experimentName: 'round-trip', runName: 'first' });
      expect(run.id).toMatch(/^[0-9a-f]{32}$/);
      expect(run.info.experimentId).toBe(expId);
      expect(run.info.status).toBe('RUNNING');

      run.logParam('lr', 0.01);
      run.logParams({ batch: 32, optimizer: 'adam', layers: [64, 32] });
      run.setTag('stage', 'dev');
      run.setTags({ owner: 'ana', note: { a: 1 } });
      // Out of order on purpose: history must come back sorted by step.
      run.logMetric('loss', 0.5, { step: 2, timestamp: 1_000_002 });
      run.logMetric('loss', 0.9, { step: 0, timestamp: 1_000_000 });
      run.logMetric('loss', NaN, { step: 1, timestamp: 1_000_001 });
      run.logMetric('loss', Infinity, { step: 3, timestamp: 1_000_003 });
      run.logMetric('loss', -Infinity, { step: 4, timestamp: 1_000_004 });
      run.logMetrics({ acc: 0.1, f1: 0.2 }, { step: 0, timestamp: 2_000_000 });
      run.logMetrics({ acc: 0.3, f1: 0.4 }, { step: 1, timestamp: 2_000_001 });
      await run.flush();

      const b = await t.client({ relay: relay.url, workspace: WS });
      const seen = await b.getRun(run.id);
      expect(seen).not.toBeNull();
      expect(seen!.info.runName).toBe('first');
      expect(seen!.info.experimentId).toBe(expId);
      expect(seen!.params).toEqual({ lr: '0.01', batch: '32', optimizer: 'adam', layers: '[64,32]' });
      expect(seen!.tags).toMatchObject({ stage: 'dev', owner: 'ana', note: '{"a":1}', 'mlflow.runName': 'first' });
      expect(seen!.metrics.loss?.count).toBe(5);
      expect(seen!.metrics.acc?.latest).toBe(0.3);
      expect((await b.getExperimentByName('round-trip'))?.experimentId).toBe(expId);
      expect((await b.listRuns(expId)).map((r) => r.info.runId)).toEqual([run.id]);

      const loss = await b.getMetricHistory(run.id, 'loss');
      const expected: HistoryPoint[] = [
        { step: 0, timestamp: 1_000_000, value: 0.9 },
        { step: 1, timestamp: 1_000_001, value: NaN },
        { step: 2, timestamp: 1_000_002, value: 0.5 },
        { step: 3, timestamp: 1_000_003, value: Infinity },
        { step: 4, timestamp: 1_000_004, value: -Infinity },
      ];
      expect(loss).toEqual(expected);
      expect(Object.is(loss[1]!.value, NaN)).toBe(true);
      expect(await b.getMetricHistory(run.id, 'acc')).toEqual([
        { step: 0, timestamp: 2_000_000, value: 0.1 },
        { step: 1, timestamp: 2_000_001, value: 0.3 },
      ]);
      expect(await b.getMetricHistory(run.id, 'never-logged')).toEqual([]);
      // The relay itself has the points (not just b's merged view).
      expect(await relayHistory(relay.url, WS, run.id, 'loss')).toEqual(expected);

      await run.end();
      expect((await a.getRun(run.id))!.info.status).toBe('FINISHED');
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-1] getMetricHistory of an unknown run is RESOURCE_DOES_NOT_EXIST', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      await expectCairnError(() => a.getMetricHistory('0123456789abcdef0123456789abcdef', 'loss'), 'RESOURCE_DOES_NOT_EXIST');
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-2] params are write-once: the same value is a no-op, another value is INVALID_PARAMETER_VALUE and changes nothing', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      const run = await a.startRun({ experimentName: 'params' });
      run.logParam('lr', '0.1');
      run.logParams({ epochs: 10 });
      const before = JSON.stringify(await a.getRun(run.id));
      let updates = 0;
      const onUpdate = () => updates++;
      const runDoc = a.openDoc(`run/${run.id}`)!;
      expect(runDoc).toBeDefined();
      runDoc.on('update', onUpdate);
      a.ws.on('update', onUpdate);
      run.logParam('lr', '0.1');
      run.logParam('lr', 0.1); // stringified to the same value
      run.logParams({ epochs: 10, lr: '0.1' });
      expect(updates).toBe(0);

      const e = await expectCairnError(() => run.logParam('lr', '0.2'), 'INVALID_PARAMETER_VALUE');
      expect(e.message).toContain("key='lr'");
      expect(e.message).toContain('0.2');
      // A batch with one changed value is refused whole: the fresh key in it is not written either.
      await expectCairnError(() => run.logParams({ fresh: 'x', epochs: 11 }), 'INVALID_PARAMETER_VALUE');
      expect(updates).toBe(0);
      runDoc.off('update', onUpdate);
      a.ws.off('update', onUpdate);
      expect(JSON.stringify(await a.getRun(run.id))).toBe(before);

      await run.flush();
      const b = await t.client({ relay: relay.url, workspace: WS });
      const seen = await b.getRun(run.id);
      expect(seen!.params).toEqual({ lr: '0.1', epochs: '10' });
      expect(seen!.conflicts).toEqual([]);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-9] invalid metric key, step, value and over-long param are INVALID_PARAMETER_VALUE with a clear message; nothing is written', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      const run = await a.startRun({ experimentName: 'validation' });
      run.logMetric('ok', 1, { step: 0 });
      run.logParam('kept', 'v');
      await run.flush();
      const before = JSON.stringify(await a.getRun(run.id));

      const badKey = await expectCairnError(() => run.logMetric('../x', 1), 'INVALID_PARAMETER_VALUE');
      expect(badKey.message).toMatch(/key/i);
      expect(badKey.message).toMatch(/normalized relative path/);
      const badStep = await expectCairnError(() => run.logMetric('ok', 1, { step: 1.5 }), 'INVALID_PARAMETER_VALUE');
      expect(badStep.message).toMatch(/step/);
      expect(badStep.message).toContain('1.5');
      const badValue = await expectCairnError(() => run.logMetric('ok', '0.5' as unknown as number, { step: 1 }), 'INVALID_PARAMETER_VALUE');
      expect(badValue.message).toMatch(/value/);
      expect(badValue.message).toContain("'ok'");
      const badTs = await expectCairnError(() => run.logMetric('ok', 1, { step: 1, timestamp: -5 }), 'INVALID_PARAMETER_VALUE');
      expect(badTs.message).toMatch(/timestamp/);
      const longParam = await expectCairnError(() => run.logParam('long', 'x'.repeat(6001)), 'INVALID_PARAMETER_VALUE');
      expect(longParam.message).toMatch(/6000/);
      // exactly at the limit is fine
      run.logParam('edge', 'y'.repeat(6000));

      // One bad point or param in a batch refuses the whole call.
      await expectCairnError(() => run.logMetrics({ good: 1, 'bad//key': 2 }, { step: 5 }), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(() => run.logMetrics({ good: 1, other: 'nope' as unknown as number }, { step: 5 }), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(() => run.logParams({ p1: 'a', p2: 'z'.repeat(6001) }), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(() => run.setTags({ t1: 'a', '/abs': 'b' }), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(() => run.logArtifact('../escape.txt', new Uint8Array([1])), 'INVALID_PARAMETER_VALUE');
      await run.flush();

      const after = await a.getRun(run.id);
      const beforeRun = JSON.parse(before) as { params: Record<string, string>; tags: Record<string, string> };
      expect(after!.params).toEqual({ ...beforeRun.params, edge: 'y'.repeat(6000) });
      expect(after!.tags).toEqual(beforeRun.tags);
      expect(Object.keys(after!.metrics)).toEqual(['ok']);
      expect(after!.artifacts).toEqual([]);
      expect(await a.getMetricHistory(run.id, 'ok')).toHaveLength(1);
      expect(await a.getMetricHistory(run.id, 'good')).toEqual([]);
      expect(await relayHistory(relay.url, WS, run.id, 'good')).toEqual([]);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-9] logParams/setTags with more than 100 entries are still validated whole (one bad entry writes nothing)', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: null });
      const run = await a.startRun();
      const params: Record<string, string> = {};
      for (let i = 0; i < 150; i++) params[`p${i}`] = String(i);
      params.p120 = 'x'.repeat(6001);
      await expectCairnError(() => run.logParams(params), 'INVALID_PARAMETER_VALUE');
      expect((await a.getRun(run.id))!.params).toEqual({});
      const tags: Record<string, string> = {};
      for (let i = 0; i < 150; i++) tags[`t${i}`] = String(i);
      tags['../bad'] = 'x';
      await expectCairnError(() => run.setTags(tags), 'INVALID_PARAMETER_VALUE');
      expect(Object.keys((await a.getRun(run.id))!.tags).filter((k) => k.startsWith('t'))).toEqual([]);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-9] errors are CairnError instances with a stable code', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: null });
      const run = await a.startRun();
      try {
        run.logMetric('', 1);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(CairnError);
        expect((e as CairnError).toWire().code).toBe('INVALID_PARAMETER_VALUE');
      }
    } finally {
      await t.closeAll();
    }
  });
});

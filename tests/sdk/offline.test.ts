import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Closer, expectCairnError, freePort, relayHistory, relayRun, startTestRelay, waitFor } from './helpers';

const WS = 'offline';

describe('SDK without a relay, and when the relay comes back', () => {
  it('[SDK-3] logging works with the relay down; flush({timeoutMs}) is DEADLINE_EXCEEDED; data reaches the relay on its own once it is up', async () => {
    const t = new Closer();
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const a = await t.client({ relay: url, workspace: WS });
      expect(a.status).not.toBe('synced');
      const run = await a.startRun({ experimentName: 'offline-exp' });
      run.logParam('lr', 0.1);
      run.setTag('phase', 'offline');
      for (let s = 0; s < 500; s++) run.logMetrics({ loss: 1 / (s + 1), acc: s / 500 }, { step: s });
      const t0 = Date.now();
      await expectCairnError(() => run.flush({ timeoutMs: 300 }), 'DEADLINE_EXCEEDED');
      expect(Date.now() - t0).toBeLessThan(5_000);
      // Local reads keep working offline.
      expect((await a.getRun(run.id))!.params).toEqual({ lr: '0.1' });
      expect(await a.getMetricHistory(run.id, 'loss')).toHaveLength(500);

      const relay = t.add(await startTestRelay({ port }), (r) => r.dispose());
      // No call on the client: its reconnect loop delivers the metrics doc and the run doc by itself.
      const points = await waitFor(async () => {
        const h = await relayHistory(relay.url, WS, run.id, 'loss');
        return h && h.length === 500 ? h : null;
      }, 'the offline points to reach the relay', 20_000);
      expect(points[0]).toMatchObject({ step: 0, value: 1 });
      await waitFor(async () => (await relayRun(relay.url, WS, run.id))?.params.lr === '0.1', 'the offline run to reach the relay (its run doc)');

      await run.flush({ timeoutMs: 10_000 });
      const b = await t.client({ relay: relay.url, workspace: WS });
      const seen = await b.getRun(run.id);
      expect(seen!.params).toEqual({ lr: '0.1' });
      expect(seen!.tags.phase).toBe('offline');
      expect((await b.getExperimentByName('offline-exp'))?.experimentId).toBe(seen!.info.experimentId);
      expect(await b.getMetricHistory(run.id, 'acc')).toHaveLength(500);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-3] a client restarted while still offline keeps what the first one logged and delivers it later', async () => {
    const t = new Closer();
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const dataDir = t.dir();
      const { connect } = await import('@/lib/sdk');
      const a = t.track(await connect({ relay: url, workspace: WS, dataDir }));
      const run = await a.startRun({ experimentName: 'offline-restart' });
      for (let s = 0; s < 100; s++) run.logMetric('m', s, { step: s });
      await a.close({ timeoutMs: 100 });

      const a2 = t.track(await connect({ relay: url, workspace: WS, dataDir }));
      expect(await a2.getMetricHistory(run.id, 'm')).toHaveLength(100);
      const relay = t.add(await startTestRelay({ port }), (r) => r.dispose());
      await a2.flush({ timeoutMs: 15_000 });
      expect(await relayHistory(relay.url, WS, run.id, 'm')).toHaveLength(100);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-8] logArtifact returns a sha256/size ref; the bytes are served at GET /blobs/<sha256>', async () => {
    const t = new Closer();
    try {
      const relay = t.add(await startTestRelay(), (r) => r.dispose());
      const a = await t.client({ relay: relay.url, workspace: WS });
      const run = await a.startRun({ experimentName: 'artifacts' });
      const bytes = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
      const ref = await run.logArtifact('model/weights.bin', bytes);
      const sha = createHash('sha256').update(bytes).digest('hex');
      expect(ref).toMatchObject({ path: 'model/weights.bin', size: bytes.length, sha256: sha, mediaType: 'application/octet-stream' });
      const json = await run.logArtifact('metrics.json', new TextEncoder().encode('{"a":1}'));
      expect(json.mediaType).toBe('application/json');
      await run.flush();

      const res = await fetch(`${relay.url}/blobs/${sha}`);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
      const b = await t.client({ relay: relay.url, workspace: WS });
      const seen = await b.getRun(run.id);
      expect(seen!.artifacts.map((x) => [x.path, x.sha256, x.size]).sort()).toEqual(
        [
          ['metrics.json', json.sha256, 7],
          ['model/weights.bin', sha, bytes.length],
        ].sort(),
      );
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-8] an artifact logged while the relay is down is uploaded after it comes back, and flush resolves', async () => {
    const t = new Closer();
    try {
      const port = await freePort();
      const a = await t.client({ relay: `http://127.0.0.1:${port}`, workspace: WS });
      const run = await a.startRun({ experimentName: 'artifacts-offline' });
      const bytes = new TextEncoder().encode('offline artifact '.repeat(1000));
      const ref = await run.logArtifact('notes/offline.txt', bytes);
      expect(ref.size).toBe(bytes.length);
      await expectCairnError(() => run.flush({ timeoutMs: 300 }), 'DEADLINE_EXCEEDED');

      const relay = t.add(await startTestRelay({ port }), (r) => r.dispose());
      await run.flush({ timeoutMs: 15_000 });
      const res = await fetch(`${relay.url}/blobs/${ref.sha256}`);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
      const b = await t.client({ relay: relay.url, workspace: WS });
      expect((await b.getRun(run.id))!.artifacts.map((x) => x.sha256)).toEqual([ref.sha256]);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-8] an artifact logged while the relay is down is uploaded once it is back, without any call (like metrics)', async () => {
    const t = new Closer();
    try {
      const port = await freePort();
      const a = await t.client({ relay: `http://127.0.0.1:${port}`, workspace: WS });
      const run = await a.startRun({ experimentName: 'artifacts-offline-auto' });
      const bytes = new TextEncoder().encode('uploaded without a flush '.repeat(100));
      const ref = await run.logArtifact('auto.txt', bytes);
      const relay = t.add(await startTestRelay({ port }), (r) => r.dispose());
      // The artifact reference reaches the relay by itself; its bytes must follow, or other clients see a dangling ref.
      await waitFor(async () => !!(await relayRun(relay.url, WS, run.id))?.artifacts.length, 'the run to reach the relay');
      await waitFor(async () => (await fetch(`${relay.url}/blobs/${ref.sha256}`, { method: 'HEAD' })).status === 200, 'the blob to be uploaded without a call', 15_000);
    } finally {
      await t.closeAll();
    }
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@/lib/sdk';
import {
  Closer,
  buildCli,
  buildRelayModule,
  ensureSdkBuilt,
  expectSteps,
  relayHistory,
  runFixture,
  runFixtureToEnd,
  spawnRelay,
  tempDir,
  type NodeChild,
  type RelayProcess,
} from './helpers';

/**
 * Crash safety with real processes: SDK clients are `node` children importing `cairn/sdk`, relays are `cairn relay`
 * children (SIGKILL = no shutdown code runs), the relay's SQLite lives in a temp dir.
 */
describe('SDK crash safety (child processes, SIGKILL)', () => {
  let cli: string;
  beforeAll(async () => {
    [cli] = await Promise.all([buildCli(), ensureSdkBuilt()]);
  });

  const relays: RelayProcess[] = [];
  const children: NodeChild[] = [];
  afterAll(async () => {
    for (const c of children) await c.kill();
    for (const r of relays) await r.kill();
  });
  const relay = async (data: string, port = 0) => {
    const r = await spawnRelay(cli, ['--open', '--port', String(port), '--data', data]);
    relays.push(r);
    return r;
  };
  const child = (fixture: string, args: string[]) => {
    const c = runFixture(fixture, args);
    children.push(c);
    return c;
  };

  /** A relay on a fresh data dir and a log-n.mjs child that logged `n` points of metric `m` and was SIGKILLed. */
  const killedLogger = async (t: Closer, n: number, mode: 'tight' | 'mixed') => {
    const data = tempDir('cairn-relay-');
    t.add(data, (d) => d.remove());
    const r = await relay(data.path);
    const sdkDir = t.dir();
    const logger = child('log-n.mjs', [r.url, sdkDir, String(n), mode]);
    const [, runId] = await logger.line(/logged ([0-9a-f]{32})/, '"logged"');
    await logger.kill('SIGKILL');
    expect((await logger.exited).signal).toBe('SIGKILL');
    return { r, sdkDir, runId: runId! };
  };

  for (const mode of ['tight', 'mixed'] as const) {
    it(`[SDK-4] a client SIGKILLed right after logMetric returns loses nothing; its restart delivers exactly N points (${mode})`, async () => {
      const N = 20_000;
      const t = new Closer();
      try {
        const { r, sdkDir, runId } = await killedLogger(t, N, mode);

        await runFixtureToEnd('flush-all.mjs', [r.url, sdkDir, 'crash']);
        const history = await relayHistory(r.url, 'crash', runId, 'm');
        expectSteps(history!, N);
        expect(history![N - 1]).toEqual({ step: N - 1, timestamp: 1_700_000_000_000 + N - 1, value: (N - 1) * 0.5 });

        const fresh = await t.client({ relay: r.url, workspace: 'crash' });
        expectSteps(await fresh.getMetricHistory(runId, 'm'), N);
        expect((await fresh.getRun(runId))!.metrics.m?.count).toBe(N);
        // A second restart has nothing left to send: still exactly N.
        await runFixtureToEnd('flush-all.mjs', [r.url, sdkDir, 'crash']);
        expectSteps((await relayHistory(r.url, 'crash', runId, 'm'))!, N);
      } finally {
        await t.closeAll();
      }
    });
  }

  it('[SDK-26] a client SIGKILLed inside a chunk flush, at its journal append: the restart delivers every point exactly once', async () => {
    const N = 5_000;
    const t = new Closer();
    try {
      const data = tempDir('cairn-relay-');
      t.add(data, (d) => d.remove());
      const r = await relay(data.path);
      const sdkDir = t.dir();
      const c = child('kill-in-flush.mjs', [r.url, sdkDir, String(N)]);
      const [, runId] = await c.line(/killing ([0-9a-f]{32})/, '"killing"');
      expect((await c.exited).signal).toBe('SIGKILL');
      expect(c.stdout()).not.toMatch(/not killed/);

      // The flush's chunks never reached the journal, so they must not have reached the relay either.
      expectSteps((await relayHistory(r.url, 'crash', runId!, 'm'))!, 1);
      await runFixtureToEnd('flush-all.mjs', [r.url, sdkDir, 'crash']);
      const history = await relayHistory(r.url, 'crash', runId!, 'm');
      expectSteps(history!, N + 1);
      expect(history![N]).toEqual({ step: N, timestamp: 1_700_000_000_000 + N, value: N * 0.5 });
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-4] a relay SIGKILLed in the middle of a 100k-point stream: after restart and the final flush it has exactly 100k', async () => {
    const TOTAL = 100_000;
    const t = new Closer();
    const data = tempDir('cairn-relay-');
    t.add(data, (d) => d.remove());
    try {
      const first = await relay(data.path);
      const streamer = child('stream.mjs', [first.url, t.dir(), String(TOTAL), '1000', '40000', '70000']);
      const [, runId] = await streamer.line(/run ([0-9a-f]{32})/, 'the run id');
      await streamer.line(/paused 40000/, 'the stream to reach 40k');
      // 40k points were flushed (acknowledged); kill the relay without warning and let the client log on.
      await first.kill();
      streamer.proc.stdin!.write('go\n');
      await streamer.line(/paused 70000/, 'the stream to reach 70k with the relay down');
      const second = await relay(data.path, first.port);
      streamer.proc.stdin!.write('go\n');
      const [, , timedOut] = await streamer.line(/done ([0-9a-f]{32}) (\d+)/, 'the final flush', 60_000);
      // The flushes between 40k and 70k could not reach the relay.
      expect(Number(timedOut)).toBeGreaterThanOrEqual(30);
      expect((await streamer.exited).code).toBe(0);

      expectSteps((await relayHistory(second.url, 'stream', runId!, 'm'))!, TOTAL);
      const fresh = await t.client({ relay: second.url, workspace: 'stream' });
      const h = await fresh.getMetricHistory(runId!, 'm');
      expectSteps(h, TOTAL);
      expect(h.every((p) => p.value === p.step)).toBe(true);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-22] a run held right after a restart counts the points its journal still held unchunked: an importer resuming from that journal appends none twice', async () => {
    const N = 20_000;
    const t = new Closer();
    try {
      // tight: all N points are still pending (not yet a chunk) when the process dies.
      const { r, sdkDir, runId } = await killedLogger(t, N, 'tight');

      const resumed = t.track(await connect({ relay: r.url, workspace: 'crash', dataDir: sdkDir }));
      const held = await resumed.holdRun(runId);
      const have = held.pointCount('m');
      expect(have).toBe(N);
      // What an importer does with the count: append the source's points past it (here none).
      const rest = Array.from({ length: N - have }, (_, i) => have + i);
      if (rest.length) resumed.logPoints(runId, rest.map(() => 'm'), rest.map((s) => s * 0.5), rest, rest.map((s) => 1_700_000_000_000 + s));
      await held.release();
      expectSteps((await relayHistory(r.url, 'crash', runId, 'm'))!, N);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-5] after `await run.flush()` the relay is SIGKILLed; restarted on the same data it has everything', async () => {
    const t = new Closer();
    const data = tempDir('cairn-relay-');
    t.add(data, (d) => d.remove());
    try {
      const first = await relay(data.path);
      const logger = child('log-flush.mjs', [first.url, t.dir()]);
      const [, json] = await logger.line(/flushed (\{.*\})/, '"flushed"');
      const { runId, sha256 } = JSON.parse(json!) as { runId: string; sha256: string };
      // Nothing runs after the promise resolved: relay and client die at once.
      await Promise.all([first.kill(), logger.kill('SIGKILL')]);

      const second = await relay(data.path);
      const fresh = await t.client({ relay: second.url, workspace: 'flushed' });
      const run = await fresh.getRun(runId);
      expect(run).not.toBeNull();
      expect(run!.info.runName).toBe('promised');
      expect(run!.params).toEqual({ lr: '0.01', epochs: '3' });
      expect(run!.tags.phase).toBe('flushed');
      expect(run!.metrics.loss?.count).toBe(5_000);
      expect(run!.artifacts.map((a) => a.sha256)).toEqual([sha256]);
      expectSteps(await fresh.getMetricHistory(runId, 'loss'), 5_000);
      expectSteps(await fresh.getMetricHistory(runId, 'acc'), 5_000);
      const blob = await fetch(`${second.url}/blobs/${sha256}`);
      expect(blob.status).toBe(200);
      expect(createHash('sha256').update(new Uint8Array(await blob.arrayBuffer())).digest('hex')).toBe(sha256);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-5] flush() while the relay is closing the socket settles (DEADLINE_EXCEEDED or resolved) instead of blocking the process', async () => {
    const relayModule = await buildRelayModule();
    const t = new Closer();
    try {
      const c = child('flush-after-relay-close.mjs', [relayModule, t.dir('cairn-relay-'), t.dir()]);
      const deadline = setTimeout(() => c.proc.kill('SIGKILL'), 15_000);
      const { code, signal } = await c.exited;
      clearTimeout(deadline);
      expect(signal, `the child hung (event loop blocked) and was killed; stdout:\n${c.stdout()}\nstderr:\n${c.stderr()}`).toBeNull();
      expect(code).toBe(0);
      expect(c.stdout()).toMatch(/flush (DEADLINE_EXCEEDED|resolved) after \d+ ms/);
    } finally {
      await t.closeAll();
    }
  });
});

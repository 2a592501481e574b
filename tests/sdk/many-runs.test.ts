import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricHistory } from '@/lib/doc';
import type { ActiveRun } from '@/lib/sdk';
import { Closer, fetchMetricsDoc, relayRun, startTestRelay, waitFor, type TestRelay } from './helpers';
import { SocketLab } from './socket-faults';

const WS = 'default';
/** The scale: ~2,000 runs in one process, 200 end() calls in flight. */
const RUNS = 2_000;
const IN_FLIGHT = 200;
/** One-way latency on the client's sockets: on loopback every socket's acks arrive in one read, so a burst of end()
 * calls all finish together and never interleave; across a network they finish one by one, as in the issue. */
const LAG_MS = 5;

/** Settles every promise and names the ones that rejected (a bare Promise.all would hide all but the first). */
async function endAll(runs: ActiveRun[]): Promise<string[]> {
  const results = await Promise.allSettled(runs.map((r) => r.end()));
  return results.flatMap((r, i) => (r.status === 'rejected' ? [`${runs[i]!.id}: ${String(r.reason)}`] : []));
}

/** Runs `f` over `items` with `n` in flight, starting the next as soon as one finishes. */
async function pool<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

describe('SDK with thousands of runs in one process', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.dispose();
  });

  it(`[SDK-12] ${RUNS} runs ended ${IN_FLIGHT} at a time (batches, a sliding window) and all at once: every end() resolves, every run is FINISHED on the relay, no process listener per run`, async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const lab = new SocketLab();
    lab.lagMs = LAG_MS;
    const t = new Closer();
    try {
      const exitListeners = process.listenerCount('exit');
      const client = await t.client({ relay: relay.url, workspace: WS, WebSocket: lab.WebSocket });
      const runs: ActiveRun[] = [];
      for (let i = 0; i < RUNS; i++) {
        const run = await client.startRun({ experimentName: 'many', runName: `r${i}` });
        run.logParam('i', i);
        run.logMetric('loss', 1 / (i + 1), { step: 0, timestamp: 1_000 + i });
        run.logMetric('loss', 1 / (i + 2), { step: 1, timestamp: 2_000 + i });
        runs.push(run);
      }
      // At most one process-wide hook, however many connections are live.
      expect(process.listenerCount('exit')).toBeLessThanOrEqual(exitListeners + 1);
      // One deadline over every live socket (the old client hung a listener per socket on one AbortSignal).
      await client.flush({ timeoutMs: 30_000 });
      // The workspace room, and per run its run doc and (it has points) its metrics doc: live while it is logged to.
      expect(lab.opened.length).toBe(1 + 2 * RUNS);

      const third = Math.floor(RUNS / 3);
      const failures: string[] = [];
      for (let i = 0; i < third; i += IN_FLIGHT) failures.push(...(await endAll(runs.slice(i, Math.min(i + IN_FLIGHT, third)))));
      await pool(runs.slice(third, 2 * third), IN_FLIGHT, async (r) => {
        failures.push(...(await endAll([r])));
      });
      failures.push(...(await endAll(runs.slice(2 * third))));
      expect(failures.slice(0, 5)).toEqual([]);
      expect(failures.length).toBe(0);
      // Every run connection was released, and with it whatever it had registered on `process`.
      await waitFor(() => lab.closed === 2 * RUNS, `${2 * RUNS} run sockets closed (${lab.closed} so far)`);
      expect(process.listenerCount('exit')).toBeLessThanOrEqual(exitListeners + 1);

      const notFinished: string[] = [];
      await pool(runs.map((r, i) => [r.id, i] as const), 16, async ([id, i]) => {
        const seen = await relayRun(relay.url, WS, id);
        if (seen?.info.status !== 'FINISHED' || seen.params.i !== String(i)) notFinished.push(id);
      });
      expect(notFinished).toEqual([]);
      const missing: string[] = [];
      await pool(runs.map((r, i) => [r.id, i] as const), 16, async ([id, i]) => {
        const d = await fetchMetricsDoc(relay.url, WS, id);
        const loss = d ? metricHistory(d, 'loss') : [];
        d?.destroy();
        if (loss.length !== 2 || loss[0]!.value !== 1 / (i + 1) || loss[1]!.value !== 1 / (i + 2)) missing.push(id);
      });
      expect(missing).toEqual([]);
      await t.closeAll();
      expect(process.listenerCount('exit')).toBe(exitListeners);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map(String)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await t.closeAll();
    }
  });
});

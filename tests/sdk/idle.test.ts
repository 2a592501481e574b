import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Closer, expectSteps, relayHistory, startTestRelay, waitFor, type TestRelay } from './helpers';
import { SocketLab } from './socket-faults';

const WS = 'default';
/** The silence timeout under test (production: 30 s, y-websocket's). Not shorter: an event-loop stall on a loaded
 * 2-core box longer than the gap between probe and timeout would look like a dead link. */
const TIMEOUT_MS = 2_000;
/** Idle for several timeouts: without the keepalive a silent socket was replaced after one. */
const IDLE_MS = 3.5 * TIMEOUT_MS;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('idle Node SDK clients (real relay, real sockets)', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.dispose();
  });

  it('[SDK-13] an idle client keeps its sockets past the silence timeout and stays usable; the same watchdog still replaces a half-open socket', async () => {
    const lab = new SocketLab();
    const t = new Closer();
    try {
      const client = await t.client({ relay: relay.url, workspace: WS, WebSocket: lab.WebSocket, silenceTimeoutMs: TIMEOUT_MS });
      const run = await client.startRun({ experimentName: 'idle' });
      run.logMetric('m', 0, { step: 0 });
      await run.flush({ timeoutMs: 5_000 });
      expect(lab.opened.length).toBe(3); // the workspace room, the run's room and its metrics room

      await sleep(IDLE_MS);
      // Nothing closed, nothing reopened: the relay saw the same three connections the whole time.
      expect({ opened: lab.opened.length, closed: lab.closed }).toEqual({ opened: 3, closed: 0 });
      expect(client.status).toBe('synced');
      run.logMetric('m', 1, { step: 1 });
      await run.flush({ timeoutMs: 5_000 });
      expectSteps((await relayHistory(relay.url, WS, run.id, 'm'))!, 2);
      expect({ opened: lab.opened.length, closed: lab.closed }).toEqual({ opened: 3, closed: 0 });

      // The network goes away without a close (half-open): the watchdog that let the idle sockets be must drop these
      // within the timeout, so the quiet above was the keepalive's doing, not a lax watchdog.
      lab.silence();
      const silentAt = Date.now();
      await waitFor(() => lab.closed >= 3, 'the three silent sockets to be dropped', TIMEOUT_MS + 3_000);
      const droppedAfter = Date.now() - silentAt;
      // Not before the timeout (minus the probe interval: silence counts from the last frame heard), not long after.
      expect(droppedAfter).toBeGreaterThanOrEqual(TIMEOUT_MS / 2);
      expect(droppedAfter).toBeLessThan(TIMEOUT_MS + 3_000);
      await waitFor(() => lab.opened.length > 3, 'a new socket after the drop'); // it goes on trying, with backoff

      lab.restore();
      run.logMetric('m', 2, { step: 2 });
      await run.flush({ timeoutMs: 10_000 });
      // flush() waits for the docs holding changes; the workspace doc's socket (opened deaf) recovers on its own.
      await waitFor(() => client.status === 'synced', 'the workspace socket to recover', TIMEOUT_MS + 3_000);
      expectSteps((await relayHistory(relay.url, WS, run.id, 'm'))!, 3);
    } finally {
      await t.closeAll();
    }
  });
});

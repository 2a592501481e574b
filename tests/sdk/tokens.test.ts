import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@/lib/sdk';
import {
  Closer,
  buildCli,
  ensureSdkBuilt,
  expectCairnError,
  relayRun,
  runCli,
  runFixture,
  spawnRelay,
  tempDir,
  type RelayProcess,
} from './helpers';

const WS = 'team';

/** `cairn relay` with tokens required (no --open), tokens made with `cairn token create`. */
describe('SDK with workspace tokens (cairn relay, tokens required)', () => {
  let cli: string;
  let relay: RelayProcess;
  const data = tempDir('cairn-relay-');
  const tokens: Record<'read' | 'write' | 'admin' | 'otherWs', string> = { read: '', write: '', admin: '', otherWs: '' };

  beforeAll(async () => {
    [cli] = await Promise.all([buildCli(), ensureSdkBuilt()]);
    const create = (workspace: string, role: string) => {
      const r = runCli(cli, ['token', 'create', '--data', data.path, '--workspace', workspace, '--role', role]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    tokens.read = create(WS, 'read');
    tokens.write = create(WS, 'write');
    tokens.admin = create(WS, 'admin');
    tokens.otherWs = create('elsewhere', 'write');
    relay = await spawnRelay(cli, ['--port', '0', '--data', data.path]);
    expect(relay.output()).toContain('tokens required');
  });
  afterAll(async () => {
    await relay?.kill();
    data.remove();
  });

  it('[SDK-6] a write token logs and flushes; a read token then reads the run', async () => {
    const t = new Closer();
    try {
      const w = await t.client({ relay: relay.url, workspace: WS, token: tokens.write });
      expect(w.status).toBe('synced');
      const run = await w.startRun({ experimentName: 'tokens' });
      run.logParam('lr', 0.1);
      for (let s = 0; s < 100; s++) run.logMetric('loss', 1 / (s + 1), { step: s });
      const ref = await run.logArtifact('a.txt', new TextEncoder().encode('hello'));
      await run.flush();

      const r = await t.client({ relay: relay.url, workspace: WS, token: tokens.read });
      expect((await r.getRun(run.id))!.params).toEqual({ lr: '0.1' });
      expect(await r.getMetricHistory(run.id, 'loss')).toHaveLength(100);
      const blob = await fetch(`${relay.url}/blobs/${ref.sha256}`, { headers: { authorization: `Bearer ${tokens.read}` } });
      expect(blob.status).toBe(200);
      expect(await blob.text()).toBe('hello');
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-6] a read token connects and logs locally, but flush rejects with PERMISSION_DENIED and the relay keeps nothing', async () => {
    const t = new Closer();
    try {
      const r = await t.client({ relay: relay.url, workspace: WS, token: tokens.read });
      const run = await r.startRun({ experimentName: 'read-only-attempt' });
      run.logParam('p', 1);
      run.logMetric('m', 1, { step: 0 });
      expect((await r.getRun(run.id))!.params).toEqual({ p: '1' });
      await expectCairnError(() => run.flush({ timeoutMs: 10_000 }), 'PERMISSION_DENIED');
      // Asking again gives the same clear answer, not a hang.
      await expectCairnError(() => r.flush({ timeoutMs: 10_000 }), 'PERMISSION_DENIED');

      expect(await relayRun(relay.url, WS, run.id, tokens.admin)).toBeUndefined();
      for (const room of [`run/${run.id}`, `run/${run.id}/metrics`]) {
        const doc = await fetch(`${relay.url}/docs/${WS}/${room}`, { headers: { authorization: `Bearer ${tokens.admin}` } });
        expect(new Uint8Array(await doc.arrayBuffer()).length).toBeLessThanOrEqual(2); // an empty Yjs update
      }
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-6] a read token cannot upload artifacts: flush rejects with PERMISSION_DENIED and says why', async () => {
    const t = new Closer();
    try {
      const r = await t.client({ relay: relay.url, workspace: WS, token: tokens.read });
      const run = await r.startRun({ experimentName: 'read-only-artifact' });
      await run.logArtifact('x.bin', new Uint8Array([1, 2, 3, 4]));
      // The relay answers the PUT with 403 {"error_code":"PERMISSION_DENIED"}: the SDK should keep that code.
      const e = await expectCairnError(() => run.flush({ timeoutMs: 10_000 }), 'PERMISSION_DENIED');
      expect(e.message).toMatch(/write token/);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-6] an artifact upload the relay refuses does not crash a script that has not called flush yet', async () => {
    const t = new Closer();
    try {
      const c = runFixture('artifact-refused.mjs', [relay.url, tokens.read, t.dir()]);
      t.add(c, (x) => x.kill());
      const { code } = await c.exited;
      expect(c.stdout(), `stderr:\n${c.stderr()}`).toContain('alive');
      expect(c.stdout()).toMatch(/flush PERMISSION_DENIED/);
      expect(code).toBe(0);
    } finally {
      await t.closeAll();
    }
  });

  for (const [what, token] of [
    ['a wrong token', () => 'not-a-real-token'],
    ['no token', () => undefined],
    ["another workspace's token", () => tokens.otherWs],
  ] as const) {
    it(`[SDK-6] ${what}: connect() rejects with UNAUTHENTICATED`, async () => {
      const t = new Closer();
      try {
        const dir = t.dir();
        const t0 = Date.now();
        const e = await expectCairnError(() => connect({ relay: relay.url, workspace: WS, token: token(), dataDir: dir }), 'UNAUTHENTICATED');
        expect(e.message).toMatch(/token|unauthenticated/i);
        // It is refused at the first sync, not after the offline grace period.
        expect(Date.now() - t0).toBeLessThan(4_000);
      } finally {
        await t.closeAll();
      }
    });
  }

  it('[SDK-6] a script whose connect() was refused exits by itself (nothing left running)', async () => {
    const t = new Closer();
    try {
      const c = runFixture('connect-refused.mjs', [relay.url, 'wrong-token', t.dir()]);
      t.add(c, (x) => x.kill());
      await c.line(/refused UNAUTHENTICATED/, 'the refusal');
      const deadline = setTimeout(() => c.proc.kill('SIGKILL'), 10_000);
      const { code, signal } = await c.exited;
      clearTimeout(deadline);
      expect(signal, 'the process did not exit within 10 s of the refused connect() (a timer or socket kept it alive)').toBeNull();
      expect(code).toBe(0);
    } finally {
      await t.closeAll();
    }
  });
});

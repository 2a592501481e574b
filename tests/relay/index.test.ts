import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as doc from '../../lib/doc';
import { IndexReplica, decodeIndex, rowFromRun, sameRow, type IndexMessage } from '../../lib/run-index';
import { connectClient, waitSynced, type TestClient } from './helpers/clients';
import { buildCli, spawnRelay, type RelayProcess } from './helpers/cli-process';
import { startTestRelay, tempDir, type TestRelay } from './helpers/in-process';

const WS = 'indexed';

async function readIndex(url: string, exp: string, since = 0, epoch = ''): Promise<IndexMessage> {
  const res = await fetch(`${url}/index/${WS}/${exp}?since=${since}&epoch=${epoch}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/octet-stream');
  return decodeIndex(new Uint8Array(await res.arrayBuffer()));
}

/** A client writing runs with lib/doc's commands into its copy of the workspace doc, synced through the relay. */
function writer(c: TestClient): doc.Ctx {
  let t = 1_700_000_000_000;
  return { ws: c.doc, actor: 'writer', now: () => ++t };
}

describe('the relay serves experiment indexes', () => {
  let relay: TestRelay;
  let client: TestClient;
  let ctx: doc.Ctx;
  let exp: string;
  const runIds: string[] = [];
  beforeAll(async () => {
    relay = await startTestRelay();
    client = connectClient(relay.url, WS);
    await waitSynced(client);
    ctx = writer(client);
    doc.ensureWorkspace(ctx);
    exp = doc.createExperiment(ctx, { name: 'sweep' });
    for (let i = 0; i < 5; i++) {
      const { runId } = doc.startRun(ctx, { experimentId: exp, runName: `r${i}` });
      doc.logBatch(ctx, { runId, params: [{ key: 'lr', value: String(0.1 * (i + 1)) }] });
      runIds.push(runId);
    }
    expect(await client.flush()).toBe(0);
  });
  afterAll(async () => {
    client.destroy();
    await relay.dispose();
  });

  it('[RELAY-31] a snapshot holds exactly the rows of a direct read; deltas carry only what changed', async () => {
    const snap = await readIndex(relay.url, exp);
    expect(snap.fromSeq).toBe(0);
    const direct = doc.listRuns(client.doc, { experimentIds: [exp], view: 'ALL' }).map((r) => rowFromRun(r));
    expect(snap.rows.map((r) => r.runId).sort()).toEqual(direct.map((r) => r.runId).sort());
    for (const row of snap.rows) expect(sameRow(row, direct.find((d) => d.runId === row.runId)!)).toBe(true);

    const replica = new IndexReplica();
    replica.apply(snap);
    doc.setTag(ctx, { runId: runIds[1]!, key: 'note', value: 'best' });
    doc.deleteRun(ctx, runIds[2]!);
    expect(await client.flush()).toBe(0);
    const delta = await readIndex(relay.url, exp, replica.seq, replica.epoch);
    expect(delta.fromSeq).toBe(replica.seq);
    expect(delta.rows.map((r) => r.runId).sort()).toEqual([runIds[1], runIds[2]].sort());
    expect(replica.apply(delta)).toBe(true);
    const again = await readIndex(relay.url, exp);
    expect(replica.allRows().map((r) => r.runId)).toEqual(again.rows.map((r) => r.runId));
    replica.allRows().forEach((r, i) => expect(sameRow(r, again.rows[i]!)).toBe(true));
    expect(replica.allRows().find((r) => r.runId === runIds[2])!.lifecycleStage).toBe('deleted');
    // Kept up incrementally (only touched runs re-read), the relay's index still equals a direct read of the runs.
    doc.updateRun(ctx, { runId: runIds[3]!, runName: 'renamed' });
    doc.logBatch(ctx, { runId: runIds[4]!, params: [{ key: 'extra', value: 'x' }] });
    expect(await client.flush()).toBe(0);
    expect(replica.apply(await readIndex(relay.url, exp, replica.seq, replica.epoch))).toBe(true);
    const now = doc.listRuns(client.doc, { experimentIds: [exp], view: 'ALL' }).map((r) => rowFromRun(r)).sort((a, b) => (a.runId < b.runId ? -1 : 1));
    expect(replica.allRows().map((r) => r.runId)).toEqual(now.map((r) => r.runId));
    replica.allRows().forEach((r, i) => expect(sameRow(r, now[i]!)).toBe(true));
    // Nothing changed: an empty delta.
    const idle = await readIndex(relay.url, exp, replica.seq, replica.epoch);
    expect(idle.rows).toEqual([]);
    expect(idle.removed).toEqual([]);
  });

  it('[RELAY-31] bad paths, unknown experiments and bad sequence numbers get the JSON error shape', async () => {
    const cases: [string, number, string][] = [
      [`/index/${WS}/999`, 404, 'RESOURCE_DOES_NOT_EXIST'],
      [`/index/${WS}/not%20an%20id`, 400, 'INVALID_PARAMETER_VALUE'],
      [`/index/${WS}/${exp}?since=-1`, 400, 'INVALID_PARAMETER_VALUE'],
      [`/index/${WS}`, 400, 'INVALID_PARAMETER_VALUE'],
      [`/index/${WS}/%E0%A4%A`, 400, 'INVALID_PARAMETER_VALUE'],
    ];
    for (const [path, status, code] of cases) {
      const res = await fetch(`${relay.url}${path}`);
      expect(res.status, path).toBe(status);
      expect(await res.json(), path).toMatchObject({ error_code: code });
    }
  });
});

describe('indexes across a relay SIGKILL', () => {
  const data = tempDir();
  let cli: string;
  const procs: RelayProcess[] = [];
  beforeAll(async () => {
    cli = await buildCli();
  });
  afterAll(async () => {
    for (const p of procs) await p.kill();
    data.remove();
  });

  it('[RELAY-31] [RELAY-6] after SIGKILL a reader of the old epoch gets a full snapshot: no run missing, no stale row', async () => {
    const first = await spawnRelay(cli, ['--port', '0', '--data', data.path, '--open']);
    procs.push(first);
    const c = connectClient(first.url, WS);
    try {
      await waitSynced(c);
      const ctx = writer(c);
      doc.ensureWorkspace(ctx);
      const exp = doc.createExperiment(ctx, { name: 'killed' });
      const a = doc.startRun(ctx, { experimentId: exp, runName: 'a' }).runId;
      const b = doc.startRun(ctx, { experimentId: exp, runName: 'b' }).runId;
      expect(await c.flush()).toBe(0);
      const replica = new IndexReplica();
      replica.apply(await readIndex(first.url, exp));
      doc.updateRun(ctx, { runId: b, runName: 'b-renamed' });
      const d = doc.startRun(ctx, { experimentId: exp, runName: 'd' }).runId;
      expect(await c.flush()).toBe(0);
      c.provider.disconnect();
      await first.kill();

      const second = await spawnRelay(cli, ['--port', '0', '--data', data.path, '--open']);
      procs.push(second);
      const msg = await readIndex(second.url, exp, replica.seq, replica.epoch);
      expect(msg.fromSeq).toBe(0);
      expect(msg.epoch).not.toBe(replica.epoch);
      expect(replica.apply(msg)).toBe(true);
      const rows = replica.allRows();
      expect(rows.map((r) => r.runId).sort()).toEqual([a, b, d].sort());
      expect(rows.find((r) => r.runId === b)!.runName).toBe('b-renamed');
    } finally {
      c.destroy();
    }
  });
});

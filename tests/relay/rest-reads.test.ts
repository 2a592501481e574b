import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { isEnvelope, mlflowClient, type MlflowClient } from './helpers/mlflow';

describe('REST door: searches and histories', () => {
  let relay: TestRelay;
  let c: MlflowClient;

  beforeAll(async () => {
    relay = await startTestRelay({ debugRoutes: true, roomUnloadDelayMs: 50 });
    c = mlflowClient(relay.url);
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[REST-11] experiments/search: filter, order_by, view_type and offset page tokens', async () => {
    const w = mlflowClient(`${relay.url}/w/exps`);
    const ids: string[] = [];
    for (const [name, tag] of [['alpha-1', 'x'], ['alpha-2', 'y'], ['beta', 'x']] as const) {
      ids.push((await w.post('experiments/create', { name, tags: [{ key: 'kind', value: tag }] })).json.experiment_id);
      await new Promise((r) => setTimeout(r, 3));
    }
    const names = (r: { json: { experiments?: { name: string }[] } }) => (r.json.experiments ?? []).map((e) => e.name);
    expect(names(await w.post('experiments/search', { filter: "name LIKE 'alpha-%'", order_by: ['name DESC'] }))).toEqual(['alpha-2', 'alpha-1']);
    expect(names(await w.post('experiments/search', { filter: "tags.kind = 'x'", order_by: ['name ASC'] }))).toEqual(['alpha-1', 'beta']);
    expect(names(await w.post('experiments/search', { filter: "name ILIKE 'ALPHA%' and tags.kind != 'x'" }))).toEqual(['alpha-2']);
    // Default order: newest first, Default last.
    expect(names(await w.get('experiments/search'))).toEqual(['beta', 'alpha-2', 'alpha-1', 'Default']);
    const t0 = (await w.get('experiments/get', { experiment_id: ids[1]! })).json.experiment.creation_time as number;
    expect(names(await w.get('experiments/search', { filter: `creation_time >= ${t0}`, order_by: 'creation_time ASC' }))).toEqual(['alpha-2', 'beta']);
    // Paging.
    const p1 = await w.post('experiments/search', { max_results: 2 });
    expect(names(p1)).toEqual(['beta', 'alpha-2']);
    expect(JSON.parse(Buffer.from(p1.json.next_page_token, 'base64').toString())).toEqual({ offset: 2 });
    const p2 = await w.post('experiments/search', { max_results: 2, page_token: p1.json.next_page_token });
    expect(names(p2)).toEqual(['alpha-1', 'Default']);
    expect(p2.json.next_page_token).toBeUndefined();
    // view_type.
    await w.post('experiments/delete', { experiment_id: ids[2]! });
    expect(names(await w.post('experiments/search', { view_type: 'DELETED_ONLY' }))).toEqual(['beta']);
    expect(names(await w.post('experiments/search', { view_type: 'ALL', filter: "name = 'beta'" }))).toEqual(['beta']);
    const or = await w.post('experiments/search', { filter: "name = 'a' OR name = 'b'" });
    expect(or.status).toBe(400);
    expect(or.json.message).toBe("Invalid clause(s) in filter string: 'OR'");
    expect((await w.post('experiments/search', { order_by: ['nonsense DESC'] })).status).toBe(400);
    expect((await w.post('experiments/search', { filter: 'foo.bar = 1' })).status).toBe(400);
  });

  it('[REST-12] runs/search from the experiment index with lib/search: filter, order_by, run_view_type, paging; the page read from run docs', async () => {
    const w = mlflowClient(`${relay.url}/w/runs`);
    const exp = (await w.post('experiments/create', { name: 'searchable' })).json.experiment_id as string;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = (await w.post('runs/create', { experiment_id: exp, run_name: `r${i}`, start_time: 1000 + i })).json.run.info.run_id as string;
      await w.post('runs/log-batch', {
        run_id: id,
        metrics: [
          { key: 'acc', value: i / 10, timestamp: 10, step: 0 },
          { key: 'acc', value: i / 20, timestamp: 20, step: 7 },
        ],
        params: [{ key: 'opt', value: i % 2 ? 'adam' : 'sgd' }],
        tags: [{ key: 'grp', value: i < 6 ? 'a' : 'b' }],
      });
      ids.push(id);
    }
    await w.post('runs/delete', { run_id: ids[0]! });
    // Immediately: the index is folded before the search answers (read your writes).
    const r = await w.post('runs/search', { experiment_ids: [exp], filter: "metrics.acc > 0.2 and params.opt = 'adam'", order_by: ['metrics.acc DESC'] });
    expect(r.status, r.text).toBe(200);
    expect(r.json.runs.map((x: { info: { run_name: string } }) => x.info.run_name)).toEqual(['r11', 'r9', 'r7', 'r5']);
    // The page's runs come from their run docs: latest point with its step and timestamp.
    expect(r.json.runs[0].data.metrics).toEqual([{ key: 'acc', value: 0.55, timestamp: 20, step: 7 }]);
    expect(r.json.runs[0].data.params).toEqual([{ key: 'opt', value: 'adam' }]);
    // Default order (start_time DESC), paging with tokens only while more follow.
    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const p = await w.post('runs/search', { experiment_ids: [exp], max_results: 5, ...(token ? { page_token: token } : {}) });
      seen.push(...p.json.runs.map((x: { info: { run_name: string } }) => x.info.run_name));
      token = p.json.next_page_token;
      if (!token) break;
    }
    expect(seen).toEqual(['r11', 'r10', 'r9', 'r8', 'r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    const deleted = await w.post('runs/search', { experiment_ids: [exp], run_view_type: 'DELETED_ONLY' });
    expect(deleted.json.runs.map((x: { info: { run_id: string } }) => x.info.run_id)).toEqual([ids[0]]);
    expect((await w.post('runs/search', { experiment_ids: [exp], run_view_type: 'ALL' })).json.runs).toHaveLength(12);
    const tagged = await w.get('runs/search', { experiment_ids: exp, filter: "tags.grp = 'b'", order_by: ['attributes.run_name ASC'] });
    expect(tagged.json.runs.map((x: { info: { run_name: string } }) => x.info.run_name)).toEqual(['r10', 'r11', 'r6', 'r7', 'r8', 'r9']);
    // An experiment the workspace does not hold matches nothing; bad input is the envelope.
    expect((await w.post('runs/search', { experiment_ids: ['424242'] })).text).toBe('{}');
    for (const bad of [{ filter: 'metrics.acc >>> 1' }, { filter: 'a.b = 1 OR c = 2' }, { order_by: ['metrics.acc SIDEWAYS'] }, { max_results: 60000 }, { page_token: 'not base64!' }]) {
      const res = await w.post('runs/search', { experiment_ids: [exp], ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(isEnvelope(res, 'INVALID_PARAMETER_VALUE')).toBe(true);
    }
  });

  it('[REST-13] get-history pages through a long history; without max_results it answers the first 25,000 points', async () => {
    const id = (await c.post('runs/create', {})).json.run.info.run_id as string;
    for (let b = 0; b < 30; b++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: 1 / (b * 1000 + i + 1), timestamp: 5, step: b * 1000 + i }));
      expect((await c.post('runs/log-batch', { run_id: id, metrics })).status).toBe(200);
    }
    const first = await c.get('metrics/get-history', { run_id: id, metric_key: 'loss' });
    expect(first.json.metrics).toHaveLength(25_000);
    expect(first.json.metrics[0]).toEqual({ key: 'loss', value: 1, timestamp: 5, step: 0 });
    const rest = await c.get('metrics/get-history', { run_id: id, metric_key: 'loss', max_results: 25000, page_token: first.json.next_page_token });
    expect(rest.json.metrics).toHaveLength(5_000);
    expect(rest.json.metrics[0].step).toBe(25_000);
    expect(rest.json.metrics.at(-1).step).toBe(29_999);
    expect(rest.json.next_page_token).toBeUndefined();
    // Pages that start and end inside a flush's chunk (the batches were 1,000 points each).
    const mid = await c.get('metrics/get-history', { run_id: id, metric_key: 'loss', max_results: 2500 });
    const next = await c.get('metrics/get-history', { run_id: id, metric_key: 'loss', max_results: 2500, page_token: mid.json.next_page_token });
    expect(next.json.metrics.map((m: { step: number }) => m.step)).toEqual(Array.from({ length: 2500 }, (_, k) => 2500 + k));
    expect(next.json.metrics[0].value).toBe(1 / 2501);
    const small = await c.get('metrics/get-history', { run_id: id, metric_key: 'loss', max_results: 3 });
    expect(small.json.metrics.map((m: { step: number }) => m.step)).toEqual([0, 1, 2]);
    // A point logged out of step order: the history is still in step order.
    await c.post('runs/log-metric', { run_id: id, key: 'loss', value: 7, timestamp: 5, step: -1 });
    const again = await c.get('metrics/get-history', { run_id: id, metric_key: 'loss', max_results: 3 });
    expect(again.json.metrics.map((m: { step: number }) => m.step)).toEqual([-1, 0, 1]);
    expect((await c.get('metrics/get-history', { run_id: id, metric_key: 'nothing' })).text).toBe('{}');
    expect((await c.get('metrics/get-history', { run_id: 'a'.repeat(32), metric_key: 'loss' })).status).toBe(404);
    expect((await c.get('metrics/get-history', { run_id: id, metric_key: 'loss', max_results: 1_000_001 })).status).toBe(400);
    expect((await c.get('metrics/get-history', { run_id: id, metric_key: 'loss', max_results: 100_000 })).json.metrics).toHaveLength(30_001);
  });

  it('[REST-14] get-history-bulk-interval samples distinct steps evenly, keeps each run\'s first and last step, ≤ 100 runs', async () => {
    const a = (await c.post('runs/create', {})).json.run.info.run_id as string;
    const b = (await c.post('runs/create', {})).json.run.info.run_id as string;
    await c.post('runs/log-batch', { run_id: a, metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'x', value: i, timestamp: 1, step: i })) });
    await c.post('runs/log-batch', { run_id: b, metrics: Array.from({ length: 51 }, (_, i) => ({ key: 'x', value: i, timestamp: 1, step: i * 2 + 1 })) });
    const r = await c.get('metrics/get-history-bulk-interval', { run_ids: [a, b], metric_key: 'x', max_results: 10 });
    expect(r.status, r.text).toBe(200);
    const ofRun = (id: string) => (r.json.metrics as { run_id: string; step: number }[]).filter((m) => m.run_id === id).map((m) => m.step);
    const sa = ofRun(a);
    const sb = ofRun(b);
    expect(sa[0]).toBe(0);
    expect(sa.at(-1)).toBe(999);
    expect(sb[0]).toBe(1);
    expect(sb.at(-1)).toBe(101);
    expect(sa.length).toBeLessThanOrEqual(12);
    expect([...sa].sort((x, y) => x - y)).toEqual(sa);
    // Evenly spread: no gap much wider than the step range over max_results.
    const gaps = sa.slice(1).map((s, i) => s - sa[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(Math.ceil(1000 / 10) + 1);
    // A window.
    const win = await c.get('metrics/get-history-bulk-interval', { run_ids: a, metric_key: 'x', start_step: 100, end_step: 104 });
    expect(win.json.metrics.map((m: { step: number }) => m.step)).toEqual([100, 101, 102, 103, 104]);
    expect((await c.get('metrics/get-history-bulk-interval', { run_ids: a, metric_key: 'x', start_step: 1 })).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, '0'));
    expect((await c.get('metrics/get-history-bulk-interval', { run_ids: many, metric_key: 'x' })).status).toBe(400);
    expect((await c.get('metrics/get-history-bulk-interval', { run_ids: a, metric_key: 'x', max_results: 2501 })).status).toBe(400);
    expect((await c.get('metrics/get-history-bulk-interval', { metric_key: 'x' })).status).toBe(400);
    // The legacy bulk read: every point, runs in the order asked, capped in all.
    const bulk = await c.call('GET', `/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=${b}&run_id=${a}&metric_key=x&max_results=60`);
    const rows = bulk.json.metrics as { run_id: string; step: number }[];
    expect(rows).toHaveLength(60);
    expect(rows.slice(0, 51).every((m) => m.run_id === b)).toBe(true);
    expect(rows.slice(51).map((m) => [m.run_id, m.step])).toEqual(Array.from({ length: 9 }, (_, k) => [a, k]));
    // search-datasets, from the index rows.
    await c.post('runs/log-inputs', { run_id: a, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'eval' }], dataset: { name: 'ds', digest: 'd1', source_type: 'local', source: '{}' } }] });
    const ds = await c.call('POST', '/ajax-api/2.0/mlflow/experiments/search-datasets', JSON.stringify({ experiment_ids: ['0'] }), { 'content-type': 'application/json' });
    expect(ds.json).toEqual({ dataset_summaries: [{ experiment_id: '0', name: 'ds', digest: 'd1', context: 'eval' }] });
  });
});

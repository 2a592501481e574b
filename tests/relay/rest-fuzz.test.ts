import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../server/relay/mlflow-rest/routes';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { mlflowClient, type MlflowClient, type MlflowReply } from './helpers/mlflow';

/** Requests per run (`CAIRN_REST_FUZZ=10000` for the issue's full count) and the seed (`CAIRN_REST_FUZZ_SEED`). */
const COUNT = Number(process.env.CAIRN_REST_FUZZ ?? 1000);
const SEED = Number(process.env.CAIRN_REST_FUZZ_SEED ?? 8);

/** mulberry32: a small seeded PRNG, so a failure names its seed and index and replays. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('REST door: fuzz', () => {
  let relay: TestRelay;
  let c: MlflowClient;
  let exp: string;
  let run: string;
  let deleted: string;

  beforeAll(async () => {
    relay = await startTestRelay();
    c = mlflowClient(relay.url);
    exp = (await c.post('experiments/create', { name: 'fuzzed' })).json.experiment_id;
    run = (await c.post('runs/create', { experiment_id: exp })).json.run.info.run_id;
    deleted = (await c.post('runs/create', { experiment_id: exp })).json.run.info.run_id;
    await c.post('runs/log-parameter', { run_id: run, key: 'p', value: 'v' });
    await c.post('runs/delete', { run_id: deleted });
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it(`[REST-4, REST-7] ${COUNT} malformed, oversized, wrongly typed and random requests: no crash, no 5xx, the envelope every time, refused ones change nothing`, async () => {
    const rnd = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const routes = [...ROUTES.values()];
    const fields = ['run_id', 'run_uuid', 'experiment_id', 'experiment_ids', 'key', 'value', 'timestamp', 'step', 'name', 'metrics', 'params', 'tags', 'filter', 'order_by', 'max_results', 'page_token', 'metric_key', 'run_ids', 'status', 'end_time', 'run_name', 'new_name', 'datasets', 'view_type', 'run_view_type', 'start_step', 'end_step'];
    const scalar = (): unknown =>
      pick<() => unknown>([
        () => run,
        () => deleted,
        () => exp,
        () => '0',
        () => 'x'.repeat(rnd() < 0.2 ? Math.floor(rnd() * 10_000) : Math.floor(rnd() * 300)),
        () => '../../etc/passwd',
        () => '__proto__',
        () => 'constructor',
        () => 'NaN',
        () => 'Infinity',
        () => Math.floor(rnd() * 2 ** 53) * (rnd() < 0.5 ? -1 : 1),
        () => rnd() * 1e308,
        () => -1,
        () => 1e21,
        () => true,
        () => null,
        () => '',
        () => "metrics.a > 1 OR params.b = 'x'",
        () => 'metrics.`x` >= 0.5 and tags.t = "y"',
        () => String.fromCharCode(...Array.from({ length: 8 }, () => Math.floor(rnd() * 0xd7ff))),
        () => 'eyJvZmZzZXQiOiAtMX0=',
        () => ({ key: 'k', value: 1, timestamp: 1, step: 1 }),
      ])();
    const value = (depth = 0): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.55) return scalar();
      if (r < 0.8 && depth === 0 && rnd() < 0.1) return Array.from({ length: 1001 + Math.floor(rnd() * 200) }, () => ({ key: 'm', value: scalar(), timestamp: 1, step: 1 }));
      if (r < 0.8) return Array.from({ length: Math.floor(rnd() * 5) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 6) }, () => [pick(fields), value(depth + 1)]));
    };
    const bodyText = (): string | Buffer => {
      const r = rnd();
      if (r < 0.6) return JSON.stringify(Object.fromEntries(Array.from({ length: Math.floor(rnd() * 6) }, () => [pick(fields), value()])));
      if (r < 0.7) return JSON.stringify(JSON.stringify({ run_id: run, key: 'k', value: scalar(), timestamp: scalar() }));
      if (r < 0.8) return Buffer.from(Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256)));
      if (r < 0.9) return `{"run_id":"${run}","key":"m","value":NaN,"timestamp":1`;
      return JSON.stringify(value());
    };
    const rooms = ['default', `default/run/${run}`, `default/run/${run}/metrics`, `default/run/${deleted}`];
    const sv = async () => Promise.all(rooms.map(async (r) => Buffer.from(await (await fetch(`${relay.url}/sv/${r}`)).arrayBuffer()).toString('hex')));
    let before = await sv();
    const statuses = new Map<number, number>();
    for (let i = 0; i < COUNT; i++) {
      const route = rnd() < 0.9 ? pick(routes) : null;
      const prefix = pick(['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/', '/w/default/api/2.0/mlflow/', '/api/2.0/mlflow-artifacts/artifacts/']);
      const path = route ? `${prefix}${route.path}` : `${prefix}${pick(['x', `${exp}/${run}/artifacts/a.txt`, `${exp}/${run}/artifacts/%2e%2e/b`, 'runs/../runs/get', '%00', ''])}`;
      const method = route && rnd() < 0.85 ? route.methods[0]! : pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
      let reply: MlflowReply;
      if (method === 'GET' || method === 'DELETE') {
        const q = new URLSearchParams();
        for (let k = 0; k < Math.floor(rnd() * 5); k++) q.append(pick(fields), String(scalar()).slice(0, 2000));
        reply = await c.call(method, `${path}${q.size ? `?${q}` : ''}`);
      } else {
        const headers: Record<string, string> = rnd() < 0.9 ? { 'content-type': pick(['application/json', 'application/json; charset=utf-8', 'text/plain']) } : {};
        reply = await c.call(method, path, bodyText(), headers);
      }
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      const where = `request ${i} (seed ${SEED}): ${method} ${path} → ${reply.status} ${reply.text.slice(0, 200)}`;
      // 501 NOT_IMPLEMENTED is the one 5xx: what the door does not do yet (multipart uploads, logged-model artifacts).
      if (reply.status >= 500) expect(reply.json?.error_code, where).toBe('NOT_IMPLEMENTED');
      if (reply.status >= 400) {
        expect(String(reply.headers['content-type']), where).toMatch(/^application\/json/);
        expect(Object.keys(reply.json ?? {}).sort(), where).toEqual(['error_code', 'message']);
        expect(await sv(), where).toEqual(before);
      } else {
        before = await sv();
      }
    }
    // The relay is still serving, and the run's write-once param is intact.
    const r = await c.get('runs/get', { run_id: run });
    expect(r.status).toBe(200);
    expect(r.json.run.data.params).toContainEqual({ key: 'p', value: 'v' });
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  }, Math.max(60_000, COUNT * 60));
});

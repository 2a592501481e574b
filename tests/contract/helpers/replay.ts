import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

/** One recorded exchange of the real MLflow 3.6 client with a real server (fixtures/mlflow-traffic/README.md). */
export interface Exchange {
  file: string;
  seq: number;
  step: string;
  method: string;
  path: string;
  query_params: Record<string, string[]>;
  request: { headers: Record<string, string>; body: unknown; body_encoding: 'json' | 'base64' | 'empty'; raw_text?: string; nonfinite?: boolean };
  status: number;
  response: { body: unknown; body_encoding: 'json' | 'base64' | 'empty' };
}

const FIXTURES = join(__dirname, '..', 'fixtures', 'mlflow-traffic');

export function loadExchanges(file: string): Exchange[] {
  return readFileSync(join(FIXTURES, `${file}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => ({ file, ...(JSON.parse(l) as Omit<Exchange, 'file'>) }));
}

export interface Reply {
  status: number;
  contentType: string;
  text: string;
  raw: Buffer;
  body: unknown;
}

/** One raw HTTP request with exactly the headers given (fetch would add a Content-Type to a string body). */
export function send(base: string, method: string, pathAndQuery: string, headers: Record<string, string>, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { ...headers };
    if (body) h['content-length'] = String(body.byteLength);
    const req = request(base + pathAndQuery, { method, headers: h, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => {
        const raw = Buffer.concat(parts);
        const text = raw.toString('utf8');
        let parsed: unknown = undefined;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text, raw, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const RUN_ID = /^[0-9a-f]{32}$/;

/**
 * Recorded ids ↔ the ids the relay made. Run ids are 32 hex (unique anywhere in a string); experiment ids are small
 * integers in the recording, so they are only mapped in the fields that hold them.
 */
export class IdMap {
  readonly runs = new Map<string, string>();
  readonly experiments = new Map<string, string>();

  /** Learns from a recorded and a live response of the same exchange, walking them side by side. */
  learn(recorded: unknown, live: unknown): void {
    if (Array.isArray(recorded) && Array.isArray(live)) {
      for (let i = 0; i < Math.min(recorded.length, live.length); i++) this.learn(recorded[i], live[i]);
      return;
    }
    if (!recorded || !live || typeof recorded !== 'object' || typeof live !== 'object') return;
    const r = recorded as Record<string, unknown>;
    const l = live as Record<string, unknown>;
    for (const k of Object.keys(r)) {
      // Logged model ids (`m-<hex>`) are mapped like run ids: unique anywhere in a string.
      if ((k === 'run_id' || k === 'run_uuid' || k === 'model_id') && typeof r[k] === 'string' && typeof l[k] === 'string') this.runs.set(r[k], l[k]);
      else if (k === 'experiment_id' && typeof r[k] === 'string' && typeof l[k] === 'string') this.experiments.set(r[k], l[k]);
      else this.learn(r[k], l[k]);
    }
  }

  private runsIn(s: string, dir: 'toLive' | 'toRecorded'): string {
    let out = s;
    for (const [rec, live] of this.runs) out = dir === 'toLive' ? out.replaceAll(rec, live) : out.replaceAll(live, rec);
    return out;
  }

  /** A recorded request value with the live ids in. */
  toLive(v: unknown, key = ''): unknown {
    if (typeof v === 'string') {
      if ((key === 'experiment_id' || key === 'experiment_ids') && this.experiments.has(v)) return this.experiments.get(v);
      return this.runsIn(v, 'toLive');
    }
    if (Array.isArray(v)) return v.map((x) => this.toLive(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.toLive(x, k)]));
    return v;
  }

  /** A live response value with the recorded ids in (experiment ids inside artifact URIs too). */
  toRecorded(v: unknown, key = ''): unknown {
    if (typeof v === 'string') {
      let s = this.runsIn(v, 'toRecorded');
      for (const [rec, live] of this.experiments) {
        if (key === 'experiment_id' && s === live) return rec;
        if (key === 'artifact_uri' || key === 'artifact_location') s = s.replace(`mlflow-artifacts:/${live}`, `mlflow-artifacts:/${rec}`);
      }
      return s;
    }
    if (Array.isArray(v)) return v.map((x) => this.toRecorded(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.toRecorded(x, k)]));
    return v;
  }
}

/** The request of an exchange as the relay is sent it: recorded headers (minus hop ones), body bytes as recorded. */
export function requestOf(x: Exchange, ids: IdMap): { pathAndQuery: string; headers: Record<string, string>; body: Buffer | undefined } {
  const q = new URLSearchParams();
  for (const [k, vs] of Object.entries(x.query_params)) for (const v of vs) q.append(k, ids.toLive(v, k) as string);
  const qs = q.toString();
  const pathAndQuery = (ids.toLive(x.path) as string) + (qs ? `?${qs}` : '');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(x.request.headers)) {
    if (!['host', 'content-length', 'accept-encoding', 'connection'].includes(k.toLowerCase())) headers[k] = v;
  }
  let body: Buffer | undefined;
  if (x.request.nonfinite && x.request.raw_text) body = Buffer.from(ids.toLive(x.request.raw_text) as string);
  else if (x.request.body_encoding === 'json') body = Buffer.from(JSON.stringify(ids.toLive(x.request.body)));
  else if (x.request.body_encoding === 'base64') body = Buffer.from(x.request.body as string, 'base64');
  return { pathAndQuery, headers, body };
}

const GENERATED_NAME = /^[a-z]+-[a-z]+-\d{1,3}$/;
const SERVER_TIMES = new Set(['creation_time', 'last_update_time', 'deleted_time', 'creation_timestamp', 'last_updated_timestamp', 'creation_timestamp_ms', 'last_updated_timestamp_ms']);

/**
 * A body with what legitimately differs between two servers taken out: server-made times, generated run names, page
 * tokens (opaque; presence kept), and the order of key/value lists (MLflow keeps insertion order, Cairn sorts).
 */
export function normalise(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => normalise(x, key));
    const keyed = items.every((x) => x && typeof x === 'object' && typeof (x as { key?: unknown }).key === 'string');
    if (keyed && key !== 'metrics') return items.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    if (keyed && key === 'metrics' && items.every((x) => (x as { run_id?: unknown }).run_id === undefined)) {
      // run.data.metrics (latest per key) is a set; a history is in step order and stays as it is.
      const keys = items.map((x) => (x as { key: string }).key);
      if (new Set(keys).size === keys.length) return items.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    }
    return items;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) {
      if (SERVER_TIMES.has(k) && typeof o[k] === 'number') out[k] = '<server time>';
      else if (k === 'next_page_token' && typeof o[k] === 'string') out[k] = '<token>';
      else if (k === 'run_name' && typeof o[k] === 'string' && GENERATED_NAME.test(o[k])) out[k] = '<generated name>';
      else out[k] = normalise(o[k], k);
    }
    if (o.key === 'mlflow.runName' && typeof o.value === 'string' && GENERATED_NAME.test(o.value)) out.value = '<generated name>';
    return out;
  }
  return v;
}

function sortKey(x: unknown): string {
  return JSON.stringify([(x as { key: string }).key, x]);
}

export { RUN_ID };

import { request } from 'node:http';

/** One answer of the REST door. */
export interface MlflowReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  raw: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** A client speaking only HTTP to the door (what the Python client does), with node:http so every header is ours. */
export function mlflowClient(base: string, opts: { token?: string; headers?: Record<string, string> } = {}) {
  const auth: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const call = (method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<MlflowReply> =>
    new Promise((resolve, reject) => {
      const h: Record<string, string> = { ...auth, ...opts.headers, ...headers };
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      if (bytes) h['content-length'] = String(bytes.byteLength);
      // Options, not a URL string: a URL would resolve `..` in the path before it is sent.
      const u = new URL(base);
      const req = request({ hostname: u.hostname, port: u.port, path: u.pathname.replace(/\/$/, '') + path, method, headers: h }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => {
          const raw = Buffer.concat(parts);
          const text = raw.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, raw, json });
        });
      });
      req.on('error', reject);
      req.end(bytes);
    });
  return {
    call,
    post: (endpoint: string, body: unknown) => call('POST', `/api/2.0/mlflow/${endpoint}`, JSON.stringify(body), { 'content-type': 'application/json' }),
    get: (endpoint: string, query: Record<string, string | number | (string | number)[]> = {}) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, String(x));
      const qs = q.toString();
      return call('GET', `/api/2.0/mlflow/${endpoint}${qs ? `?${qs}` : ''}`);
    },
  };
}

export type MlflowClient = ReturnType<typeof mlflowClient>;

/** The error envelope, exactly (REST-4). */
export function isEnvelope(r: MlflowReply, code: string): boolean {
  return (
    String(r.headers['content-type']).startsWith('application/json') &&
    r.json !== undefined &&
    Object.keys(r.json).sort().join(',') === 'error_code,message' &&
    r.json.error_code === code &&
    typeof r.json.message === 'string'
  );
}

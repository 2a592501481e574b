import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { CairnError, httpStatusFor, invalid, toWire, type ErrorCode } from '../../../lib/domain/index';

/**
 * MLflow's proto-JSON on the wire (reference/mlflow.md §1.1, SPEC REST-3..REST-5): request bodies and query strings in,
 * JSON with NaN/±Infinity as strings out, and the one error envelope `{"error_code","message"}`.
 */

/** Largest request body read at all (log-inputs may carry a big dataset profile); past it → 413. */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** What a route is handed: the parsed JSON object (POST) or the query as an object (GET). */
export type Fields = Record<string, unknown>;

/** A thrown value → the MLflow error envelope with MLflow's status for its code (REST-4). */
export function sendMlflowError(res: ServerResponse, err: unknown): void {
  const w = toWire(err);
  const status = (w.details?.httpStatus as number | undefined) ?? httpStatusFor(w.code);
  sendText(res, status, JSON.stringify({ error_code: w.code, message: w.message }), 'application/json', extraHeaders(w.details));
}

function extraHeaders(details: Record<string, unknown> | undefined): Record<string, string> {
  const allow = details?.allow;
  return typeof allow === 'string' ? { allow } : {};
}

/** An error with a status other than its code's (405 for a wrong method, 413 for an oversized body). */
export function statusError(code: ErrorCode, message: string, httpStatus: number, extra: Record<string, unknown> = {}): CairnError {
  return new CairnError(code, message, { httpStatus, ...extra });
}

/** JSON.stringify with proto-JSON's non-finite doubles: NaN → "NaN", ±Infinity → "Infinity" / "-Infinity". */
export function protoJson(body: unknown): string {
  return JSON.stringify(body, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? nonFinite(v) : v));
}

/** The proto-JSON text of a double. */
export function doubleText(v: number): string {
  return Number.isFinite(v) ? String(v) : `"${nonFinite(v)}"`;
}

function nonFinite(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

export function sendJsonText(res: ServerResponse, text: string): void {
  sendText(res, 200, text, 'application/json');
}

/** A 200 JSON answer written piece by piece (one content-length; the pieces are never joined). */
export function sendPieces(res: ServerResponse, pieces: readonly string[]): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  let length = 0;
  for (const p of pieces) length += Buffer.byteLength(p);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': length });
  if (res.req.method === 'HEAD') return void res.end();
  for (const p of pieces) res.write(p);
  res.end();
}

export function sendText(res: ServerResponse, status: number, text: string, type: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** Reads the whole body up to `max` bytes; over it → 413 REQUEST_LIMIT_EXCEEDED (never 429: clients retry those). */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) {
      req.resume();
      return reject(statusError('REQUEST_LIMIT_EXCEEDED', `request body exceeds ${max} bytes`, 413));
    }
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.byteLength;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(statusError('REQUEST_LIMIT_EXCEEDED', `request body exceeds ${max} bytes`, 413));
        return;
      }
      parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

const BARE_NON_FINITE = /(?:^|[\s,:[])-?(?:NaN|Infinity)\s*(?:[,}\]]|$)/;

/**
 * A POST body as MLflow reads it (REST-5): `Content-Type: application/json` required, JSON object, or a JSON string
 * holding one (double-encoded, old clients). An empty body is `{}`. Malformed JSON is 400 BAD_REQUEST — MLflow reads
 * it as `{}` and fails later with SQL text — and bare `NaN`/`Infinity` literals (not JSON; MLflow stores them as 0)
 * are refused, naming the strings to send instead.
 */
export function parseJsonBody(req: IncomingMessage, raw: Buffer): Fields {
  const type = req.headers['content-type'];
  if (type === undefined) throw invalid('Bad Request. Content-Type header is missing.');
  if (!/^application\/json\b/i.test(type.trim())) throw invalid(`Bad Request. Content-Type must be application/json, got '${type}'.`);
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
    if (typeof value === 'string') value = JSON.parse(value);
  } catch (err) {
    if (BARE_NON_FINITE.test(text)) {
      throw invalid('Malformed JSON: bare NaN/Infinity literals are not JSON; send the strings "NaN", "Infinity" or "-Infinity"');
    }
    throw new CairnError('BAD_REQUEST', `Malformed JSON in the request body: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new CairnError('BAD_REQUEST', 'The request body must be a JSON object');
  return withRunId(value as Fields);
}

/** A query string as an object (REST-5): repeated keys become arrays for the route's repeated fields, else the first wins. */
export function queryFields(q: URLSearchParams, repeated: readonly string[]): Fields {
  const out: Fields = {};
  for (const key of new Set(q.keys())) {
    if (key === 'token') continue;
    const all = q.getAll(key);
    out[key] = repeated.includes(key) ? all : all[0];
  }
  return withRunId(out);
}

/** `run_uuid` is accepted wherever `run_id` is (MLflow's clients send both). */
function withRunId(f: Fields): Fields {
  if (f.run_id === undefined && f.run_uuid !== undefined) return { ...f, run_id: f.run_uuid };
  return f;
}

// ---- field types of proto-JSON -----------------------------------------------------------------------------------

const INT = /^-?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** int64: a JSON number or a decimal string (proto-JSON writes int64 as strings; MLflow's server accepts both). */
export const int64 = z
  .union([z.number(), z.string().regex(INT).transform(Number)])
  .refine((n) => Number.isSafeInteger(n), 'must be an integer');

/** double: a number, a numeric string, or "NaN" / "Infinity" / "-Infinity". */
export const double = z.union([
  z.number(),
  z.string().transform((s, ctx) => {
    if (s === 'NaN') return NaN;
    if (s === 'Infinity' || s === '+Infinity') return Infinity;
    if (s === '-Infinity') return -Infinity;
    if (FLOAT.test(s)) return Number(s);
    ctx.addIssue({ code: 'custom', message: 'must be a number' });
    return z.NEVER;
  }),
]);

/** A repeated field: an array (a single query value already is one, see queryFields). */
export const repeated = <T extends z.ZodType>(item: T) => z.array(item);

/** `[{key, value}]` → a record, the last value of a key winning (MLflow: tags overwrite within one request). */
export const keyValues = z.array(z.object({ key: z.string(), value: z.string().optional() })).transform((kv) => kv.map((e) => ({ key: e.key, value: e.value ?? '' })));

/** `[{key, value}]` (after keyValues) → a record with own properties only (a `__proto__` key is a key like any other). */
export function tagsRecord(kv: { key: string; value: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of kv ?? []) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * Parses a request with its route's schema; failures in MLflow's words: a missing field is "Missing value for
 * required parameter 'x'", a wrong one "Invalid value ... for parameter 'x' supplied".
 */
export function parseFields<S extends z.ZodType>(schema: S, fields: Fields): z.output<S> {
  const r = schema.safeParse(fields);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map(String);
  let value: unknown = fields;
  for (const p of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[p] : undefined;
  const name = path.join('.');
  if (value === undefined) {
    throw invalid(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
  }
  const shown = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value)?.slice(0, 200);
  throw invalid(`Invalid value ${shown} for parameter '${name}' supplied: ${issue.message}. See the API docs for more information about request parameters.`);
}

/** MLflow's page tokens: base64 of `{"offset": N}`. */
export function encodeOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

export function decodeOffsetToken(token: string | undefined): number {
  if (!token) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalid('Invalid page token, could not base64-decode');
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw invalid('Invalid page token, offset must be a non-negative integer');
  return offset;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import * as Y from 'yjs';
import { Sha256Schema, type Sha256 } from '../../lib/domain/index';
import { tokenFromRequest, type Access, type Authenticator } from './auth';
import type { DiskBlobStore } from './blob-store';
import type { IndexService } from './index-service';
import type { MlflowDoor } from './mlflow-rest/door';
import type { OriginPolicy } from './origin-policy';
import { parseRoomName } from './room-name';
import type { RoomRegistry } from './rooms';
import type { StaticApp } from './static-app';
import { pipeToResponse, sendError, sendJson, sendThrown } from './http-response';
import { RELAY_VERSION } from './version';

/** After refusing an upload mid-stream, keep reading (and discarding) briefly so the client sees the 413, then hang up. */
const REFUSED_UPLOAD_DRAIN_MS = 1_000;

export interface HttpDeps {
  auth: Authenticator;
  indexes: IndexService;
  origins: OriginPolicy;
  rooms: RoomRegistry;
  blobs: DiskBlobStore;
  app: StaticApp | null;
  appWorkspace: string;
  /** `GET /debug/memory`, when enabled (RelayOptions.debugRoutes). */
  debug: (() => Record<string, number>) | null;
  /** The MLflow REST door (mlflow-rest/): `/api/2.0/mlflow/...`, `/ajax-api/...`, `/w/<ws>/...`, `/health`, `/version`. */
  mlflow?: MlflowDoor;
}

/** Routes one request; never throws (errors become the JSON error shape). */
export async function handleHttp(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await route(deps, req, res);
  } catch (err) {
    sendThrown(res, err);
  }
}

async function route(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://relay.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (!deps.origins.hostAllowed(req)) {
    return sendError(res, 'PERMISSION_DENIED', `host '${req.headers.host}' is not served by this relay (DNS rebinding guard)`);
  }
  const api =
    path === '/healthz' || path.startsWith('/docs/') || path.startsWith('/sv/') || path.startsWith('/blobs/') || path.startsWith('/index/');
  if (api && req.headers.origin !== undefined && !deps.origins.allows(req)) {
    return sendError(res, 'PERMISSION_DENIED', `origin '${req.headers.origin}' is not allowed (see --allow-origin)`);
  }
  deps.origins.applyCors(req, res);
  if (method === 'OPTIONS') {
    if (!deps.origins.allows(req)) return sendError(res, 'PERMISSION_DENIED', `origin '${req.headers.origin}' is not allowed`);
    res.writeHead(204, deps.origins.preflightHeaders(req));
    res.end();
    return;
  }
  if (deps.mlflow && (await deps.mlflow.handle(req, res, url))) return;
  const token = tokenFromRequest(req, url);
  if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
    return sendJson(res, 200, { status: 'ok', version: RELAY_VERSION });
  }
  if (path.startsWith('/docs/') && (method === 'GET' || method === 'HEAD')) {
    return getDoc(deps, res, path.slice('/docs/'.length), token, url.searchParams.get('sv'));
  }
  if (path.startsWith('/sv/') && (method === 'GET' || method === 'HEAD')) {
    return getStateVector(deps, res, path.slice('/sv/'.length), token);
  }
  if (path === '/debug/memory' && deps.debug && (method === 'GET' || method === 'HEAD')) {
    return sendJson(res, 200, deps.debug());
  }
  if (path.startsWith('/index/') && (method === 'GET' || method === 'HEAD')) {
    return getIndex(deps, res, path.slice('/index/'.length), token, url.searchParams);
  }
  if (path.startsWith('/blobs/')) {
    const sha = Sha256Schema.safeParse(path.slice('/blobs/'.length));
    if (!sha.success) return sendError(res, 'INVALID_PARAMETER_VALUE', 'blob path must be /blobs/<sha256: 64 lowercase hex>');
    if (method === 'PUT') return putBlob(deps, req, res, sha.data, token);
    if (method === 'GET' || method === 'HEAD') return getBlob(deps, req, res, sha.data, token, url.searchParams.get('download'));
    return sendError(res, 'ENDPOINT_NOT_FOUND', `${method} is not supported on /blobs/<sha256>`);
  }
  if (deps.app && (method === 'GET' || method === 'HEAD')) {
    if (path === '/cairn-config.json') {
      const host = req.headers.host ?? 'localhost';
      return sendJson(res, 200, { relay: `http://${host}`, workspace: deps.appWorkspace });
    }
    if (await deps.app.serve(req, res, path)) return;
  }
  sendError(res, 'ENDPOINT_NOT_FOUND', `no route for ${method} ${path}`);
}

function refused(res: ServerResponse, access: Access): boolean {
  if (access.ok) return false;
  sendError(res, access.code, access.message);
  return true;
}

/** `?sv=` (base64url of a Yjs state vector) asks only for what that state lacks: a poller's refresh costs the new
 * chunks, not the whole run again. */
function decodeStateVector(sv: string | null): Uint8Array | undefined | null {
  if (sv === null) return undefined;
  try {
    const bytes = new Uint8Array(Buffer.from(sv, 'base64url'));
    Y.decodeStateVector(bytes);
    return bytes;
  } catch {
    return null;
  }
}

function getDoc(deps: HttpDeps, res: ServerResponse, rawRoom: string, token: string | null, svParam: string | null): void {
  const parsed = parseRoomName(rawRoom);
  if (!parsed.ok) return sendError(res, 'INVALID_PARAMETER_VALUE', parsed.message);
  const sv = decodeStateVector(svParam);
  if (sv === null) return sendError(res, 'INVALID_PARAMETER_VALUE', "'sv' must be a base64url Yjs state vector");
  if (refused(res, deps.auth.forWorkspace(token, parsed.room.workspace, 'read'))) return;
  // RELAY-43: a finished run's docs come from the store as they are, without loading the room.
  const stored = deps.rooms.storedState(parsed.room, sv);
  if (stored) return sendUpdate(res, stored);
  const room = deps.rooms.open(parsed.room);
  try {
    sendUpdate(res, Y.encodeStateAsUpdate(room.doc, sv));
  } finally {
    deps.rooms.releaseIfIdle(room);
  }
}

function sendUpdate(res: ServerResponse, update: Uint8Array): void {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': update.byteLength,
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : update);
}

/**
 * `GET /sv/<room>` (RELAY-39): the room's state vector (`Y.encodeStateVector`), what a replica upgrading a format-1
 * store compares its runs against (lib/doc DOC-U3). Same access and errors as `GET /docs/<room>`.
 */
function getStateVector(deps: HttpDeps, res: ServerResponse, rawRoom: string, token: string | null): void {
  const parsed = parseRoomName(rawRoom);
  if (!parsed.ok) return sendError(res, 'INVALID_PARAMETER_VALUE', parsed.message);
  if (refused(res, deps.auth.forWorkspace(token, parsed.room.workspace, 'read'))) return;
  const room = deps.rooms.open(parsed.room);
  try {
    const sv = Y.encodeStateVector(room.doc);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': sv.byteLength, 'cache-control': 'no-store' });
    res.end(res.req.method === 'HEAD' ? undefined : sv);
  } finally {
    deps.rooms.releaseIfIdle(room);
  }
}

/** `GET /index/<workspace>/<experimentId>?since=<seq>&epoch=<epoch>` (RELAY-31): lib/run-index's bytes. */
function getIndex(deps: HttpDeps, res: ServerResponse, rest: string, token: string | null, q: URLSearchParams): void {
  const parts = rest.split('/');
  if (parts.length !== 2) return sendError(res, 'INVALID_PARAMETER_VALUE', 'index path must be /index/<workspace>/<experimentId>');
  let workspace: string;
  let experimentId: string;
  try {
    [workspace, experimentId] = parts.map((p) => decodeURIComponent(p)) as [string, string];
  } catch {
    return sendError(res, 'INVALID_PARAMETER_VALUE', 'index path is not valid percent-encoding');
  }
  const sinceRaw = q.get('since') ?? '0';
  const since = Number(sinceRaw);
  if (!Number.isSafeInteger(since) || since < 0) return sendError(res, 'INVALID_PARAMETER_VALUE', `'since' must be a sequence number, got '${sinceRaw}'`);
  if (refused(res, deps.auth.forWorkspace(token, workspace, 'read'))) return;
  const bytes = deps.indexes.read(workspace, experimentId, since, q.get('epoch') ?? '');
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

/**
 * `?download=<file name>` (components/artifacts/SPEC.md ART-6): a browser link cannot send headers or name a
 * cross-origin download, so the relay names it: `content-disposition: attachment` with the name cleaned (no path,
 * quotes or control characters) and RFC 5987-encoded for non-ASCII names.
 */
export function contentDisposition(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '_').slice(0, 200) || 'artifact';
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

async function getBlob(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, sha: Sha256, token: string | null, download: string | null): Promise<void> {
  if (refused(res, deps.auth.forBlobs(token, 'read'))) return;
  const size = await deps.blobs.size(sha);
  if (size === null) return sendError(res, 'RESOURCE_DOES_NOT_EXIST', `blob ${sha} not found`);
  const etag = `"${sha}"`;
  const headers = {
    'content-type': 'application/octet-stream',
    etag,
    // The name is the content hash, so a cached copy can never be stale.
    'cache-control': 'private, max-age=31536000, immutable',
    ...(download !== null ? { 'content-disposition': contentDisposition(download) } : {}),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeToResponse(deps.blobs.openRead(sha), res);
}

async function putBlob(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, sha: Sha256, token: string | null): Promise<void> {
  if (refused(res, deps.auth.forBlobs(token, 'write'))) return discardBody(req);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > deps.blobs.maxBytes) {
    tooLarge(res, deps.blobs.maxBytes);
    return discardBody(req);
  }
  const existing = await deps.blobs.size(sha);
  if (existing !== null) {
    sendJson(res, 200, { sha256: sha, size: existing, created: false });
    return discardBody(req);
  }
  try {
    const { size } = await deps.blobs.put(sha, req);
    sendJson(res, 201, { sha256: sha, size, created: true });
  } catch (err) {
    // The client went away mid-upload: the temp file is gone and nobody is left to answer.
    if (res.destroyed || req.socket.destroyed) return;
    if ((err as { code?: string }).code === 'REQUEST_LIMIT_EXCEEDED') {
      tooLarge(res, deps.blobs.maxBytes);
      return discardBody(req);
    }
    sendThrown(res, err);
    discardBody(req);
  }
}

/** 413 is the one status not taken from httpStatusFor: clients and proxies know it means "don't resend this body". */
function tooLarge(res: ServerResponse, max: number): void {
  res.setHeader('connection', 'close');
  sendError(res, 'REQUEST_LIMIT_EXCEEDED', `blob exceeds the limit of ${max} bytes`, { status: 413, details: { max_bytes: max } });
}

function discardBody(req: IncomingMessage): void {
  if (req.complete) return;
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), REFUSED_UPLOAD_DRAIN_MS);
  timer.unref();
  req.on('end', () => clearTimeout(timer));
}

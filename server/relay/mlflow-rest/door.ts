import type { IncomingMessage, ServerResponse } from 'node:http';
import { CairnError, WorkspaceIdSchema, invalid, type WorkspaceId } from '../../../lib/domain/index';
import type { Authenticator } from '../auth';
import type { DocStore } from '../doc-store';
import type { IndexService } from '../index-service';
import type { OriginPolicy } from '../origin-policy';
import type { Role } from '../token-store';
import { RunReader } from '../run-reader';
import type { RoomRegistry } from '../rooms';
import type { DiskBlobStore } from '../blob-store';
import { ArtifactDoor } from './artifacts';
import { DocAccess } from './docs';
import { TextPieces } from './metrics';
import { roleFor, type Method, type Route } from './route';
import { LoggedModels } from './logged-models';
import { findRoute, responseText } from './routes';
import { RunSearch } from './run-search';
import { MAX_BODY_BYTES, parseFields, parseJsonBody, queryFields, readBody, sendJsonText, sendMlflowError, sendPieces, sendText, statusError } from './wire';

/** What `GET /version` answers: the MLflow release whose REST contract the door follows. */
export const MLFLOW_COMPAT_VERSION = '3.6.0';
/** MLflow's MAX_BATCH_LOG_REQUEST_SIZE. */
export const MAX_BATCH_REQUEST_BYTES = 1_000_000;

export interface DoorDeps {
  auth: Authenticator;
  origins: OriginPolicy;
  rooms: RoomRegistry;
  store: DocStore;
  indexes: IndexService;
  /** The workspace of a tracking URI without `/w/<workspace>`. */
  defaultWorkspace: string;
  blobs: DiskBlobStore;
  /** Where artifact uploads are hashed before they enter the blob store (on the blob store's disk). */
  uploadTmpDir: string;
}

const API_PREFIXES = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'];
const ARTIFACT_PREFIXES = ['/api/2.0/mlflow-artifacts/', '/ajax-api/2.0/mlflow-artifacts/'];

/**
 * The MLflow REST door (SPEC.md REST-*): `/api/2.0/mlflow/...` and its `/ajax-api/` mirror, `/health`, `/version`,
 * under `/` (the default workspace) or `/w/<workspace>/`. Everything else under `/api/`, `/ajax-api/` and `/w/` is a
 * JSON 404, never HTML.
 */
export class MlflowDoor {
  private readonly docs: DocAccess;
  private readonly runs: RunSearch;
  private readonly artifacts: ArtifactDoor;
  private readonly models: LoggedModels;

  constructor(private readonly deps: DoorDeps) {
    this.docs = new DocAccess(deps.rooms, new RunReader(deps.store, deps.rooms));
    this.runs = new RunSearch(deps.indexes);
    this.models = new LoggedModels(this.docs, this.runs);
    this.artifacts = new ArtifactDoor(this.docs, deps.blobs, deps.uploadTmpDir, this.models);
  }

  /** Called for every committed update of any room (the relay's RoomHooks.committed), to drop stale read views. */
  committed(room: string): void {
    this.docs.committed(room);
  }

  /** True when the path is the door's (answered, errors included); false leaves the request to the relay's routes. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    let path = url.pathname;
    let wsRaw: string = this.deps.defaultWorkspace;
    const w = /^\/w\/([^/]+)(\/.*)?$/.exec(path);
    if (w) {
      wsRaw = safeDecode(w[1]!);
      path = w[2] ?? '/';
    } else if (!isDoorPath(path)) {
      return false;
    }
    try {
      if (req.headers.origin !== undefined && !this.deps.origins.allows(req)) {
        throw new CairnError('PERMISSION_DENIED', `origin '${req.headers.origin}' is not allowed (see --allow-origin)`);
      }
      // URL parsing resolves `..` away (`a/../../etc` → `etc`): refuse such paths as they were sent (REST-16).
      const sent = (req.url ?? '/').split('?')[0]!.split('/');
      if (sent.some((seg) => seg === '..' || seg === '.' || /^(%2e|\.){1,2}$/i.test(seg))) throw invalid(`Invalid path: '${req.url}'`);
      await this.serve(req, res, url, path, wsRaw);
    } catch (err) {
      sendMlflowError(res, err);
      if (!req.complete) req.resume();
    }
    return true;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL, path: string, wsRaw: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === '/health' && (method === 'GET' || method === 'HEAD')) return sendText(res, 200, 'OK', 'text/plain');
    if (path === '/version' && (method === 'GET' || method === 'HEAD')) return sendText(res, 200, MLFLOW_COMPAT_VERSION, 'text/plain');
    const artifactPrefix = ARTIFACT_PREFIXES.find((p) => path.startsWith(p));
    if (artifactPrefix) return this.serveArtifacts(req, res, url, path.slice(artifactPrefix.length), wsRaw);
    if (path === '/get-artifact') {
      if (method !== 'GET' && method !== 'HEAD') throw statusError('ENDPOINT_NOT_FOUND', `Method ${method} is not allowed for /get-artifact; use GET`, 405, { allow: 'GET' });
      const ws = this.access(req, url, wsRaw, 'read').ws;
      const runId = url.searchParams.get('run_id') ?? url.searchParams.get('run_uuid');
      const p = url.searchParams.get('path');
      if (!runId) throw invalid("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
      if (!p) throw invalid("Missing value for required parameter 'path'. See the API docs for more information about request parameters.");
      return this.artifacts.get(ws, res, runId, p);
    }
    const prefix = API_PREFIXES.find((p) => path.startsWith(p));
    if (prefix && path.slice(prefix.length) === 'artifacts/list') {
      if (method !== 'GET') throw statusError('ENDPOINT_NOT_FOUND', `Method ${method} is not allowed for ${path}; use GET`, 405, { allow: 'GET' });
      const ws = this.access(req, url, wsRaw, 'read').ws;
      const q = queryFields(url.searchParams, []);
      if (typeof q.run_id !== 'string') throw invalid("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
      const out = this.artifacts.list(ws, q.run_id, q.path as string | undefined, q.page_token as string | undefined);
      return sendJsonText(res, responseText(out));
    }
    const found = prefix ? findRoute(path.slice(prefix.length)) : undefined;
    if (!found) throw new CairnError('ENDPOINT_NOT_FOUND', `No API endpoint at ${method} ${path}`);
    const route = found.route;
    if (!(route.methods as readonly string[]).includes(method)) {
      throw statusError('ENDPOINT_NOT_FOUND', `Method ${method} is not allowed for ${path}; use ${route.methods.join(' or ')}`, 405, { allow: route.methods.join(', ') });
    }
    const { ws, actor } = this.access(req, url, wsRaw, roleFor(route, method as Method));
    const fields = { ...(await this.fields(req, url, route)), ...found.params };
    const input = parseFields(route.schema, fields);
    const call = { ws, actor, method: method as Method, docs: this.docs, runs: this.runs, models: this.models };
    const result = (route.handle as (c: typeof call, i: unknown) => unknown)(call, input);
    if (result instanceof TextPieces) return sendPieces(res, result.pieces);
    sendJsonText(res, responseText(result));
  }

  /** The workspace of the URL and the writer the token is (REST-1, REST-2): 401/403 in MLflow's shape otherwise. */
  private access(req: IncomingMessage, url: URL, wsRaw: string, role: Role): { ws: WorkspaceId; actor: string } {
    const ws = WorkspaceIdSchema.safeParse(wsRaw);
    if (!ws.success) throw invalid(`Invalid workspace '${wsRaw}' in the tracking URI`);
    const access = this.deps.auth.forWorkspace(tokenOf(req, url), ws.data, role);
    if (!access.ok) throw new CairnError(access.code, access.message);
    return { ws: ws.data, actor: access.tokenId ? `rest:${access.tokenId}` : 'rest:open' };
  }

  /** `/api/2.0/mlflow-artifacts/...`: the artifact proxy (REST-15). */
  private async serveArtifacts(req: IncomingMessage, res: ServerResponse, url: URL, rest: string, wsRaw: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (rest === 'artifacts' || rest === 'artifacts/') {
      if (method !== 'GET') throw statusError('ENDPOINT_NOT_FOUND', `Method ${method} is not allowed for the artifact list; use GET`, 405, { allow: 'GET' });
      const { ws } = this.access(req, url, wsRaw, 'read');
      return this.artifacts.listProxied(ws, res, url.searchParams.get('path'));
    }
    if (rest.startsWith('artifacts/')) {
      const p = rest.slice('artifacts/'.length);
      if (method === 'PUT') {
        const { ws, actor } = this.access(req, url, wsRaw, 'write');
        return this.artifacts.put(ws, actor, req, res, p);
      }
      if (method === 'GET' || method === 'HEAD') return this.artifacts.getProxied(this.access(req, url, wsRaw, 'read').ws, res, p);
      if (method === 'DELETE') {
        const { ws, actor } = this.access(req, url, wsRaw, 'write');
        return this.artifacts.delete(ws, actor, res, p);
      }
      throw statusError('ENDPOINT_NOT_FOUND', `Method ${method} is not allowed for an artifact; use GET, PUT or DELETE`, 405, { allow: 'GET, PUT, DELETE' });
    }
    const part = /^mpu\/part\/([^/]+)\/([^/]+)$/.exec(rest);
    if (part && method === 'PUT') return this.artifacts.putPart(res, req, part[1]!, part[2]!);
    const mpu = /^mpu\/(create|complete|abort)\/(.+)$/.exec(rest);
    if (mpu && method === 'POST') {
      const { ws, actor } = this.access(req, url, wsRaw, 'write');
      const body = parseJsonBody(req, await readBody(req, MAX_BODY_BYTES));
      if (mpu[1] === 'create') {
        const proto = String(req.headers['x-forwarded-proto'] ?? 'http').split(',')[0]!.trim() === 'https' ? 'https' : 'http';
        const origin = `${proto}://${req.headers.host ?? 'localhost'}${url.pathname.startsWith('/w/') ? `/w/${encodeURIComponent(wsRaw)}` : ''}`;
        return sendJsonText(res, responseText(await this.artifacts.createUpload(ws, actor, mpu[2]!, body, origin)));
      }
      if (mpu[1] === 'complete') await this.artifacts.completeUpload(ws, mpu[2]!, body);
      else await this.artifacts.abortUpload(ws, mpu[2]!, body);
      return sendJsonText(res, '{}');
    }
    throw new CairnError('ENDPOINT_NOT_FOUND', `No API endpoint at ${method} ${url.pathname}`);
  }

  private async fields(req: IncomingMessage, url: URL, route: Route): Promise<Record<string, unknown>> {
    if (req.method === 'GET' || req.method === 'HEAD') return queryFields(url.searchParams, route.repeated ?? []);
    const body = await readBody(req, MAX_BODY_BYTES);
    if (route.path === 'runs/log-batch' && body.byteLength > MAX_BATCH_REQUEST_BYTES) {
      throw invalid(`Batch logging request size ${body.byteLength} bytes exceeds the limit of ${MAX_BATCH_REQUEST_BYTES} bytes`);
    }
    return parseJsonBody(req, body);
  }
}

function isDoorPath(path: string): boolean {
  return path === '/health' || path === '/version' || path.startsWith('/api/') || path.startsWith('/ajax-api/') || path === '/get-artifact';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The token of a request: `Authorization: Bearer <t>` (MLFLOW_TRACKING_TOKEN), `Basic` with the token as the password
 * (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD; the user name is not checked), or `?token=`.
 */
export function tokenOf(req: IncomingMessage, url: URL): string | null {
  const h = req.headers.authorization;
  if (h) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (bearer) return bearer[1]!;
    const basic = /^Basic\s+(\S+)\s*$/i.exec(h);
    if (basic) {
      const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const at = text.indexOf(':');
      const password = at >= 0 ? text.slice(at + 1) : text;
      return password.length > 0 ? password : null;
    }
  }
  const q = url.searchParams.get('token');
  return q && q.length > 0 ? q : null;
}

/**
 * Whether the door serves `method path` (the path without `/w/<workspace>`): what the contract test uses to tell the
 * recorded exchanges it replays from the ones listed as not yet served.
 */
export function servesEndpoint(method: string, path: string, query: URLSearchParams = new URLSearchParams()): boolean {
  if (path === '/health' || path === '/version' || path === '/get-artifact') return method === 'GET';
  for (const prefix of API_PREFIXES) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    if (rest === 'artifacts/list') return method === 'GET';
    const r = findRoute(rest)?.route;
    return r !== undefined && (r.methods as readonly string[]).includes(method);
  }
  for (const prefix of ARTIFACT_PREFIXES) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const runPath = (p: string) => {
      const parts = p.split('/');
      return (parts[2] === 'artifacts' && /^[0-9a-f]{32}$/.test(parts[1] ?? '')) || (parts[1] === 'models' && parts[3] === 'artifacts');
    };
    if (rest === 'artifacts') return method === 'GET' && runPath(query.get('path') ?? '');
    if (/^mpu\/(create|complete|abort)\//.test(rest)) return method === 'POST' && runPath(rest.replace(/^mpu\/\w+\//, ''));
    if (/^mpu\/part\//.test(rest)) return method === 'PUT';
    if (!rest.startsWith('artifacts/')) return false;
    return runPath(rest.slice('artifacts/'.length)) && ['GET', 'PUT', 'DELETE'].includes(method);
  }
  return false;
}

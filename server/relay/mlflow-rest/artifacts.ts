import type { IncomingMessage, ServerResponse } from 'node:http';
import * as doc from '../../../lib/doc/index';
import { ArtifactPathSchema, CairnError, RunIdSchema, invalid, notFound, type ArtifactRef, type Run, type RunId, type Sha256, type WorkspaceId } from '../../../lib/domain/index';
import type { DiskBlobStore } from '../blob-store';
import { pipeToResponse } from '../http-response';
import { contentDisposition } from '../http-routes';
import type { DocAccess } from './docs';
import type { LoggedModels } from './logged-models';
import { MAX_PARTS, MultipartUploads, tooLarge, type UploadMeta } from './multipart';
import { decodeOffsetToken, encodeOffsetToken, protoJson, sendJsonText } from './wire';

/**
 * Artifacts through the door (SPEC REST-15..REST-18): MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/
 * <exp>/<run>/artifacts/<path>`: PUT, GET, list, DELETE), `GET /get-artifact` and `artifacts/list`. Bytes go into the
 * relay's content-addressed blob store (the same one the browsers' artifacts use); the run doc gets the reference
 * (lib/doc logArtifactRef: path, size, sha256, media type), so the UI sees the artifact at once. Paths with `..`,
 * absolute paths, backslashes or NUL are refused (ArtifactPathSchema).
 */

/** A parsed proxy path: `<experiment>/<run>/artifacts[/<path>]`. */
interface ProxyPath {
  runId: string;
  /** Inside the run's artifacts ('' = the root). */
  path: string;
}

/** Refuses unsafe paths in MLflow's words (validate_path_is_safe), `%00` and friends included. */
function safePath(raw: string): string {
  if (raw === '') return '';
  const p = ArtifactPathSchema.safeParse(raw);
  if (!p.success || raw.includes('..')) throw invalid(`Invalid path: '${raw}'`);
  return p.data;
}

/**
 * `<exp>/<run>/artifacts/<path>`, or a logged model's `<exp>/models/<m-id>/artifacts/<path>` (REST-27): its files
 * are its source run's artifacts under `.logged-models/<m-id>/`, so they are stored, listed and served as a run's are.
 */
export function parseProxyPath(raw: string, modelRun: (modelId: string) => string | undefined = () => undefined): ProxyPath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw invalid(`Invalid path: '${raw}'`);
  }
  if (decoded.startsWith('/') || decoded.includes('\0') || decoded.split('/').includes('..')) throw invalid(`Invalid path: '${decoded}'`);
  const parts = decoded.split('/');
  if (parts[1] === 'models') {
    const modelId = parts[2] ?? '';
    const runId = parts[3] === 'artifacts' ? modelRun(modelId) : undefined;
    if (!runId) throw notFound(`Logged model with ID '${modelId}' not found.`);
    const rest = safePath(parts.slice(4).join('/'));
    return { runId, path: `${LOGGED_MODEL_DIR}/${modelId}${rest ? `/${rest}` : ''}` };
  }
  if (parts.length < 3 || parts[2] !== 'artifacts' || !RunIdSchema.safeParse(parts[1]).success) {
    throw invalid(`Invalid artifact path '${decoded}': expected <experiment_id>/<run_id>/artifacts/<path>`);
  }
  return { runId: parts[1]!, path: safePath(parts.slice(3).join('/')) };
}

/** Where a logged model's files are in its source run's artifacts (REST-27). */
export const LOGGED_MODEL_DIR = '.logged-models';

/** Writes need an active run (REST-9), in MLflow's words. */
function requireActive(run: Run): void {
  if (run.info.lifecycleStage !== 'active') throw invalid(`The run ${run.info.runId} must be in the 'active' state. Current state is deleted.`);
}

/** The files and directories directly inside `dir` of a run's artifacts (MLflow lists one level). */
export function listDir(run: Run, dir: string): { path: string; is_dir: boolean; file_size?: number }[] | null {
  const prefix = dir === '' ? '' : `${dir}/`;
  if (dir !== '' && run.artifacts.some((a) => a.path === dir)) return null;
  const seen = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
  for (const a of run.artifacts) {
    if (!a.path.startsWith(prefix)) continue;
    const rest = a.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    // Logged models' files (REST-27) are listed under their model's path, not in the run's own root.
    if (dir === '' && name === LOGGED_MODEL_DIR) continue;
    if (!seen.has(name)) seen.set(name, slash < 0 ? { path: name, is_dir: false, file_size: a.size } : { path: name, is_dir: true });
  }
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

export class ArtifactDoor {
  private readonly uploads: MultipartUploads;

  constructor(
    private readonly docs: DocAccess,
    private readonly blobs: DiskBlobStore,
    uploadDir: string,
    private readonly models: LoggedModels,
  ) {
    this.uploads = new MultipartUploads(uploadDir, blobs);
    // Uploads left by an earlier run of the relay: the fresh ones are kept (their client may still complete them).
    this.uploads.sweepSoon();
  }

  /**
   * `mpu/create/<path>` (REST-18): an upload id and one part URL per part on this relay. MLflow's client PUTs each part
   * to its URL with only the headers given (no tracking token), so the URL carries the upload id, 128 random bits
   * that only the creator learned: the id is the part's credential.
   */
  /** A logged model's source run, for its `<exp>/models/<m-id>/artifacts/...` paths (REST-27). */
  private modelRun(ws: WorkspaceId): (modelId: string) => string | undefined {
    return (modelId) => this.models.find(ws, modelId)?.sourceRunId;
  }

  async createUpload(ws: WorkspaceId, actor: string, raw: string, body: Record<string, unknown>, origin: string): Promise<unknown> {
    const { runId, path } = parseProxyPath(raw, this.modelRun(ws));
    if (path === '') throw invalid('A multipart upload needs a file path under the run\'s artifacts/');
    const numParts = Number(body.num_parts);
    if (!Number.isSafeInteger(numParts) || numParts < 1 || numParts > MAX_PARTS) throw invalid(`num_parts must be an integer from 1 to ${MAX_PARTS}`);
    requireActive(this.docs.requireRun(ws, runId));
    const uploadId = await this.uploads.create({ ws, actor, runId, path, numParts });
    const credentials = Array.from({ length: numParts }, (_, i) => ({ url: `${origin}/api/2.0/mlflow-artifacts/mpu/part/${uploadId}/${i + 1}`, part_number: i + 1, headers: {} }));
    return { upload_id: uploadId, credentials };
  }

  /** `PUT mpu/part/<upload_id>/<n>`: one part streamed to disk beside the others; its ETag is its sha256. */
  async putPart(res: ServerResponse, req: IncomingMessage, uploadId: string, partRaw: string): Promise<void> {
    const up = await this.uploads.meta(uploadId);
    if (!up) throw notFound(`No multipart upload with id ${uploadId}`);
    const declared = Number(req.headers['content-length'] ?? NaN);
    const part = await this.uploads.putPart(uploadId, up, /^\d+$/.test(partRaw) ? Number(partRaw) : NaN, req, declared);
    const etag = `"${part.sha256}"`;
    res.writeHead(200, { etag, 'content-length': 0 });
    res.end();
  }

  /**
   * `mpu/complete/<path>`: every part present (and each ETag as given back), streamed in part order into the blob
   * store and the reference committed to the run doc, as a single PUT would; then the parts are deleted.
   */
  async completeUpload(ws: WorkspaceId, raw: string, body: Record<string, unknown>): Promise<void> {
    const { id, up } = await this.uploadOf(ws, raw, body);
    const stored = await this.uploads.parts(id);
    const listed = Array.isArray(body.parts) ? (body.parts as { part_number?: unknown; etag?: unknown }[]) : [];
    const parts = [];
    for (let n = 1; n <= up.numParts; n++) {
      const p = stored.get(n);
      if (!p) throw invalid(`Part ${n} of upload ${id} was not uploaded`);
      const given = listed.find((x) => x !== null && typeof x === 'object' && Number(x.part_number) === n);
      if (given && given.etag !== undefined && given.etag !== '' && given.etag !== `"${p.sha256}"`) throw invalid(`Part ${n}: ETag ${String(given.etag)} does not match the part uploaded`);
      parts.push(p);
    }
    // Checked again at complete: the run may have been deleted while its parts were on their way.
    requireActive(this.docs.requireRun(up.ws as WorkspaceId, up.runId));
    const max = this.blobs.maxBytes;
    const total = parts.reduce((s, p) => s + p.size, 0);
    if (total > max) throw tooLarge('artifact', max);
    let got: { sha256: Sha256; size: number };
    try {
      got = await this.blobs.putUnnamed(this.uploads.joined(parts));
    } catch (err) {
      if (err instanceof CairnError && err.code === 'REQUEST_LIMIT_EXCEEDED') throw tooLarge('artifact', max);
      throw err;
    }
    const ref: ArtifactRef = { path: up.path, size: got.size, sha256: got.sha256, mediaType: 'application/octet-stream', loggedAt: Date.now() };
    this.docs.writeRun(up.ws as WorkspaceId, up.actor, up.runId, (c) => doc.logArtifactRef(c, { runId: up.runId as RunId, ref }));
    await this.uploads.remove(id);
  }

  /** `mpu/abort/<path>`: the upload and its parts are deleted. */
  async abortUpload(ws: WorkspaceId, raw: string, body: Record<string, unknown>): Promise<void> {
    const { id } = await this.uploadOf(ws, raw, body);
    await this.uploads.remove(id);
  }

  private async uploadOf(ws: WorkspaceId, raw: string, body: Record<string, unknown>): Promise<{ id: string; up: UploadMeta }> {
    const { runId, path } = parseProxyPath(raw, this.modelRun(ws));
    const id = typeof body.upload_id === 'string' ? body.upload_id : '';
    const up = await this.uploads.meta(id);
    if (!up || up.ws !== ws || up.runId !== runId || up.path !== path) throw notFound(`No multipart upload with id ${id} for this path`);
    return { id, up };
  }

  /** PUT: the body streamed into the blob store (hashed on the way), then its reference committed to the run doc. */
  async put(ws: WorkspaceId, actor: string, req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const { runId, path } = parseProxyPath(raw, this.modelRun(ws));
    if (path === '') throw invalid('An artifact PUT needs a file path under the run\'s artifacts/');
    // Checked before the upload so a refused write costs no bytes on disk.
    requireActive(this.docs.requireRun(ws, runId));
    const { sha256, size } = await this.store(req);
    const type = String(req.headers['content-type'] ?? 'application/octet-stream').slice(0, 255) || 'application/octet-stream';
    const ref: ArtifactRef = { path, size, sha256: sha256 as ArtifactRef['sha256'], mediaType: type, loggedAt: Date.now() };
    this.docs.writeRun(ws, actor, runId, (c) => doc.logArtifactRef(c, { runId, ref }));
    sendJsonText(res, '{}');
  }

  /** The body into the blob store in one pass, named by the sha256 of its bytes (DiskBlobStore.putUnnamed). */
  private async store(req: IncomingMessage): Promise<{ sha256: string; size: number }> {
    const max = this.blobs.maxBytes;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) throw tooLarge('artifact', max);
    try {
      return await this.blobs.putUnnamed(req);
    } catch (err) {
      if (err instanceof CairnError && err.code === 'REQUEST_LIMIT_EXCEEDED') throw tooLarge('artifact', max);
      throw err;
    }
  }

  /** GET of one file, as an attachment (UI downloads must never render: XSS), 404 when the run has no such file. */
  async get(ws: WorkspaceId, res: ServerResponse, runId: string, rawPath: string): Promise<void> {
    const path = safePath(rawPath);
    const run = this.docs.requireRun(ws, runId);
    const ref = run.artifacts.find((a) => a.path === path);
    if (!ref) throw notFound(`Artifact '${path}' of run ${runId} not found`);
    const size = await this.blobs.size(ref.sha256);
    if (size === null) throw notFound(`The bytes of artifact '${path}' of run ${runId} are not on this relay`);
    res.writeHead(200, {
      'content-type': ref.mediaType,
      'content-length': size,
      'content-disposition': contentDisposition(path),
      'x-content-type-options': 'nosniff',
      etag: `"${ref.sha256}"`,
    });
    if (res.req.method === 'HEAD') return void res.end();
    await pipeToResponse(this.blobs.openRead(ref.sha256), res);
  }

  async getProxied(ws: WorkspaceId, res: ServerResponse, raw: string): Promise<void> {
    const { runId, path } = parseProxyPath(raw, this.modelRun(ws));
    return this.get(ws, res, runId, path);
  }

  /** The proxy's list: `?path=<exp>/<run>/artifacts[/<dir>]`; a file or a missing path is `{}`, as MLflow answers. */
  listProxied(ws: WorkspaceId, res: ServerResponse, rawPath: string | null): void {
    if (!rawPath) return sendJsonText(res, '{}');
    const p = parseProxyPath(rawPath, this.modelRun(ws));
    const run = this.docs.readRun(ws, p.runId);
    const files = run ? listDir(run, p.path) : null;
    sendJsonText(res, files && files.length ? protoJson({ files }) : '{}');
  }

  /** The tracking API's `artifacts/list`: paths relative to the run's artifact root, with `root_uri`. */
  list(ws: WorkspaceId, runId: string, rawPath: string | undefined, pageToken: string | undefined): unknown {
    const dir = safePath(rawPath ?? '');
    const run = this.docs.requireRun(ws, runId);
    const files = (listDir(run, dir) ?? []).map((f) => ({ ...f, path: dir ? `${dir}/${f.path}` : f.path }));
    const offset = decodeOffsetToken(pageToken);
    const page = files.slice(offset, offset + 1000);
    const out: Record<string, unknown> = { root_uri: run.info.artifactUri };
    if (page.length) out.files = page;
    if (offset + 1000 < files.length) out.next_page_token = encodeOffsetToken(offset + 1000);
    return out;
  }

  /** DELETE: the reference leaves the run doc (the blob stays: other runs may hold the same bytes). */
  delete(ws: WorkspaceId, actor: string, res: ServerResponse, raw: string): void {
    const { runId, path } = parseProxyPath(raw, this.modelRun(ws));
    this.docs.writeRun(ws, actor, runId, (c) => {
      if (doc.deleteArtifactRefs(c, { runId, path }) === 0) throw notFound(`Artifact '${path}' of run ${runId} not found`);
    });
    sendJsonText(res, '{}');
  }
}

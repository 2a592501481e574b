import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as doc from '../../../lib/doc/index';
import { ArtifactPathSchema, CairnError, RunIdSchema, Sha256Schema, invalid, notFound, type ArtifactRef, type Run, type WorkspaceId } from '../../../lib/domain/index';
import type { DiskBlobStore } from '../blob-store';
import { pipeToResponse } from '../http-response';
import { contentDisposition } from '../http-routes';
import type { DocAccess } from './docs';
import { decodeOffsetToken, encodeOffsetToken, protoJson, sendJsonText, statusError } from './wire';

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

export function parseProxyPath(raw: string): ProxyPath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw invalid(`Invalid path: '${raw}'`);
  }
  if (decoded.startsWith('/') || decoded.includes('\0') || decoded.split('/').includes('..')) throw invalid(`Invalid path: '${decoded}'`);
  const parts = decoded.split('/');
  if (parts[1] === 'models') {
    throw statusError('NOT_IMPLEMENTED', `Logged-model artifacts are not stored by this server yet: '${decoded}'`, 501);
  }
  if (parts.length < 3 || parts[2] !== 'artifacts' || !RunIdSchema.safeParse(parts[1]).success) {
    throw invalid(`Invalid artifact path '${decoded}': expected <experiment_id>/<run_id>/artifacts/<path>`);
  }
  return { runId: parts[1]!, path: safePath(parts.slice(3).join('/')) };
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
    if (!seen.has(name)) seen.set(name, slash < 0 ? { path: name, is_dir: false, file_size: a.size } : { path: name, is_dir: true });
  }
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** A multipart upload in progress (kept in memory: a relay restart forgets it, and the client starts again). */
interface Upload {
  ws: WorkspaceId;
  actor: string;
  runId: string;
  path: string;
  numParts: number;
  createdAt: number;
  dir: string;
  /** Part number → its ETag (the part's sha256). */
  parts: Map<number, string>;
}

/** The most parts one upload may have (S3's limit). */
const MAX_PARTS = 10_000;
/** Uploads neither completed nor aborted are dropped after this long. */
const UPLOAD_TTL_MS = 24 * 3600_000;
const UPLOAD_ID = /^[0-9a-f]{32}$/;

export class ArtifactDoor {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly docs: DocAccess,
    private readonly blobs: DiskBlobStore,
    private readonly tmpDir: string,
  ) {}

  /**
   * `mpu/create/<path>` (REST-18): an upload id and one part URL per part on this relay. MLflow's client PUTs each part
   * to its URL with only the headers given (no tracking token), so the URL carries the upload id, 128 random bits
   * that only the creator learned: the id is the part's credential.
   */
  async createUpload(ws: WorkspaceId, actor: string, raw: string, body: Record<string, unknown>, origin: string): Promise<unknown> {
    const { runId, path } = parseProxyPath(raw);
    if (path === '') throw invalid('A multipart upload needs a file path under the run\'s artifacts/');
    const numParts = Number(body.num_parts);
    if (!Number.isSafeInteger(numParts) || numParts < 1 || numParts > MAX_PARTS) throw invalid(`num_parts must be an integer from 1 to ${MAX_PARTS}`);
    const run = this.docs.requireRun(ws, runId);
    if (run.info.lifecycleStage !== 'active') throw invalid(`The run ${runId} must be in the 'active' state. Current state is deleted.`);
    await this.dropStale();
    const uploadId = randomBytes(16).toString('hex');
    const dir = join(this.tmpDir, `mpu-${uploadId}`);
    await mkdir(dir, { recursive: true });
    this.uploads.set(uploadId, { ws, actor, runId, path, numParts, createdAt: Date.now(), dir, parts: new Map() });
    const credentials = Array.from({ length: numParts }, (_, i) => ({ url: `${origin}/api/2.0/mlflow-artifacts/mpu/part/${uploadId}/${i + 1}`, part_number: i + 1, headers: {} }));
    return { upload_id: uploadId, credentials };
  }

  /** `PUT mpu/part/<upload_id>/<n>`: one part, stored beside the others; its ETag is its sha256. */
  async putPart(res: ServerResponse, req: IncomingMessage, uploadId: string, partRaw: string): Promise<void> {
    const up = UPLOAD_ID.test(uploadId) ? this.uploads.get(uploadId) : undefined;
    if (!up) throw notFound(`No multipart upload with id ${uploadId}`);
    const part = Number(partRaw);
    if (!Number.isSafeInteger(part) || part < 1 || part > up.numParts) throw invalid(`part number must be from 1 to ${up.numParts}`);
    const hash = createHash('sha256');
    const max = this.blobs.maxBytes;
    let size = 0;
    const file = join(up.dir, `part-${part}`);
    try {
      await pipeline(
        req,
        new Transform({
          transform(chunk: Buffer, _e, done) {
            size += chunk.length;
            if (size > max) return done(statusError('REQUEST_LIMIT_EXCEEDED', `part exceeds the limit of ${max} bytes`, 413));
            hash.update(chunk);
            done(null, chunk);
          },
        }),
        createWriteStream(file),
      );
    } catch (err) {
      await unlink(file).catch(() => undefined);
      throw err;
    }
    const etag = `"${hash.digest('hex')}"`;
    up.parts.set(part, etag);
    res.writeHead(200, { etag, 'content-length': 0 });
    res.end();
  }

  /**
   * `mpu/complete/<path>`: every part present (and each ETag as given back), concatenated in part order into the blob
   * store and the reference committed to the run doc, as a single PUT would.
   */
  async completeUpload(ws: WorkspaceId, raw: string, body: Record<string, unknown>): Promise<void> {
    const up = this.uploadOf(ws, raw, body);
    const listed = Array.isArray(body.parts) ? (body.parts as { part_number?: unknown; etag?: unknown }[]) : [];
    for (let n = 1; n <= up.numParts; n++) {
      const etag = up.parts.get(n);
      if (!etag) throw invalid(`Part ${n} of upload ${body.upload_id} was not uploaded`);
      const given = listed.find((p) => Number(p.part_number) === n);
      if (given && given.etag !== undefined && given.etag !== '' && given.etag !== etag) throw invalid(`Part ${n}: ETag ${String(given.etag)} does not match the part uploaded`);
    }
    const joined = join(up.dir, 'joined');
    const hash = createHash('sha256');
    let size = 0;
    const max = this.blobs.maxBytes;
    const out = createWriteStream(joined);
    const parts = Array.from({ length: up.numParts }, (_, i) => join(up.dir, `part-${i + 1}`));
    await pipeline(
      (async function* () {
        for (const p of parts) {
          for await (const chunk of createReadStream(p)) {
            size += (chunk as Buffer).length;
            if (size > max) throw statusError('REQUEST_LIMIT_EXCEEDED', `artifact exceeds the limit of ${max} bytes`, 413);
            hash.update(chunk as Buffer);
            yield chunk as Buffer;
          }
        }
      })(),
      out,
    );
    const sha = Sha256Schema.parse(hash.digest('hex'));
    if ((await this.blobs.size(sha)) === null) await this.blobs.put(sha, createReadStream(joined));
    const ref: ArtifactRef = { path: up.path, size, sha256: sha, mediaType: 'application/octet-stream', loggedAt: Date.now() };
    this.docs.writeRun(up.ws, up.actor, up.runId, (c) => doc.logArtifactRef(c, { runId: up.runId, ref }));
    await this.forget(String(body.upload_id));
  }

  /** `mpu/abort/<path>`: the parts are deleted. */
  async abortUpload(ws: WorkspaceId, raw: string, body: Record<string, unknown>): Promise<void> {
    this.uploadOf(ws, raw, body);
    await this.forget(String(body.upload_id));
  }

  private uploadOf(ws: WorkspaceId, raw: string, body: Record<string, unknown>): Upload {
    const { runId, path } = parseProxyPath(raw);
    const id = typeof body.upload_id === 'string' ? body.upload_id : '';
    const up = UPLOAD_ID.test(id) ? this.uploads.get(id) : undefined;
    if (!up || up.ws !== ws || up.runId !== runId || up.path !== path) throw notFound(`No multipart upload with id ${id} for this path`);
    return up;
  }

  private async forget(id: string): Promise<void> {
    const up = this.uploads.get(id);
    this.uploads.delete(id);
    if (up) await rm(up.dir, { recursive: true, force: true });
  }

  private async dropStale(): Promise<void> {
    const now = Date.now();
    for (const [id, up] of this.uploads) if (now - up.createdAt > UPLOAD_TTL_MS) await this.forget(id);
  }

  /** PUT: the body streamed into the blob store (hashed on the way), then its reference committed to the run doc. */
  async put(ws: WorkspaceId, actor: string, req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const { runId, path } = parseProxyPath(raw);
    if (path === '') throw invalid('An artifact PUT needs a file path under the run\'s artifacts/');
    // Checked before the upload so a refused write costs no bytes on disk.
    const run = this.docs.requireRun(ws, runId);
    if (run.info.lifecycleStage !== 'active') throw invalid(`The run ${runId} must be in the 'active' state. Current state is deleted.`);
    const { sha256, size } = await this.store(req);
    const type = String(req.headers['content-type'] ?? 'application/octet-stream').slice(0, 255) || 'application/octet-stream';
    const ref: ArtifactRef = { path, size, sha256: sha256 as ArtifactRef['sha256'], mediaType: type, loggedAt: Date.now() };
    this.docs.writeRun(ws, actor, runId, (c) => doc.logArtifactRef(c, { runId, ref }));
    sendJsonText(res, '{}');
  }

  /** The body into the blob store in one pass, named by the sha256 of its bytes (DiskBlobStore.putUnnamed). */
  private async store(req: IncomingMessage): Promise<{ sha256: string; size: number }> {
    const max = this.blobs.maxBytes;
    const tooLarge = () => statusError('REQUEST_LIMIT_EXCEEDED', `artifact exceeds the limit of ${max} bytes`, 413);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) throw tooLarge();
    try {
      return await this.blobs.putUnnamed(req);
    } catch (err) {
      if (err instanceof CairnError && err.code === 'REQUEST_LIMIT_EXCEEDED') throw tooLarge();
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
    const { runId, path } = parseProxyPath(raw);
    return this.get(ws, res, runId, path);
  }

  /** The proxy's list: `?path=<exp>/<run>/artifacts[/<dir>]`; a file or a missing path is `{}`, as MLflow answers. */
  listProxied(ws: WorkspaceId, res: ServerResponse, rawPath: string | null): void {
    if (!rawPath) return sendJsonText(res, '{}');
    // Outside a run's artifacts (logged models): 501, as for their uploads, rather than an empty listing.
    const p = parseProxyPath(rawPath);
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
    const { runId, path } = parseProxyPath(raw);
    this.docs.writeRun(ws, actor, runId, (c) => {
      if (doc.deleteArtifactRefs(c, { runId, path }) === 0) throw notFound(`Artifact '${path}' of run ${runId} not found`);
    });
    sendJsonText(res, '{}');
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as doc from '../../../lib/doc/index';
import { ArtifactPathSchema, RunIdSchema, Sha256Schema, invalid, notFound, type ArtifactRef, type Run, type WorkspaceId } from '../../../lib/domain/index';
import type { DiskBlobStore } from '../blob-store';
import { pipeToResponse } from '../http-response';
import type { DocAccess } from './docs';
import { decodeOffsetToken, encodeOffsetToken, protoJson, sendJsonText, statusError } from './wire';

/**
 * Artifacts through the door (SPEC REST-15..REST-17): MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/
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

export class ArtifactDoor {
  constructor(
    private readonly docs: DocAccess,
    private readonly blobs: DiskBlobStore,
    private readonly tmpDir: string,
  ) {}

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

  private async store(req: IncomingMessage): Promise<{ sha256: string; size: number }> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > this.blobs.maxBytes) throw statusError('REQUEST_LIMIT_EXCEEDED', `artifact exceeds the limit of ${this.blobs.maxBytes} bytes`, 413);
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = join(this.tmpDir, `rest-${randomBytes(8).toString('hex')}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const max = this.blobs.maxBytes;
    try {
      await pipeline(
        req,
        new Transform({
          transform(chunk: Buffer, _e, done) {
            size += chunk.length;
            if (size > max) return done(statusError('REQUEST_LIMIT_EXCEEDED', `artifact exceeds the limit of ${max} bytes`, 413));
            hash.update(chunk);
            done(null, chunk);
          },
        }),
        createWriteStream(tmp),
      );
      const sha = Sha256Schema.parse(hash.digest('hex'));
      if ((await this.blobs.size(sha)) === null) await this.blobs.put(sha, createReadStream(tmp));
      return { sha256: sha, size };
    } finally {
      await unlink(tmp).catch(() => undefined);
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
    const name = path.split('/').pop()!;
    res.writeHead(200, {
      'content-type': ref.mediaType,
      'content-length': size,
      'content-disposition': `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`,
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
      const d = doc.requireRun(c, runId);
      const inside = (k: string) => path === '' || k === path || k.startsWith(`${path}/`);
      const keys = [...doc.runArtifacts(d).keys()].filter(inside);
      if (keys.length === 0) throw notFound(`Artifact '${path}' of run ${runId} not found`);
      d.transact(() => {
        for (const k of keys) doc.runArtifacts(d).delete(k);
      }, doc.LOCAL_ORIGIN);
    });
    sendJsonText(res, '{}');
  }
}

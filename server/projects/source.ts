/**
 * Where a project's files come from (MLflow's `_fetch_project`): a local folder (run in place), a `file://` URI, a zip
 * (a local file or an http(s) URL, extracted into the cache) or git (cloned shallow into the cache at `--version`).
 * `#subdir` picks a folder inside any of them. The result says what the run records about its source (RUN-1..RUN-6).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { CairnError, invalid, notFound } from '../../lib/domain';
import { readZip } from '../../lib/models/zip';
import { parseProjectUri } from './_spec-shim';
import { contentHash } from './content-hash';
import { checkoutInfo, cloneAt, gitUrl, isBareRepo, workTreeRoot, type GitInfo } from './git';

/** A downloaded project zip may be this big at most: a project is code, not its data set. */
const MAX_ZIP_BYTES = 512 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

export type SourceKind = 'local' | 'zip' | 'git';

export interface ProjectSource {
  /** The URI exactly as given (with `#subdir`): `cairn.project.uri`. */
  uri: string;
  kind: SourceKind;
  /** The project folder (the subdir of the checkout or extraction when one was given): where the command runs. */
  dir: string;
  /** `mlflow.source.name`: the git remote URL of a git source or checkout, else the absolute path or the URI. */
  sourceName: string;
  /** The `--version` asked for. */
  version: string | undefined;
  git: GitInfo | undefined;
  /** `cairn.project.contentHash` of `dir`. */
  contentHash: string;
}

export interface SourceOptions {
  version?: string;
  /** Defaults to `projectsCacheRoot()`. */
  cacheRoot?: string;
}

/** `$CAIRN_PROJECTS_CACHE`, else `$XDG_CACHE_HOME/cairn/projects`, else `~/.cache/cairn/projects`. */
export function projectsCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CAIRN_PROJECTS_CACHE) return resolve(env.CAIRN_PROJECTS_CACHE);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cairn', 'projects');
}

/** The cache folder of one (URI, version): sha256 of both, so two versions of one repo never share a checkout. */
function cacheDirFor(root: string, base: string, version: string | undefined): string {
  return join(root, createHash('sha256').update(`${base}\0${version ?? ''}`).digest('hex'));
}

export async function resolveSource(uri: string, o: SourceOptions = {}): Promise<ProjectSource> {
  const p = parseProjectUri(uri);
  const cacheRoot = o.cacheRoot ?? projectsCacheRoot();
  const version = o.version || undefined;
  const finish = (root: string, sourceName: string, kind: SourceKind, git: GitInfo | undefined): ProjectSource => {
    const dir = p.subdir ? join(root, p.subdir) : root;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw notFound(`No folder '${p.subdir}' in the project at '${p.base}'`);
    return { uri, kind, dir, sourceName, version, git, contentHash: contentHash(dir) };
  };

  if (p.kind === 'zip') {
    if (version) throw invalid(`--version is only supported for git project URIs; '${p.base}' is a zip file`);
    const root = await extractZip(p.base, cacheDirFor(cacheRoot, p.base, undefined));
    return finish(root, /^https?:\/\//i.test(p.base) ? p.base : resolve(localPath(p.base)), 'zip', undefined);
  }
  if (p.kind === 'git') {
    const dest = cacheDirFor(cacheRoot, p.base, version);
    const info = await cloneInto(dest, (tmp) => cloneAt(p.base, version, tmp));
    return finish(dest, p.base, 'git', info);
  }
  const path = resolve(p.kind === 'file' ? localPath(p.base) : p.base);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw notFound(`No project folder at '${path}'`);
  if (await isBareRepo(path)) {
    const dest = cacheDirFor(cacheRoot, path, version);
    const info = await cloneInto(dest, (tmp) => cloneAt(gitUrl(path), version, tmp));
    return finish(dest, path, 'git', { ...info, repoUrl: path });
  }
  const top = await workTreeRoot(path);
  if (version) {
    if (!top) throw invalid(`--version needs a git project: '${path}' is not in a git checkout`);
    // The checkout's own state (uncommitted edits, another branch) is not that version: clone it at the version.
    const origin = (await checkoutInfo(top)).repoUrl;
    const dest = cacheDirFor(cacheRoot, top, version);
    const info = await cloneInto(dest, (tmp) => cloneAt(gitUrl(top), version, tmp));
    return finish(join(dest, relative(top, path)), origin ?? top, 'git', { ...info, repoUrl: origin ?? top });
  }
  if (!top) return finish(path, path, 'local', undefined);
  const { commit, repoUrl } = await checkoutInfo(top).catch(() => ({ commit: '', repoUrl: undefined }));
  // A checkout with no commit yet has nothing git could reproduce: it is a plain folder.
  if (!commit) return finish(path, path, 'local', undefined);
  return finish(path, repoUrl ?? path, 'local', { commit, branch: undefined, repoUrl });
}

function localPath(base: string): string {
  if (!base.startsWith('file:')) return base;
  try {
    return fileURLToPath(base);
  } catch {
    throw invalid(`Invalid file URI '${base}'`);
  }
}

/** Clones into a temp sibling, then swaps it in: a failed clone leaves the previous checkout as it was. */
async function cloneInto(dest: string, clone: (tmp: string) => Promise<GitInfo>): Promise<GitInfo> {
  const tmp = `${dest}.tmp-${process.pid}-${Date.now().toString(36)}`;
  mkdirSync(dirname(dest), { recursive: true });
  try {
    const info = await clone(tmp);
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
    return info;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Extracts a project zip (DEFLATE or STORE, every CRC and path checked by lib/models' reader) into `dest`. A zip
 * whose files all sit in one top folder (as GitHub's archives do) without an MLproject beside it is that folder.
 */
async function extractZip(base: string, dest: string): Promise<string> {
  const bytes = /^https?:\/\//i.test(base) ? await download(base) : readLocalZip(localPath(base));
  const files = readZip(bytes, { inflateRaw: (d) => new Uint8Array(inflateRawSync(d)) });
  const tmp = `${dest}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    for (const [path, data] of files) {
      const out = join(tmp, path);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, data);
    }
    mkdirSync(tmp, { recursive: true });
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const tops = new Set([...files.keys()].map((p) => p.split('/')[0]!));
  const [only] = tops;
  if (tops.size === 1 && only !== undefined && !files.has('MLproject') && [...files.keys()].every((p) => p.startsWith(`${only}/`))) return join(dest, only);
  return dest;
}

function readLocalZip(path: string): Uint8Array {
  if (!existsSync(path)) throw notFound(`No project zip at '${resolve(path)}'`);
  return new Uint8Array(readFileSync(path));
}

async function download(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (e) {
    throw new CairnError('TEMPORARILY_UNAVAILABLE', `Could not download the project zip ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) throw new CairnError(res.status === 404 ? 'RESOURCE_DOES_NOT_EXIST' : 'TEMPORARILY_UNAVAILABLE', `Downloading ${url} answered HTTP ${res.status}`);
  const len = Number(res.headers.get('content-length') ?? 0);
  if (len > MAX_ZIP_BYTES) throw invalid(`The project zip ${url} is ${len} bytes; at most ${MAX_ZIP_BYTES} are accepted`);
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.length > MAX_ZIP_BYTES) throw invalid(`The project zip ${url} is over ${MAX_ZIP_BYTES} bytes`);
  return buf;
}

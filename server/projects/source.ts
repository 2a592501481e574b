/**
 * Where a project's files come from (MLflow's `_fetch_project`): a local folder (run in place), a `file://` URI, a zip
 * (a local file or an http(s) URL, extracted into the cache) or git (cloned shallow into the cache at `--version`).
 * `#subdir` picks a folder inside any of them. The result says what the run records about its source (RUN-1..RUN-6).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { invalid, notFound } from '../../lib/domain';
import { readZip } from '../../lib/models/zip';
import { checkGitVersion, localFolderKind, parseProjectUri } from '../../lib/projects';
import { contentHash } from './content-hash';
import { downloadBytes } from './download';
import { checkoutInfo, cloneAt, gitUrl, workTreeRoot, type GitInfo } from './git';

/** A downloaded project zip may be this big at most: a project is code, not its data set. */
const MAX_ZIP_BYTES = 512 * 1024 * 1024;
/** Everything a project zip unpacks to, by its entries' declared sizes (a zip bomb is refused before it inflates). */
const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;

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
  const version = o.version ? checkGitVersion(o.version) : undefined;
  const finish = (root: string, sourceName: string, kind: SourceKind, git: GitInfo | undefined): ProjectSource => {
    const dir = p.subdir ? join(root, p.subdir) : root;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw notFound(`No folder '${p.subdir}' in the project at '${p.base}'`);
    return { uri, kind, dir, sourceName, version, git, contentHash: contentHash(dir) };
  };
  const cloned = async (url: string, key: string, sourceName: string, repoUrl: string) => {
    const dest = cacheDirFor(cacheRoot, key, version);
    const info = await cloneInto(dest, (tmp) => cloneAt(url, version, tmp));
    return finish(dest, sourceName, 'git', { ...info, repoUrl });
  };

  if (p.kind === 'zip') {
    if (version) throw invalid(`--version is only supported for git project URIs; '${p.base}' is a zip file`);
    const where = p.remote ? p.base : resolve(p.path!);
    const root = await extractZip(p.remote ? p.base : undefined, where, cacheDirFor(cacheRoot, where, undefined));
    return finish(root, where, 'zip', undefined);
  }
  if (p.kind === 'git') return cloned(p.base, p.base, p.base, p.base);
  const path = resolve(p.path!);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw notFound(`No project folder at '${path}'`);
  const folder = localFolderKind(readdirSync(path));
  // A bare repository has no working tree to run: it is cloned like a remote one.
  if (folder === 'git-bare') return cloned(gitUrl(path), path, path, path);
  if (folder === 'git-worktree' && version) {
    // The checkout's own state (uncommitted edits, another branch) is not that version: it is cloned at the version.
    const origin = (await checkoutInfo(path).catch(() => ({ repoUrl: undefined }))).repoUrl;
    return cloned(gitUrl(path), path, origin ?? path, origin ?? path);
  }
  if (version) throw invalid(`Setting a version is only supported for git project URIs: '${path}' is not the top of a git checkout or a git repository`);
  // In place. Inside a checkout (its top or any folder below), the run records its commit and origin, as MLflow does.
  const top = await workTreeRoot(path);
  const info = top ? await checkoutInfo(top).catch(() => null) : null;
  if (!info?.commit) return finish(path, path, 'local', undefined);
  return finish(path, info.repoUrl ?? path, 'local', { commit: info.commit, branch: undefined, repoUrl: info.repoUrl });
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

/** A project zip's files (STORE or DEFLATE, every CRC and path checked), never unpacking past what it declares. */
export function readProjectZip(bytes: Uint8Array): Map<string, Uint8Array> {
  return readZip(bytes, {
    // Never more than the entry says it holds: a few KB of DEFLATE can unpack to gigabytes.
    inflateRaw: (d, size) => new Uint8Array(inflateRawSync(d, { maxOutputLength: Math.max(1, size) })),
    maxBytes: MAX_UNPACKED_BYTES,
  });
}

/**
 * Extracts a project zip (DEFLATE or STORE, every CRC and path checked by lib/models' reader) into `dest`. A zip
 * whose files all sit in one top folder (as GitHub's archives do) without an MLproject beside it is that folder.
 */
async function extractZip(url: string | undefined, path: string, dest: string): Promise<string> {
  const bytes = url ? await downloadBytes(url, 'the project zip', MAX_ZIP_BYTES) : readLocalZip(path);
  const files = readProjectZip(bytes);
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


/**
 * The few git operations a project source needs, each one `git` process started with execFile (never a shell: a URI
 * or version holding `;` or `$(...)` is one argv word). Clones are shallow (depth 1) as MLflow's are; a commit that no
 * branch or tag names is fetched by itself (servers allowing it, e.g. uploadpack.allowReachableSHA1InWant), and a full
 * clone is the last resort.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CairnError } from '../../lib/domain';

/** One git call may take this long (a clone over a slow link); a hung credential prompt must not hang `cairn run`. */
const GIT_TIMEOUT_MS = 5 * 60_000;

export interface GitInfo {
  commit: string;
  /** Set when the version asked for is a branch (MLflow's `mlflow.source.git.branch`). */
  branch: string | undefined;
  repoUrl: string | undefined;
}

/** A git command that failed (a bad URL, an unknown version): bad input from the caller's side. */
export class GitError extends CairnError {
  constructor(message: string) {
    super('INVALID_PARAMETER_VALUE', message);
  }
}

/** Runs `git args...` in `cwd`; resolves stdout (trimmed), rejects GitError with git's stderr. */
export function git(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'git',
      args,
      // No prompt for credentials: a private URL fails at once instead of waiting on a terminal nobody watches.
      { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') reject(new CairnError('NOT_IMPLEMENTED', 'git is not installed (needed for git project URIs and --version)'));
          else reject(new GitError(`git ${args[0]} failed: ${String(stderr).trim() || err.message}`));
          return;
        }
        resolvePromise(String(stdout).trim());
      },
    );
  });
}

/** The work tree root when `dir` is inside a git checkout, else null (also when git is missing). */
export async function workTreeRoot(dir: string): Promise<string | null> {
  try {
    return (await git(['rev-parse', '--show-toplevel'], dir)) || null;
  } catch {
    return null;
  }
}

/** A checkout's commit and its `origin` URL (MLflow names a local git project's source by its remote). */
export async function checkoutInfo(dir: string): Promise<{ commit: string; repoUrl: string | undefined }> {
  const commit = await git(['rev-parse', 'HEAD'], dir);
  const repoUrl = await git(['remote', 'get-url', 'origin'], dir).catch(() => undefined);
  return { commit, repoUrl: repoUrl || undefined };
}

/** What git is given for a repo URL: a local path becomes a file:// URL, so depth and fetch-by-commit work on it. */
export function gitUrl(uri: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || /^[\w.-]+@[\w.-]+:/.test(uri)) return uri;
  return pathToFileURL(isAbsolute(uri) ? uri : resolve(uri)).href;
}

/**
 * A fresh checkout of `url` at `version` (a branch, tag or commit; the default branch when absent) in `dest`, which
 * is replaced. Submodules are brought in too, as MLflow does.
 */
export async function cloneAt(url: string, version: string | undefined, dest: string): Promise<GitInfo> {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const base = ['-c', 'advice.detachedHead=false'];
  let branch: string | undefined;
  if (version === undefined) {
    await git([...base, 'clone', '--quiet', '--depth', '1', '--', url, dest]);
  } else if (await cloneRef(url, version, dest)) {
    // `clone --branch` takes a branch or a tag; on a branch HEAD is symbolic, on a tag it is detached.
    const head = await git(['symbolic-ref', '-q', 'HEAD'], dest).catch(() => '');
    if (head === `refs/heads/${version}`) branch = version;
  } else {
    await fetchCommit(url, version, dest);
  }
  if (existsSync(join(dest, '.gitmodules'))) await git(['submodule', 'update', '--init', '--recursive', '--depth', '1'], dest);
  const commit = await git(['rev-parse', 'HEAD'], dest);
  return { commit, branch, repoUrl: url };
}

/** `clone --depth 1 --branch <version>`: true when the version is a branch or tag of the remote. */
async function cloneRef(url: string, version: string, dest: string): Promise<boolean> {
  const refs = await git(['ls-remote', '--', url, `refs/heads/${version}`, `refs/tags/${version}`]);
  if (!refs) return false;
  await git(['-c', 'advice.detachedHead=false', 'clone', '--quiet', '--depth', '1', '--branch', version, '--', url, dest]);
  return true;
}

/** A commit no ref names: fetched alone at depth 1 when the server allows it, else from a full clone. */
async function fetchCommit(url: string, version: string, dest: string): Promise<void> {
  if (version.startsWith('-')) throw new CairnError('INVALID_PARAMETER_VALUE', `Invalid version '${version}'`);
  await git(['init', '--quiet'], dest);
  await git(['remote', 'add', 'origin', url], dest);
  try {
    await git(['fetch', '--quiet', '--depth', '1', 'origin', version], dest);
    await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', 'FETCH_HEAD'], dest);
    // A server may answer a fetch of an abbreviated or unknown name with something else: it must be the commit asked.
    const got = await git(['rev-parse', 'HEAD'], dest);
    if (got.startsWith(version.toLowerCase())) return;
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
  }
  rmSync(dest, { recursive: true, force: true });
  await git(['clone', '--quiet', '--no-checkout', '--', url, dest]);
  try {
    await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', version, '--'], dest);
  } catch (e) {
    if (e instanceof GitError) throw new CairnError('INVALID_PARAMETER_VALUE', `'${version}' is not a branch, tag or commit of ${url}`);
    throw e;
  }
}

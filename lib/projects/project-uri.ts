/**
 * What a `cairn run <uri>` URI names, decided from its text alone (pure; the runner in server/projects looks at the
 * disk). MLflow's rules (mlflow/projects/utils.py): `_parse_subdirectory` splits at the first `#`; `_is_zip_uri` is
 * "ends with .zip"; `_is_local_uri` is "exists on disk" (older MLflow: "no `scheme:` before the first slash"); anything
 * else is handed to git; `_is_git_repo` (a local folder with branches) decides whether `--version` may be used on a
 * local folder. PROJ-U*.
 */
import { CairnError } from '../domain/errors';

export interface ProjectUri {
  /** The URI as given, with its `#subdir`. */
  uri: string;
  /** The part before `#`. */
  base: string;
  /** The subdirectory after `#`, normalised (`a/b`, no `.`/`..`, no leading or doubled slash); '' for none. */
  subdir: string;
  /** `local`: a folder (a plain path or `file://`); `zip`: a zip archive; `git`: a repository git must fetch. */
  kind: 'local' | 'zip' | 'git';
  /** The filesystem path, for a local folder or a local zip (`file://` decoded); undefined when remote. */
  path: string | undefined;
  /** A zip fetched over http(s). */
  remote: boolean;
}

/** Schemes git itself fetches from; `file://` is a local folder first (it may still be a git repository). */
const GIT_SCHEMES = ['http', 'https', 'ssh', 'git', 'git+ssh', 'ssh+git', 'git+https', 'git+http'];
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** scp-like git address, `[user@]host:path`: a colon before any slash, not a Windows drive letter. */
const SCP_LIKE = /^(?:[^@/:\s]+@)?[^/:\s]{2,}:(?!\/\/)/;

function invalid(message: string): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', message, { field: 'uri' });
}

/** `#a/b` → `a/b`; `.` and `..` segments refused so a subdir can never climb out of the project. */
function parseSubdir(subdir: string): string {
  if (subdir.startsWith('/') || subdir.includes('\\')) {
    throw invalid(`Project subdirectory '${subdir}' must be a relative path with '/' separators`);
  }
  const segments = subdir.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) {
    throw invalid(`'.' and '..' are not allowed in project subdirectory paths ('${subdir}')`);
  }
  return segments.join('/');
}

function fileUriPath(base: string): string {
  // file:///abs → /abs; file://host/p → host/p (MLflow joins netloc and path); file:/abs → /abs.
  const rest = base.startsWith('file://') ? base.slice('file://'.length) : base.slice('file:'.length);
  let path: string;
  try {
    path = decodeURIComponent(rest);
  } catch {
    throw invalid(`'${base}' is not a valid file URI (bad %-escape)`);
  }
  if (!path) throw invalid(`'${base}' names no path`);
  return path;
}

/** Split and classify a project URI. Throws CairnError('INVALID_PARAMETER_VALUE') for one that names nothing runnable. */
export function parseProjectUri(uri: string): ProjectUri {
  const hash = uri.indexOf('#');
  const base = hash < 0 ? uri : uri.slice(0, hash);
  const subdir = hash < 0 ? '' : parseSubdir(uri.slice(hash + 1));
  if (base.trim() === '') throw invalid(`No project URI given ('${uri}')`);
  const scheme = SCHEME.exec(base)?.[1]?.toLowerCase();
  const drive = /^[A-Za-z]:[\\/]/.test(base);
  const isZip = base.endsWith('.zip');
  const out = { uri, base, subdir };
  if (scheme === 'file') return { ...out, kind: isZip ? 'zip' : 'local', path: fileUriPath(base), remote: false };
  if (scheme && !drive && base.slice(scheme.length + 1).startsWith('//')) {
    if (isZip) {
      if (scheme !== 'http' && scheme !== 'https') throw invalid(`Cannot fetch a zip project from '${scheme}:' (http, https or a local file)`);
      return { ...out, kind: 'zip', path: undefined, remote: true };
    }
    if (!GIT_SCHEMES.includes(scheme)) throw invalid(`Cannot fetch a project from '${scheme}:' URIs (a folder, file://, a .zip, or a git URI: ${GIT_SCHEMES.join(', ')})`);
    return { ...out, kind: 'git', path: undefined, remote: false };
  }
  if (!drive && SCP_LIKE.test(base)) {
    if (isZip) throw invalid(`Cannot fetch a zip project from '${base}' (http, https or a local file)`);
    return { ...out, kind: 'git', path: undefined, remote: false };
  }
  return { ...out, kind: isZip ? 'zip' : 'local', path: base, remote: false };
}

/**
 * What a local folder is, from the names of its entries: a bare git repository (`HEAD`, `objects`, `refs`: cloned
 * like a remote one, since it has no working tree to run), a git working tree (`.git`: run in place, or cloned at
 * `--version` when one is given, as MLflow does), or a plain folder (`--version` refused: "Setting a version is only
 * supported for Git project URIs").
 */
export function localFolderKind(entryNames: readonly string[]): 'git-bare' | 'git-worktree' | 'plain' {
  if (entryNames.includes('.git')) return 'git-worktree';
  if (['HEAD', 'objects', 'refs'].every((n) => entryNames.includes(n))) return 'git-bare';
  return 'plain';
}

/**
 * A `--version` (branch, tag or commit) safe to hand to git as one argument: not an option (`--upload-pack=...`),
 * and only characters a ref name or a hash can have (git check-ref-format).
 */
export function checkGitVersion(version: string): string {
  const bad =
    version === '' ||
    version.startsWith('-') ||
    version.includes('..') ||
    version.endsWith('.lock') ||
    version.endsWith('/') ||
    version.endsWith('.') ||
    version.includes('@{') ||
    /[\s~^:?*[\\]/.test(version) ||
    [...version].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (bad) throw invalid(`'${version}' is not a git branch, tag or commit`);
  return version;
}

/**
 * MLflow's `path` parameters (`_compute_path_value`): a local path must exist and is made absolute; a URI is
 * downloaded into the run's storage folder and the child gets the local file. Here http(s) and file URIs are fetched;
 * other schemes (s3:, gs:, ...) are refused by name rather than passed on as if they were paths (RUN-6).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError, invalid } from '../../lib/domain';
import { resolveParams, type EntryPointSpec, type ResolvedParams } from '../../lib/projects';
import { downloadToFile } from './download';

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** A path parameter's download (a dataset, a model) is streamed to disk; this much at most. */
const MAX_PATH_DOWNLOAD_BYTES = 64 * 1024 ** 3;

export interface PathContext {
  /** Where relative paths are looked for first (the caller's working directory), then the project folder. */
  cwd: string;
  projectDir: string;
  /** Where downloaded `path` values go (MLflow's --storage-dir). */
  storageDir: string;
}

function localPath(value: string, ctx: PathContext): string {
  for (const base of [ctx.cwd, ctx.projectDir]) {
    const p = resolve(base, value);
    if (existsSync(p)) return p;
  }
  throw invalid(`Got value '${value}' for a path parameter, but no such file or directory was found`);
}

async function download(uri: string, ctx: PathContext): Promise<string> {
  const scheme = URI.exec(uri)![0].slice(0, -1).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'file') {
    throw new CairnError('NOT_IMPLEMENTED', `Cannot download '${uri}' for a path parameter: cairn run fetches http, https and file URIs`);
  }
  mkdirSync(ctx.storageDir, { recursive: true });
  const name = basename(new URL(uri).pathname) || 'download';
  const dest = join(ctx.storageDir, name);
  if (scheme === 'file') {
    copyFileSync(fileURLToPath(uri), dest);
    return dest;
  }
  await downloadToFile(uri, dest, 'a path parameter\'s file', MAX_PATH_DOWNLOAD_BYTES);
  return dest;
}

/**
 * lib/projects' resolveParams with `path` values resolved. Two passes: the first refuses missing parameters (and bad
 * local paths) before anything is downloaded; the second fills in the downloaded files. `logged` is what the run
 * records: a downloaded value as its URI (the temp file is gone after the run; the URI runs it again).
 */
export async function resolveProjectParams(
  ep: EntryPointSpec,
  given: Record<string, string>,
  ctx: PathContext,
): Promise<{ params: ResolvedParams; logged: Record<string, string> }> {
  const remote = new Set<string>();
  resolveParams(ep, given, {
    resolvePath: (v) => {
      if (URI.test(v)) remote.add(v);
      else localPath(v, ctx);
      return v;
    },
  });
  const fetched = new Map<string, string>();
  for (const uri of remote) fetched.set(uri, await download(uri, ctx));
  const params = resolveParams(ep, given, { resolvePath: (v) => fetched.get(v) ?? localPath(v, ctx) });
  const back = new Map([...fetched].map(([uri, file]) => [file, uri]));
  const declared = Object.fromEntries(Object.entries(params.declared).map(([k, v]) => [k, back.get(v) ?? v]));
  return { params, logged: { ...declared, ...params.extra } };
}

/**
 * `cairn run --from-run <id>` (RUN-14): the request that runs a project run again — its URI, the commit it ran at (or
 * the version it asked for), its entry point, every param it logged, its env manager — into a new run of the same
 * experiment, tagged with the original's id. Flags given beside `--from-run` override what the run says.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { invalid, notFound } from '../../lib/domain';
import { PROJECT_TAGS, parseProjectUri, projectRunInfo, type ProjectRunInfo } from '../../lib/projects';
import type { CairnClient } from '../../lib/sdk';
import { ENV_MANAGERS } from './env-manager';
import type { PreparedProject, RunRequest } from './prepare';

export interface FromRun {
  request: RunRequest;
  /** The original's `cairn.project.contentHash`, to tell whether a folder's code changed since. */
  contentHash: string | undefined;
}

export async function requestFromRun(client: CairnClient, runId: string, overrides: Partial<RunRequest>): Promise<FromRun> {
  const run = await client.getRun(runId);
  if (!run) throw notFound(`Run with id=${runId} not found`);
  const info = projectRunInfo(run.tags, run.params, run.info.experimentId);
  if (!info) throw invalid(`Run ${runId} is not a project run (it has no mlflow.source.type=PROJECT and project URI): there is nothing to re-run`);
  const manager = run.tags[PROJECT_TAGS.envManager];
  const version = pinnedVersion(info, info.requestedVersion);
  const request: RunRequest = {
    uri: locatedUri(info),
    entryPoint: info.entryPoint,
    params: { ...info.params, ...(overrides.params ?? {}) },
    ...(version ? { version } : {}),
    ...(manager && (ENV_MANAGERS as readonly string[]).includes(manager) ? { envManager: manager } : {}),
    ...(overrides.experimentName ? {} : { experimentId: overrides.experimentId ?? info.experimentId }),
    ...(overrides.experimentName ? { experimentName: overrides.experimentName } : {}),
    ...(overrides.runName ? { runName: overrides.runName } : {}),
    ...(overrides.envManager ? { envManager: overrides.envManager } : {}),
    reproducedFrom: runId,
  };
  return { request, contentHash: run.tags[PROJECT_TAGS.contentHash] };
}

/**
 * A relative folder or zip path names the place the original was run from; run from elsewhere, the run's
 * `mlflow.source.name` (the absolute path it resolved to) finds it, with the same `#subdir`.
 */
function locatedUri(info: ProjectRunInfo): string {
  let p: ReturnType<typeof parseProjectUri>;
  try {
    p = parseProjectUri(info.uri);
  } catch {
    return info.uri;
  }
  if (p.kind === 'git' || p.remote || !p.path || isAbsolute(p.path) || existsSync(resolve(p.path))) return info.uri;
  const src = info.sourceName;
  if (!src || !isAbsolute(src) || !existsSync(src)) return info.uri;
  return p.subdir ? `${src}#${p.subdir}` : src;
}

/**
 * The version that pins the code again, as lib/projects' reproduceCommand pins it (the command the app shows): a git
 * URI's commit; a local folder's only when the run itself was given a `--version` (then it is a checkout's top and
 * the commit is exact); never a zip's. Anything else runs as it is now, checked by its content hash.
 */
function pinnedVersion(info: ProjectRunInfo, requested: string | undefined): string | undefined {
  let kind: string;
  try {
    kind = parseProjectUri(info.uri).kind;
  } catch {
    return info.version;
  }
  if (kind === 'zip') return undefined;
  if (kind === 'local' && !requested) return undefined;
  return info.version;
}

/** The warning for a project whose files differ from what the original run ran (a folder edited since). */
export function changedCodeWarning(p: PreparedProject, original: string | undefined): string | null {
  if (!original || original === p.source.contentHash) return null;
  return `the project's files at ${p.source.dir} changed since run ${p.request.reproducedFrom} (content hash ${original.slice(0, 12)}… is now ${p.source.contentHash.slice(0, 12)}…): this run uses the code as it is now`;
}

/**
 * `cairn run --from-run <id>` (RUN-14): the request that runs a project run again — its URI, the commit it ran at (or
 * the version it asked for), its entry point, every param it logged, its env manager — into a new run of the same
 * experiment, tagged with the original's id. Flags given beside `--from-run` override what the run says.
 */
import { invalid, notFound } from '../../lib/domain';
import { PROJECT_TAGS, projectRunInfo } from '../../lib/projects';
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
  const request: RunRequest = {
    uri: info.uri,
    entryPoint: info.entryPoint,
    params: { ...info.params, ...(overrides.params ?? {}) },
    ...(info.version ? { version: info.version } : {}),
    ...(manager && (ENV_MANAGERS as readonly string[]).includes(manager) ? { envManager: manager } : {}),
    ...(overrides.experimentName ? {} : { experimentId: overrides.experimentId ?? info.experimentId }),
    ...(overrides.experimentName ? { experimentName: overrides.experimentName } : {}),
    ...(overrides.runName ? { runName: overrides.runName } : {}),
    ...(overrides.envManager ? { envManager: overrides.envManager } : {}),
    reproducedFrom: runId,
  };
  return { request, contentHash: run.tags[PROJECT_TAGS.contentHash] };
}

/** The warning for a source that is not pinned by git and whose files differ from the original run's. */
export function changedCodeWarning(p: PreparedProject, original: string | undefined): string | null {
  if (p.source.git || !original || original === p.source.contentHash) return null;
  return `the project's files at ${p.source.dir} changed since run ${p.request.reproducedFrom} (content hash ${original.slice(0, 12)}… is now ${p.source.contentHash.slice(0, 12)}…): this run uses the code as it is now`;
}

import { parseProjectUri } from './project-uri';
import { shellJoin } from './quote';
import { PROJECT_SOURCE_TYPE, PROJECT_TAGS } from './tags';

/** What it takes to run a project run again, read back from its tags and params. */
export interface ProjectRunInfo {
  /** The project URI as given to `cairn run` (with `#subdir`). */
  uri: string;
  entryPoint: string;
  /** The git commit the run ran at, when the source was git; otherwise the `--version` asked for, if any. */
  version: string | undefined;
  /** The `--version` given to `cairn run` (`cairn.project.version`), if any: on a local folder, the proof it is a git repo. */
  requestedVersion?: string | undefined;
  /** Where the code came from, as MLflow names it (`mlflow.source.name`). */
  sourceName: string | undefined;
  gitRepoUrl: string | undefined;
  gitBranch: string | undefined;
  env: string | undefined;
  /** Every param the run logged (declared, defaulted and extra), by name. */
  params: Record<string, string>;
  experimentId: string | undefined;
  /** The run this one reproduced, when it was made by `--from-run`. */
  reproducedFrom: string | undefined;
}

/** `null` when the run did not come from `cairn run` (no `mlflow.source.type=PROJECT` with a project URI). */
export function projectRunInfo(
  tags: Readonly<Record<string, string>>,
  params: Readonly<Record<string, string>>,
  experimentId?: string,
): ProjectRunInfo | null {
  if (tags[PROJECT_TAGS.sourceType] !== PROJECT_SOURCE_TYPE) return null;
  // `||`: an empty tag says nothing (a runner that could not read a commit may still have written one).
  const uri = tags[PROJECT_TAGS.uri] || tags[PROJECT_TAGS.sourceName];
  if (!uri) return null;
  return {
    uri,
    entryPoint: tags[PROJECT_TAGS.entryPoint] || 'main',
    version: tags[PROJECT_TAGS.gitCommit] || tags[PROJECT_TAGS.version] || undefined,
    requestedVersion: tags[PROJECT_TAGS.version] || undefined,
    sourceName: tags[PROJECT_TAGS.sourceName],
    gitRepoUrl: tags[PROJECT_TAGS.gitRepoUrl],
    gitBranch: tags[PROJECT_TAGS.gitBranch],
    env: tags[PROJECT_TAGS.env],
    params: { ...params },
    experimentId,
    reproducedFrom: tags[PROJECT_TAGS.reproducedFrom],
  };
}

/**
 * The `--version` that pins the code again (PROJ-R2): for a git URI the commit it ran at; for a local folder only when
 * the run itself was given a version (then the folder is a git repository and the commit is exact — a plain folder
 * inside some repository also gets a commit tag, but `--version` on it is refused); never for a zip (git-only option).
 */
function pinnedVersion(info: ProjectRunInfo): string | undefined {
  let kind: string | undefined;
  try {
    kind = parseProjectUri(info.uri).kind;
  } catch {
    kind = undefined;
  }
  if (kind === 'zip') return undefined;
  if (kind === 'local' && !info.requestedVersion) return undefined;
  return info.version;
}

/**
 * The exact `cairn run` command that runs this again: same URI, entry point, version and params, into the same
 * experiment. Params in name order so the same run always gives the same line.
 */
export function reproduceCommand(info: ProjectRunInfo): string {
  const words = ['cairn', 'run', info.uri, '-e', info.entryPoint];
  const version = pinnedVersion(info);
  if (version) words.push('--version', version);
  for (const name of Object.keys(info.params).sort()) words.push('-P', `${name}=${info.params[name]}`);
  if (info.experimentId) words.push('--experiment-id', info.experimentId);
  return shellJoin(words);
}

/** The short form: `cairn run --from-run <id>` reads all of the above from the run itself. */
export function fromRunCommand(runId: string): string {
  return shellJoin(['cairn', 'run', '--from-run', runId]);
}

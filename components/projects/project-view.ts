import type { ArtifactRef } from '@/lib/domain';
import { PROJECT_ARTIFACTS, PROJECT_TAGS, shellQuote, type ProjectRunInfo } from '@/lib/react/projects';
import { trackingUriOf } from '../models/UsageSnippet';

/** A git commit is shown this long, the whole hash on hover and copy (as the run overview shows it: RUNPAGE-1). */
export const SHORT_COMMIT = 10;
/** A content hash (sha256) is shown as long as a commit, the whole on hover. */
const SHORT_HASH = SHORT_COMMIT;

/**
 * PROJUI-2: the address a source links to: an https URL only (a tag is anyone's text: never `javascript:`, `file:` or
 * an ssh remote), without the user name and password a remote URL may carry (the link's text is this address too, so a
 * token in a remote never shows). The git repo URL first, then the source name. Null when neither is one.
 */
export function sourceHref(info: Pick<ProjectRunInfo, 'gitRepoUrl' | 'sourceName'>): string | null {
  for (const candidate of [info.gitRepoUrl, info.sourceName]) {
    if (!candidate) continue;
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      continue;
    }
    if (url.protocol !== 'https:') continue;
    url.username = '';
    url.password = '';
    return url.toString();
  }
  return null;
}

/** PROJUI-2: a source as text, with any user name and password of a URL left out (an http remote can carry a token). */
export function sourceText(source: string): string {
  try {
    const url = new URL(source);
    if (!url.username && !url.password) return source;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return source;
  }
}

/** What the run ran at: the git commit when there was one (short + whole), and the `--version` asked for, if any. */
export interface ProjectVersion {
  commit: { short: string; full: string } | null;
  /** The branch, tag or commit given as `--version` (`cairn.project.version`), when it is not the commit itself. */
  requested: string | null;
  branch: string | null;
  /** sha256 over the project's files (`cairn.project.contentHash`): what a local folder, which has no commit, ran as. */
  contentHash: { short: string; full: string } | null;
}

export function projectVersion(tags: Readonly<Record<string, string>>): ProjectVersion {
  const full = tags[PROJECT_TAGS.gitCommit] || null;
  const requested = tags[PROJECT_TAGS.version] || null;
  const hash = tags[PROJECT_TAGS.contentHash] || null;
  return {
    commit: full ? { short: full.slice(0, SHORT_COMMIT), full } : null,
    requested: requested && requested !== full ? requested : null,
    branch: tags[PROJECT_TAGS.gitBranch] || null,
    contentHash: hash ? { short: hash.slice(0, SHORT_HASH), full: hash } : null,
  };
}

/** The run's copy of its MLproject (`project/MLproject`), when `cairn run` logged one (not for an entry file alone). */
export function mlprojectArtifact(artifacts: readonly ArtifactRef[]): ArtifactRef | null {
  return artifacts.find((a) => a.path === PROJECT_ARTIFACTS.mlproject) ?? null;
}

/**
 * PROJUI-3: the environment that sends `cairn run` to this relay and workspace: `MLFLOW_TRACKING_URI` (the REST door,
 * `/w/<workspace>` unless Default, as the runner gives its child) or `CAIRN_RELAY` (+ `CAIRN_WORKSPACE`). Null when the
 * app has no relay (local-only): there is nothing to point at.
 */
export function trackingEnv(relayUrl: string | null, workspace: string): { mlflow: string; cairn: string } | null {
  if (!relayUrl) return null;
  const relay = relayUrl.replace(/\/+$/, '');
  const cairn = [`CAIRN_RELAY=${shellQuote(relay)}`];
  if (workspace !== 'default') cairn.push(`CAIRN_WORKSPACE=${shellQuote(workspace)}`);
  return { mlflow: `MLFLOW_TRACKING_URI=${shellQuote(trackingUriOf(relay, workspace))}`, cairn: cairn.join(' ') };
}

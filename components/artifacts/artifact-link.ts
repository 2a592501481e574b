/**
 * The run page's chosen artifact lives in its URL (`/run/?id=<run>&artifact=<path>`), so a link elsewhere on the page
 * (the project panel's "View MLproject") or in a message opens that file in the viewer.
 */
export const ARTIFACT_PARAM = 'artifact';

/** Where the run page's artifacts section starts (the link scrolls there). */
export const ARTIFACTS_ANCHOR = 'run-artifacts';

/** The run page with one artifact open in the viewer. */
export function runArtifactHref(runId: string, path: string): string {
  const q = new URLSearchParams({ id: runId, [ARTIFACT_PARAM]: path });
  return `/run/?${q.toString()}#${ARTIFACTS_ANCHOR}`;
}

/** The page's query with the chosen artifact set (other parameters kept), or removed for null. */
export function withArtifact(search: string, path: string | null): string {
  const q = new URLSearchParams(search);
  if (path === null) q.delete(ARTIFACT_PARAM);
  else q.set(ARTIFACT_PARAM, path);
  return q.toString();
}

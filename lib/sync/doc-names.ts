/**
 * Names of documents in the local store. They are keyed by workspace only (not by relay), so a workspace used
 * local-only and later connected to a relay keeps its local history and syncs it up (README.md "Documents").
 */
export const workspaceDocName = (workspace: string) => `ws/${workspace}`;
export const runDocName = (workspace: string, runId: string) => `ws/${workspace}/run/${runId}`;
/** Settings key remembering that a finished run's snapshot was fetched, so it is not fetched again. */
export const runSnapshotKey = (workspace: string, runId: string) => `runSnapshot/${workspace}/${runId}`;

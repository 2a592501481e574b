/**
 * Names of documents in the local store. They are keyed by workspace only (not by relay), so a workspace used
 * local-only and later connected to a relay keeps its local history and syncs it up (README.md "Documents"). Every
 * doc is stored under `ws/<its relay room>` (local-log.ts): `ws/<ws>`, `ws/<ws>/run/<id>`, `ws/<ws>/run/<id>/metrics`.
 */
export const workspaceDocName = (workspace: string) => `ws/${workspace}`;
export const runDocName = (workspace: string, runId: string) => `ws/${workspace}/run/${runId}`;
export const metricsDocName = (workspace: string, runId: string) => `ws/${workspace}/run/${runId}/metrics`;

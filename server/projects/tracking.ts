/**
 * Where `cairn run` logs (RUN-8): flags first, then CAIRN_RELAY / CAIRN_WORKSPACE / CAIRN_TOKEN, then MLflow's
 * MLFLOW_TRACKING_URI (its `/w/<workspace>` path naming the workspace) / MLFLOW_TRACKING_TOKEN — lib/sdk's
 * resolveOptions order. And what the child is told so that its own client finds the same run (RUN-9).
 */
import { invalid } from '../../lib/domain';
import { resolveOptions } from '../../lib/sdk/env';

export interface TrackingFlags {
  relay?: string;
  workspace?: string;
  token?: string;
}

export interface TrackingTarget {
  /** The relay's base URL (`http(s)://host:port`). */
  relay: string;
  workspace: string;
  token: string | undefined;
  /** The workspace's REST door: the relay for `default`, `<relay>/w/<workspace>` for any other. */
  restUrl: string;
}

export function resolveTracking(flags: TrackingFlags): TrackingTarget {
  const o = resolveOptions({
    ...(flags.relay ? { relay: flags.relay } : {}),
    ...(flags.workspace ? { workspace: flags.workspace } : {}),
    ...(flags.token ? { token: flags.token } : {}),
  });
  if (!o.relay) throw invalid('No tracking server: pass --relay <url>, or set CAIRN_RELAY or MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:8080)');
  const relay = o.relay.http;
  const restUrl = o.workspace === 'default' ? relay : `${relay}/w/${encodeURIComponent(o.workspace)}`;
  return { relay, workspace: o.workspace, token: o.token, restUrl };
}

/**
 * The child's tracking environment: MLflow's variables (a Python `mlflow` script or plain HTTP logs through the REST
 * door) and Cairn's twins (a `cairn/sdk` script resumes the run). Inherited copies of these are replaced, so a nested
 * `cairn run` never leaks its parent's run into the child; a token not set is removed, not left from the parent.
 */
export function childTrackingEnv(t: TrackingTarget, runId: string, experimentId: string): Record<string, string | undefined> {
  return {
    MLFLOW_RUN_ID: runId,
    MLFLOW_TRACKING_URI: t.restUrl,
    MLFLOW_EXPERIMENT_ID: experimentId,
    MLFLOW_TRACKING_TOKEN: t.token,
    MLFLOW_EXPERIMENT_NAME: undefined,
    CAIRN_RELAY: t.relay,
    CAIRN_WORKSPACE: t.workspace,
    CAIRN_RUN_ID: runId,
    CAIRN_EXPERIMENT_ID: experimentId,
    CAIRN_EXPERIMENT_NAME: undefined,
    CAIRN_TOKEN: t.token,
  };
}

import { asWorkspaceId, invalid } from '../domain';
import { normaliseRelay } from '../relay-client';

export interface ConnectOptions {
  /** Relay base URL, `http(s)://host:port` (`ws(s)://` accepted). Omit for a local-only client. */
  relay?: string | null;
  workspace?: string;
  token?: string;
  /** Node: folder for the journal (default `./.cairn-sdk`, env CAIRN_SDK_DATA_DIR; CAIRN_DATA_DIR is the relay's). */
  dataDir?: string;
  /** Node only: a WebSocket class when `globalThis.WebSocket` is missing (default: the `ws` package). */
  WebSocket?: unknown;
  /** @internal For tests: how long a socket may hear nothing before it is replaced (default 30 s; keepalive probes
   * go out after a third of it). */
  silenceTimeoutMs?: number;
}

export interface ResolvedOptions {
  relay: { http: string; ws: string } | null;
  workspace: string;
  token: string | undefined;
  dataDir: string;
  defaultExperimentName: string | undefined;
  defaultExperimentId: string | undefined;
  resumeRunId: string | undefined;
  silenceTimeoutMs: number | undefined;
}

function env(name: string): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = p?.env?.[name];
  return v === undefined || v === '' ? undefined : v;
}

/**
 * A tracking URI naming a workspace the REST door's way, `http://host:port/w/<workspace>` (what `cairn run` gives its
 * children as MLFLOW_TRACKING_URI): the relay without the `/w/<workspace>` part, and the workspace. Other URIs are
 * returned as they are, with no workspace.
 */
export function splitTrackingUri(uri: string): { relay: string; workspace: string | undefined } {
  const m = /^(.*?)\/w\/([^/?#]+)\/*$/.exec(uri.trim());
  if (!m || !/^(https?|wss?):\/\/[^/]/.test(m[1]!)) return { relay: uri, workspace: undefined };
  let workspace: string;
  try {
    workspace = decodeURIComponent(m[2]!);
  } catch {
    return { relay: uri, workspace: undefined };
  }
  return { relay: m[1]!, workspace };
}

/** Explicit options win, then Cairn's own variables, then MLflow's (so an MLflow-configured shell just works). */
export function resolveOptions(o: ConnectOptions): ResolvedOptions {
  const uriRaw = o.relay === null ? undefined : (o.relay ?? env('CAIRN_RELAY') ?? env('MLFLOW_TRACKING_URI'));
  if (uriRaw !== undefined && !/^(https?|wss?):\/\//.test(uriRaw))
    throw invalid(`Unsupported tracking URI '${uriRaw}': Cairn needs an http(s):// or ws(s):// relay URL`);
  // `.../w/<workspace>` names the workspace (the REST door's form); an explicit workspace still wins.
  const split = uriRaw !== undefined ? splitTrackingUri(uriRaw) : undefined;
  const relayRaw = split?.relay;
  const workspace = asWorkspaceId(o.workspace ?? env('CAIRN_WORKSPACE') ?? split?.workspace ?? 'default');
  return {
    relay: relayRaw ? normaliseRelay(relayRaw) : null,
    workspace,
    token: o.token ?? env('CAIRN_TOKEN') ?? env('MLFLOW_TRACKING_TOKEN'),
    dataDir: o.dataDir ?? env('CAIRN_SDK_DATA_DIR') ?? '.cairn-sdk',
    defaultExperimentName: env('CAIRN_EXPERIMENT_NAME') ?? env('MLFLOW_EXPERIMENT_NAME'),
    defaultExperimentId: env('CAIRN_EXPERIMENT_ID') ?? env('MLFLOW_EXPERIMENT_ID'),
    resumeRunId: env('CAIRN_RUN_ID') ?? env('MLFLOW_RUN_ID'),
    silenceTimeoutMs: o.silenceTimeoutMs,
  };
}

export const isNode = (): boolean =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string' &&
  typeof (globalThis as { window?: unknown }).window === 'undefined';

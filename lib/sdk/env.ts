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

/** Explicit options win, then Cairn's own variables, then MLflow's (so an MLflow-configured shell just works). */
export function resolveOptions(o: ConnectOptions): ResolvedOptions {
  const relayRaw = o.relay === null ? undefined : (o.relay ?? env('CAIRN_RELAY') ?? env('MLFLOW_TRACKING_URI'));
  if (relayRaw !== undefined && !/^(https?|wss?):\/\//.test(relayRaw))
    throw invalid(`Unsupported tracking URI '${relayRaw}': Cairn needs an http(s):// or ws(s):// relay URL`);
  const workspace = asWorkspaceId(o.workspace ?? env('CAIRN_WORKSPACE') ?? 'default');
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

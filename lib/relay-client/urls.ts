// From the module itself, not lib/domain's index: the data worker's first module loads this (workers/boot.ts).
import { invalid } from '../domain/errors';

/**
 * A relay is named by its base URL, `http(s)://host:port` (a path prefix is kept); `ws(s)://` is accepted too.
 * HTTP routes hang off the http base, documents sync over `<ws base>/sync/<room>`.
 */
export function normaliseRelay(relay: string): { http: string; ws: string } {
  let u: URL;
  try {
    u = new URL(relay.trim());
  } catch {
    throw invalid(`Invalid relay URL '${relay}': expected http(s)://host:port or ws(s)://host:port`);
  }
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol))
    throw invalid(`Invalid relay URL '${relay}': protocol must be http, https, ws or wss`);
  const path = u.pathname.replace(/\/+$/, '').replace(/\/sync$/, '');
  const host = u.host;
  return { http: `${secure ? 'https' : 'http'}://${host}${path}`, ws: `${secure ? 'wss' : 'ws'}://${host}${path}` };
}

export const workspaceRoom = (workspace: string) => workspace;
export const runRoom = (workspace: string, runId: string) => `${workspace}/run/${runId}`;
/** A run's metric points (lib/doc format 2): a room of its own, so a run's tags never load its points. */
export const metricsRoom = (workspace: string, runId: string) => `${workspace}/run/${runId}/metrics`;

/** base64url without padding, for state vectors in `GET /docs/<room>?sv=` (works in browsers and Node). */
export function base64url(b: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < b.length; i++) bin += String.fromCharCode(b[i]!);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

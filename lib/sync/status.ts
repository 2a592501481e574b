import type { ConnState } from '../relay-client';
import type { CairnError } from '../domain';

/**
 * The sync status machine (README.md "Status"). It is DERIVED from the workspace RoomConnection and the network
 * signal, never set by the UI:
 *
 *   no relay configured ───────────────────────────────► offline  (local-only)
 *   network down (navigator.onLine false) ─────────────► offline
 *   connection refused for good (bad token, 44xx close) ► error    (detail says why; reconnect stops)
 *   socket opening / retrying ─────────────────────────► connecting
 *   socket open, first sync step not yet answered ─────► syncing
 *   handshake done, relay and replica agree ───────────► synced
 * `readOnly` rides along: the relay accepted a read token, so local changes stay on this device.
 */

/** Same shape as lib/react/contract.ts `SyncStatus` (lib/sync cannot import lib/react). */
export interface SyncStatusView {
  state: ConnState;
  relay: string | null;
  workspace: string;
  detail?: string;
  readOnly?: boolean;
}

export interface StatusInputs {
  relay: string | null;
  workspace: string;
  online: boolean;
  conn: { state: ConnState; error: CairnError | null; readOnly: boolean } | null;
}

export function deriveStatus({ relay, workspace, online, conn }: StatusInputs): SyncStatusView {
  const base = { relay, workspace };
  if (!relay || !conn) return { ...base, state: 'offline', detail: 'local-only: no relay configured' };
  if (conn.state === 'error' && conn.error) {
    return { ...base, state: 'error', detail: `${conn.error.code.toLowerCase()}: ${conn.error.message}` };
  }
  const readOnly = conn.readOnly ? { readOnly: true, detail: 'read-only token: your changes stay on this device' } : {};
  if (!online) return { ...base, state: 'offline', detail: 'the network is down', ...(conn.readOnly ? { readOnly: true } : {}) };
  return { ...base, state: conn.state, ...readOnly };
}

export function sameStatus(a: SyncStatusView, b: SyncStatusView): boolean {
  return a.state === b.state && a.relay === b.relay && a.workspace === b.workspace && a.detail === b.detail && !!a.readOnly === !!b.readOnly;
}

import { RunIdSchema, WorkspaceIdSchema, type RunId, type WorkspaceId } from '../../lib/domain/index';

/**
 * The three room shapes (SPEC.md RELAY-1, RELAY-32): a workspace doc, a run doc, and a run's metrics doc (its points,
 * lib/doc format 2). Access is decided by the workspace alone, the same for all three.
 */
export type RoomKind = 'workspace' | 'run' | 'metrics';

export interface RoomName {
  /** Canonical name, the storage key: `<workspace>`, `<workspace>/run/<runId>` or `<workspace>/run/<runId>/metrics`. */
  name: string;
  kind: RoomKind;
  workspace: WorkspaceId;
  /** The run of a run or metrics room; null for the workspace room. */
  runId: RunId | null;
}

export type RoomParse = { ok: true; room: RoomName } | { ok: false; message: string };

export const workspaceRoomName = (workspace: WorkspaceId): RoomName => ({ name: workspace, kind: 'workspace', workspace, runId: null });
export const runRoomName = (workspace: WorkspaceId, runId: RunId): RoomName => ({ name: `${workspace}/run/${runId}`, kind: 'run', workspace, runId });
export const metricsRoomName = (workspace: WorkspaceId, runId: RunId): RoomName => ({
  name: `${workspace}/run/${runId}/metrics`,
  kind: 'metrics',
  workspace,
  runId,
});

/** Rooms are the only place a URL path becomes a storage key, so anything but the three documented shapes is refused. */
export function parseRoomName(raw: string): RoomParse {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { ok: false, message: 'room name is not valid percent-encoding' };
  }
  const parts = decoded.split('/');
  const ws = WorkspaceIdSchema.safeParse(parts[0]);
  if (!ws.success) return { ok: false, message: `invalid room '${decoded}': ${ws.error.issues[0]?.message ?? 'bad workspace'}` };
  if (parts.length === 1) return { ok: true, room: workspaceRoomName(ws.data) };
  if ((parts.length === 3 || (parts.length === 4 && parts[3] === 'metrics')) && parts[1] === 'run') {
    const run = RunIdSchema.safeParse(parts[2]);
    if (!run.success) return { ok: false, message: `invalid room '${decoded}': ${run.error.issues[0]?.message ?? 'bad run id'}` };
    return { ok: true, room: parts.length === 3 ? runRoomName(ws.data, run.data) : metricsRoomName(ws.data, run.data) };
  }
  return {
    ok: false,
    message: `invalid room '${decoded}': expected '<workspace>', '<workspace>/run/<runId>' or '<workspace>/run/<runId>/metrics'`,
  };
}

/**
 * The run whose run doc a stored room name is, or null (a workspace room, a metrics room, anything else). For the
 * append path, on canonical names only: plain string work, no schema.
 */
export function runOfRunRoom(name: string): { workspace: string; runId: string } | null {
  const at = name.indexOf('/run/');
  if (at <= 0) return null;
  const runId = name.slice(at + 5);
  if (runId.length === 0 || runId.includes('/')) return null;
  return { workspace: name.slice(0, at), runId };
}

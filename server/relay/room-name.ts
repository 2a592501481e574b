import { RunIdSchema, WorkspaceIdSchema, type RunId, type WorkspaceId } from '../../lib/domain/index';

export interface RoomName {
  /** Canonical name, the storage key: `<workspace>` or `<workspace>/run/<runId>`. */
  name: string;
  workspace: WorkspaceId;
  runId: RunId | null;
}

export type RoomParse = { ok: true; room: RoomName } | { ok: false; message: string };

/** Rooms are the only place a URL path becomes a storage key, so anything but the two documented shapes is refused. */
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
  if (parts.length === 1) return { ok: true, room: { name: ws.data, workspace: ws.data, runId: null } };
  if (parts.length === 3 && parts[1] === 'run') {
    const run = RunIdSchema.safeParse(parts[2]);
    if (!run.success) return { ok: false, message: `invalid room '${decoded}': ${run.error.issues[0]?.message ?? 'bad run id'}` };
    return { ok: true, room: { name: `${ws.data}/run/${run.data}`, workspace: ws.data, runId: run.data } };
  }
  return { ok: false, message: `invalid room '${decoded}': expected '<workspace>' or '<workspace>/run/<runId>'` };
}

import * as Y from 'yjs';
import * as doc from '../../lib/doc/index';
import type { Run } from '../../lib/domain/index';
import type { DocStore } from './doc-store';
import { runRoomName } from './room-name';
import type { RoomRegistry } from './rooms';
import type { RunId, WorkspaceId } from '../../lib/domain/index';
import { applyHeldUpdate } from '../../lib/engine/held-bytes';

/**
 * Reads one run from its run doc without keeping it (RELAY-36): the loaded room's doc if someone has it open, else the
 * stored rows applied into a throwaway doc that is dropped at once. Reading 100k runs for a rebuild therefore holds one
 * doc at a time, and never loads rooms into the registry (which would keep each for the unload delay).
 */
export class RunReader {
  constructor(
    private readonly store: DocStore,
    private readonly rooms: RoomRegistry | null,
  ) {}

  read(workspace: string, runId: string): Run | undefined {
    const name = `${workspace}/run/${runId}`;
    const loaded = this.rooms?.peek(name);
    if (loaded) return doc.readRun(runId, loaded.doc);
    const rows = this.store.load(name);
    if (rows.length === 0) return undefined;
    // A guid of our own: Y.Doc's default (a uuid from 31 random draws) costs more than applying a small run doc.
    const d = new Y.Doc({ guid: name, gc: true });
    try {
      for (const row of rows) applyHeldUpdate(d, row.data);
    } catch {
      d.destroy();
      return this.readThroughRoom(workspace, runId);
    }
    try {
      return doc.readRun(runId, d);
    } finally {
      d.destroy();
    }
  }

  /** A row that throws: the registry's load moves it aside (RELAY-26) and reads the rest; the room unloads when idle. */
  private readThroughRoom(workspace: string, runId: string): Run | undefined {
    if (!this.rooms) return undefined;
    const room = this.rooms.open(runRoomName(workspace as WorkspaceId, runId as RunId));
    try {
      return doc.readRun(runId, room.doc);
    } finally {
      this.rooms.releaseIfIdle(room);
    }
  }
}

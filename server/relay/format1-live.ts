import type * as Y from 'yjs';
import * as doc from '../../lib/doc/index';
import type { RunId } from '../../lib/domain/index';
import { runRoomName } from './room-name';
import type { Room, RoomRegistry } from './rooms';

/**
 * RELAY-38: a client that still holds format-1 runs in its workspace doc syncs them to the relay's (upgraded) workspace
 * room, and Yjs merges them in. After a workspace room is loaded or commits an update, runs found there are written
 * into their run docs (lib/doc's convertFormat1Run merges into what the run doc already holds) and dropped from the
 * workspace doc again, exactly as the data folder upgrade did (data-upgrade.ts). Each step is idempotent: a relay
 * killed in between converts the same runs again at the next load and the run docs gain nothing twice.
 */
export class Format1Runs {
  private readonly busy = new Set<string>();
  /**
   * Workspace docs whose `runs` map is watched: the true/false of the last look, set again when `runs` changes. An
   * upgraded doc keeps one deleted entry per old run, so looking (hasFormat1Runs walks them) only after a change.
   */
  private readonly seen = new WeakMap<Y.Doc, { changed: boolean }>();

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly log: (line: string) => void,
  ) {}

  check(room: Room): void {
    const name = room.name;
    if (name.kind !== 'workspace' || this.busy.has(name.name)) return;
    let watch = this.seen.get(room.doc);
    if (!watch) {
      const w = { changed: true };
      this.seen.set(room.doc, (watch = w));
      room.doc.getMap('runs').observe(() => void (w.changed = true));
    }
    if (!watch.changed) return;
    watch.changed = false;
    if (!doc.hasFormat1Runs(room.doc)) return;
    this.busy.add(name.name);
    try {
      const ids = doc.format1RunIds(room.doc);
      let written = 0;
      for (const id of ids) {
        if (this.rooms.write(runRoomName(name.workspace, id as RunId), (d) => void doc.convertFormat1Run(room.doc, id, d))) written++;
      }
      room.writeLocal((d) => doc.dropFormat1Runs(d));
      this.log(`room ${name.name}: ${ids.length} format-1 run(s) synced by a client: ${written} run doc(s) gained data; dropped from the workspace doc`);
    } catch (err) {
      // Kept in the workspace doc: converted again at its next update or load.
      watch.changed = true;
      this.log(`room ${name.name}: converting format-1 runs failed (retried at the next update): ${(err as Error).message}`);
    } finally {
      this.busy.delete(name.name);
    }
  }
}

import * as doc from '../../lib/doc/index';
import { ExperimentIdSchema, WorkspaceIdSchema, invalid, notFound } from '../../lib/domain/index';
import { ExperimentIndex, buildIndexes, encodeIndex } from '../../lib/run-index/index';
import type { Room, RoomRegistry } from './rooms';

/**
 * The relay's experiment indexes (SPEC.md RELAY-31), built for everyone from the runs of a workspace (format 1: they
 * live in the workspace doc) with lib/run-index's one builder. Kept up lazily: a read rebuilds when the room took an
 * update since the last build, feeding the same indexes so sequence numbers go on and a reader's delta stays small.
 * An index lives as long as its loaded room: a room loaded again (or a restarted relay) builds anew, with a new
 * epoch, and readers of the old epoch get a snapshot.
 */
export class IndexService {
  private readonly built = new WeakMap<Room, { version: number; indexes: Map<string, ExperimentIndex> }>();

  constructor(private readonly rooms: RoomRegistry) {}

  /** The bytes a reader at (`since`, `epoch`) needs: a delta, or a snapshot (since 0, another epoch, too far behind). */
  read(workspace: string, experimentId: string, since: number, epoch: string): Uint8Array {
    const ws = WorkspaceIdSchema.safeParse(workspace);
    if (!ws.success) throw invalid(`invalid workspace '${workspace}'`);
    const exp = ExperimentIdSchema.safeParse(experimentId);
    if (!exp.success) throw invalid(`invalid experiment id '${experimentId}'`);
    const room = this.rooms.open({ name: ws.data, workspace: ws.data, runId: null });
    try {
      if (!doc.getExperiment(room.doc, exp.data)) throw notFound(`No experiment with id=${exp.data}`);
      const index = this.indexesOf(room).get(exp.data) ?? this.emptyIndex(room, exp.data);
      return encodeIndex(index.deltaSince(since, epoch));
    } finally {
      this.rooms.releaseIfIdle(room);
    }
  }

  private indexesOf(room: Room): Map<string, ExperimentIndex> {
    let entry = this.built.get(room);
    if (!entry) this.built.set(room, (entry = { version: -1, indexes: new Map() }));
    if (entry.version !== room.version) {
      buildIndexes(doc.listRuns(room.doc, { view: 'ALL' }), entry.indexes);
      entry.version = room.version;
    }
    return entry.indexes;
  }

  /** An experiment with no runs yet still has an index (and an epoch its readers keep). */
  private emptyIndex(room: Room, experimentId: string): ExperimentIndex {
    const indexes = this.indexesOf(room);
    let index = indexes.get(experimentId);
    if (!index) indexes.set(experimentId, (index = new ExperimentIndex(experimentId)));
    return index;
  }
}

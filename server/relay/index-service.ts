import type * as Y from 'yjs';
import * as doc from '../../lib/doc/index';
import { ExperimentIdSchema, WorkspaceIdSchema, invalid, notFound } from '../../lib/domain/index';
import { ExperimentIndex, buildIndexes, encodeIndex } from '../../lib/run-index/index';
import type { Room, RoomRegistry } from './rooms';

/**
 * The relay's experiment indexes (SPEC.md RELAY-31), built for everyone from the runs of a workspace (format 1: they
 * live in the workspace doc) with lib/run-index's one builder. Kept up lazily and incrementally: the room's doc is
 * observed for the runs it touches, and a read re-reads only those (a script logging to one run of 10k costs one run,
 * not a full rebuild that would block every socket of the relay), feeding the same indexes so sequence numbers go on.
 * An index lives as long as its loaded room's doc: a doc rebuilt or loaded again (or a restarted relay) builds anew,
 * with a new epoch, and readers of the old epoch get a snapshot.
 */
interface Entry {
  doc: Y.Doc;
  indexes: Map<string, ExperimentIndex>;
  /** Runs touched since the last read; 'all' until the first build. */
  dirty: Set<string> | 'all';
}

export class IndexService {
  private readonly built = new WeakMap<Room, Entry>();

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
    if (!entry || entry.doc !== room.doc) {
      entry = this.watch(room.doc);
      this.built.set(room, entry);
    }
    if (entry.dirty === 'all') buildIndexes(doc.listRuns(entry.doc, { view: 'ALL' }), entry.indexes);
    else {
      for (const runId of entry.dirty) {
        const run = doc.getRun(entry.doc, runId);
        for (const [exp, index] of entry.indexes) if (exp !== run?.info.experimentId) index.remove(runId);
        if (!run) continue;
        let index = entry.indexes.get(run.info.experimentId);
        if (!index) entry.indexes.set(run.info.experimentId, (index = new ExperimentIndex(run.info.experimentId)));
        index.upsertRun(run);
      }
    }
    entry.dirty = new Set();
    return entry.indexes;
  }

  /** Observes a room doc's runs; the observer goes with the doc (a replaced or destroyed doc is dropped whole). */
  private watch(d: Y.Doc): Entry {
    const entry: Entry = { doc: d, indexes: new Map(), dirty: 'all' };
    const runs = doc.wsRuns(d);
    runs.observeDeep((events) => {
      if (entry.dirty === 'all') return;
      for (const id of doc.runIdsOfEvents(runs, events)) entry.dirty.add(id);
    });
    return entry;
  }

  /** An experiment with no runs yet still has an index (and an epoch its readers keep). */
  private emptyIndex(room: Room, experimentId: string): ExperimentIndex {
    const indexes = this.indexesOf(room);
    let index = indexes.get(experimentId);
    if (!index) indexes.set(experimentId, (index = new ExperimentIndex(experimentId)));
    return index;
  }
}

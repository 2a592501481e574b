import type * as Y from 'yjs';
import * as doc from '../../../lib/doc/index';
import { RunIdSchema, invalid, notFound, type Run, type RunId, type WorkspaceId } from '../../../lib/domain/index';
import type { RunReader } from '../run-reader';
import { metricsRoomName, runRoomName, workspaceRoomName } from '../room-name';
import type { Room, RoomRegistry } from '../rooms';

/** Run read views kept for repeated reads (a search paging through 10k runs, a client polling a run): ~5 KB each. */
const RUN_CACHE_ENTRIES = 4_000;

/**
 * The door's way into the documents the browsers sync (SPEC REST-6, REST-7). Every write goes through the room's one
 * commit path (`Room.writeLocal`: applied, appended to SQLite and committed, then broadcast to the room's sockets and
 * marked for the index), so a handler that returns has its write on disk. The relay writes as one more writer: its
 * actor id is `rest:<token id>` (`rest:open` in open mode).
 */
export class DocAccess {
  /** Workspaces whose Default experiment was ensured by this process (cheap to do again; skipped after the first). */
  private readonly ensured = new Set<string>();
  /**
   * Run room name → its read view, oldest first. Every change of a run doc is a commit of its room (a peer's update or
   * a relay write), and every commit drops the entry (`committed`), so an entry is always the stored run.
   */
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly reader: RunReader,
  ) {}

  /** Runs `f` with the loaded room, releasing it afterwards (it stays loaded for the unload delay). */
  private with<T>(room: Room, f: (room: Room) => T): T {
    try {
      return f(room);
    } finally {
      this.rooms.releaseIfIdle(room);
    }
  }

  /** The workspace doc, with the Default experiment "0" (DOC-E2) written once if it is missing. */
  workspace<T>(ws: WorkspaceId, f: (d: Y.Doc, room: Room) => T): T {
    return this.with(this.rooms.open(workspaceRoomName(ws)), (room) => {
      if (!this.ensured.has(ws)) {
        commitTo(room, (d) => doc.ensureWorkspace({ ws: d, actor: 'rest', runDoc: noRunDoc }));
        this.ensured.add(ws);
      }
      return f(room.doc, room);
    });
  }

  /** A write into the workspace doc: `f` gets a Ctx (no run docs) and its change is committed before this returns. */
  writeWorkspace<T>(ws: WorkspaceId, actor: string, f: (c: doc.Ctx) => T): T {
    return this.workspace(ws, (_d, room) => commitTo(room, (d) => f({ ws: d, actor, runDoc: noRunDoc })));
  }

  /**
   * A write into one run's doc (and its metrics doc when `withMetrics`): `f` gets a Ctx whose `runDoc(runId)` is the
   * loaded run room's doc (other runs, e.g. a parent, are read from their rooms) and the metrics doc. The metrics
   * doc's change is committed first, then the run doc's: a crash between them leaves points without their summary,
   * never a summary without its points.
   */
  writeRun<T>(ws: WorkspaceId, actor: string, rawRunId: string, f: (c: doc.Ctx, metricsDoc: Y.Doc | null) => T, withMetrics = false): T {
    const runId = runIdOf(rawRunId);
    return this.workspace(ws, (wsDoc) => {
      const others: Room[] = [];
      try {
        return this.with(this.rooms.open(runRoomName(ws, runId)), (runRoom) =>
          commitTo(runRoom, (runDoc) => {
            const ctx: doc.Ctx = {
              ws: wsDoc,
              actor,
              runDoc: (id) => {
                if (id === runId) return runDoc;
                const r = this.rooms.open(runRoomName(ws, runIdOf(id)));
                others.push(r);
                return r.doc;
              },
            };
            if (!withMetrics) return f(ctx, null);
            return this.with(this.rooms.open(metricsRoomName(ws, runId)), (mRoom) => commitTo(mRoom, (md) => f(ctx, md)));
          }),
        );
      } finally {
        for (const r of others) this.rooms.releaseIfIdle(r);
      }
    });
  }

  /**
   * The run as the door serves it (its run doc, from a loaded room or else its stored rows in a throwaway doc; deleted
   * when its experiment is, REST-20), or undefined. `deletedExperiments`, when the caller knows them already (a search
   * page), saves a look at the workspace doc per run. The view is shared with later reads: callers must not modify it.
   */
  readRun(ws: WorkspaceId, runId: string, deletedExperiments?: ReadonlySet<string>): Run | undefined {
    const run = this.storedRun(ws, runId);
    return run && asServed(run, deletedExperiments ?? this.deletedExperiments(ws, [run.info.experimentId]));
  }

  /** The run as its run doc holds it (its own lifecycle, whatever its experiment's), cached until it changes. */
  private storedRun(ws: WorkspaceId, runId: string): Run | undefined {
    const id = RunIdSchema.safeParse(runId);
    if (!id.success) return undefined;
    const name = runRoomName(ws, id.data).name;
    const hit = this.runs.get(name);
    if (hit) return hit;
    const run = this.reader.read(ws, id.data);
    if (run) {
      this.runs.set(name, run);
      if (this.runs.size > RUN_CACHE_ENTRIES) this.runs.delete(this.runs.keys().next().value!);
    }
    return run;
  }

  /** Of `ids`, the experiments of the workspace that are deleted: their runs are served as deleted (REST-20). */
  deletedExperiments(ws: WorkspaceId, ids: readonly string[]): Set<string> {
    return this.workspace(ws, (d) => new Set(ids.filter((id) => doc.readExperimentRecord(d, id)?.lifecycle === 'deleted')));
  }

  /** A room committed an update (RoomHooks.committed): a cached view of its run is stale. */
  committed(room: string): void {
    this.runs.delete(room);
  }

  /** The run or RESOURCE_DOES_NOT_EXIST in MLflow's words. */
  requireRun(ws: WorkspaceId, runId: string): Run {
    const run = this.readRun(ws, runId);
    if (!run) throw notFound(`Run with id=${runId} not found`);
    return run;
  }

  /** `f` over the run's metrics doc (loaded for the unload delay: a chart polling a running run reads it again soon). */
  metrics<T>(ws: WorkspaceId, runId: RunId, f: (d: Y.Doc) => T): T {
    return this.with(this.rooms.open(metricsRoomName(ws, runId)), (room) => f(room.doc));
  }
}

/**
 * The run as the door serves it (REST-20): a run of a deleted experiment is `deleted`, as MLflow's delete_experiment
 * marks them, while its run doc keeps its own lifecycle, so restoring the experiment brings back exactly the runs that
 * were not deleted on their own. The shared view is copied, never changed.
 */
export function asServed(run: Run, deletedExperiments: ReadonlySet<string>): Run {
  if (run.info.lifecycleStage === 'deleted' || !deletedExperiments.has(run.info.experimentId)) return run;
  return { ...run, info: { ...run.info, lifecycleStage: 'deleted' } };
}

function runIdOf(raw: string): RunId {
  const r = RunIdSchema.safeParse(raw);
  if (!r.success) throw invalid(`Invalid run id '${raw}'`);
  return r.data;
}

const noRunDoc = (): Y.Doc => {
  throw invalid('no run doc in a workspace write');
};

/**
 * `f`'s change to the room's doc committed through the room's one commit path. A refusal thrown before `f` changed
 * anything (the usual case: lib/doc commands check everything before their one transaction) is rethrown without
 * making the room reload itself from the store; a throw after a change rolls back as Room.writeLocal does.
 */
export function commitTo<T>(room: Room, f: (d: Y.Doc) => T): T {
  let out: T | undefined;
  let refused: { error: unknown } | null = null;
  room.writeLocal((d) => {
    let changed = false;
    const mark = () => {
      changed = true;
    };
    d.on('update', mark);
    try {
      out = f(d);
    } catch (error) {
      if (changed) throw error;
      refused = { error };
    } finally {
      d.off('update', mark);
    }
  });
  if (refused) throw (refused as { error: unknown }).error;
  return out as T;
}

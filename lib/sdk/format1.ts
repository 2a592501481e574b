import * as Y from 'yjs';
import { format1RunsAhead, hasFormat1Runs, metricsDocFromFormat1RunDoc } from '../doc';
import {
  JOURNAL_FORMAT,
  REC_ACTOR,
  REC_BLOB,
  REC_CHECKPOINT,
  REC_DIRTY,
  REC_FORMAT,
  recPoints,
  recSimple,
  recUpdate,
  type JournalState,
} from './journal';

/**
 * Journal format 1 → 2 (SPEC.md SDK-20; lib/doc DOC-U1..DOC-U3). A journal written by the format-1 SDK holds:
 *   `ws`        updates of the workspace doc WITH its runs (format 1: `runs.<id>` Y.Maps);
 *   `run/<id>`  updates of the run's format-1 run doc, i.e. its metric chunks.
 * Format 2 wants `run/<id>` to be the run doc and `run/<id>/metrics` the chunks. Two steps:
 *   1. `renameFormat1Journal` (here, before the client opens anything): every `run/<id>` becomes `run/<id>/metrics`,
 *      unchanged (the relay renames its rooms the same way) and marked dirty, and the journal says format 2. The
 *      workspace doc keeps its format-1 runs.
 *   2. the client (client.ts `upgradeRuns`) converts the workspace doc's format-1 runs through the doc engine, before
 *      the workspace doc goes on the network: with the relay's workspace state vector, each run ahead of it is written
 *      onto the relay's own run doc (fetched first), only what is ahead (DOC-U3), and marked dirty; without a relay,
 *      every run; then the workspace doc drops its runs. While the relay cannot be asked, nothing is converted and the
 *      workspace doc stays off the network; the client asks again every few seconds.
 * Pending points, the checkpoint, pending blobs, the dirty marks and the actor are carried over as they are.
 */

const merged = (list: Uint8Array[] | undefined): Uint8Array | null =>
  !list || list.length === 0 ? null : list.length === 1 ? list[0]! : Y.mergeUpdates(list);

/** The doc a journal holds under `name` (empty when none). */
export function journalDoc(st: JournalState, name: string): Y.Doc {
  const d = new Y.Doc();
  const u = merged(st.updates.get(name));
  if (u) Y.applyUpdate(d, u);
  return d;
}

/** The records of the format-2 journal replacing a format-1 one (step 1), or null when the journal is format 2. */
export function renameFormat1Journal(st: JournalState, actor: string): { records: Uint8Array[]; renamed: string[] } | null {
  if (st.format === null || st.format >= JOURNAL_FORMAT) return null;
  const updates = new Map<string, Uint8Array>();
  const dirty = new Set(st.dirty);
  const renamed: string[] = [];
  for (const [name, list] of st.updates) {
    const u = merged(list);
    if (!u) continue;
    const m = /^run\/([^/]+)$/.exec(name);
    if (m) {
      const to = `${name}/metrics`;
      updates.set(to, metricsDocFromFormat1RunDoc(u));
      dirty.add(to);
      renamed.push(m[1]!);
    } else {
      updates.set(name, u);
    }
  }
  const records: Uint8Array[] = [recSimple(REC_FORMAT, JOURNAL_FORMAT), recSimple(REC_ACTOR, actor)];
  for (const name of [...updates.keys()].sort()) records.push(recUpdate(name, updates.get(name)!));
  for (const name of [...dirty].sort()) records.push(recSimple(REC_DIRTY, name));
  // Points already chunks stay covered; the pending ones follow the checkpoint, under their old sequence numbers.
  records.push(recSimple(REC_CHECKPOINT, st.checkpoint));
  for (const p of st.points) records.push(recPoints(p));
  for (const sha of st.pendingBlobs) records.push(recSimple(REC_BLOB, sha));
  return { records, renamed: renamed.sort() };
}

/** Whether a workspace doc still holds format-1 runs to convert (step 2). */
export const hasRunsToConvert = (ws: Y.Doc): boolean => hasFormat1Runs(ws);

/** The format-1 runs to convert: those ahead of the relay's state vector, every run without one (DOC-U3). */
export function runsToConvert(ws: Y.Doc, relayStateVector: Uint8Array | null): string[] {
  try {
    return format1RunsAhead(ws, relayStateVector);
  } catch {
    // An answer that is no state vector proves nothing: every run.
    return format1RunsAhead(ws, null);
  }
}

import * as Y from 'yjs';
import { convertFormat1Run, dropFormat1Runs, format1RunIds, format1RunsAhead, hasFormat1Runs, metricsDocFromFormat1RunDoc } from '../doc';
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
 * Format 2 wants `run/<id>` to be the run doc and `run/<id>/metrics` the chunks. This computes the records of the
 * format-2 journal that replaces it (the caller rewrites the journal with them, atomically):
 *   1. every `run/<id>` becomes `run/<id>/metrics`, unchanged (the relay renames its rooms the same way) and dirty;
 *   2. the runs to convert (`pickRuns`) are written out as run docs (convertFormat1Run) and marked dirty, so the next
 *      connect pushes them (SDK-19); runs with points still pending in the journal are always converted (their points
 *      must become chunks of a run this client holds);
 *   3. the workspace doc drops its runs (dropFormat1Runs) and is marked dirty.
 * Pending points, the checkpoint, pending blobs and the actor are carried over as they are.
 */
export interface Format1Upgrade {
  records: Uint8Array[];
  /** Runs written out as run docs. */
  converted: string[];
  /** Format-1 run docs renamed to metrics docs. */
  renamed: string[];
}

/** Whether a loaded journal is format 1 and holds something format 2 names differently. */
export function needsUpgrade(st: JournalState): boolean {
  return st.format !== null && st.format < JOURNAL_FORMAT;
}

/** The workspace doc of a format-1 journal (its `ws` updates), for picking the runs to convert. */
export function format1Workspace(st: JournalState): Y.Doc {
  const ws = new Y.Doc();
  const list = st.updates.get('ws') ?? [];
  if (list.length) Y.applyUpdate(ws, list.length === 1 ? list[0]! : Y.mergeUpdates(list));
  return ws;
}

/**
 * Which runs to convert: those ahead of the relay's workspace state vector (DOC-U3) when the relay could be asked;
 * without an answer (no relay, offline, refused) every run the journal holds: nothing proves the relay has any of
 * them, and a format-1 journal cannot tell this client's runs from the ones it only synced (SPEC.md SDK-20 says why).
 */
export function runsToConvert(ws: Y.Doc, relayStateVector: Uint8Array | null): string[] {
  if (!hasFormat1Runs(ws)) return [];
  let ids: string[];
  try {
    ids = format1RunsAhead(ws, relayStateVector);
  } catch {
    // An answer that is no state vector counts as no answer.
    ids = format1RunsAhead(ws, null);
  }
  return ids;
}

export function upgradeFormat1(st: JournalState, ws: Y.Doc, convert: readonly string[], actor: string): Format1Upgrade {
  const updates = new Map<string, Uint8Array>();
  const dirty = new Set<string>();
  const renamed: string[] = [];
  for (const [name, list] of st.updates) {
    if (name === 'ws' || list.length === 0) continue;
    const merged = list.length === 1 ? list[0]! : Y.mergeUpdates(list);
    const m = /^run\/([^/]+)$/.exec(name);
    if (m) {
      const to = `${name}/metrics`;
      updates.set(to, metricsDocFromFormat1RunDoc(merged));
      dirty.add(to);
      renamed.push(m[1]!);
    } else {
      updates.set(name, merged);
    }
  }
  const known = new Set(format1RunIds(ws));
  const ids = new Set(convert.filter((id) => known.has(id)));
  for (const p of st.points) if (known.has(p.runId)) ids.add(p.runId);
  const converted: string[] = [];
  for (const id of ids) {
    const d = new Y.Doc();
    if (convertFormat1Run(ws, id, d)) {
      updates.set(`run/${id}`, Y.encodeStateAsUpdate(d));
      dirty.add(`run/${id}`);
      converted.push(id);
    }
    d.destroy();
  }
  dropFormat1Runs(ws);
  updates.set('ws', Y.encodeStateAsUpdate(ws));
  dirty.add('ws');

  const records: Uint8Array[] = [recSimple(REC_FORMAT, JOURNAL_FORMAT), recSimple(REC_ACTOR, actor)];
  for (const name of [...updates.keys()].sort()) records.push(recUpdate(name, updates.get(name)!));
  for (const name of [...dirty].sort()) records.push(recSimple(REC_DIRTY, name));
  // Points already chunks stay covered; the pending ones follow the checkpoint, under their old sequence numbers.
  records.push(recSimple(REC_CHECKPOINT, st.checkpoint));
  for (const p of st.points) records.push(recPoints(p));
  for (const sha of st.pendingBlobs) records.push(recSimple(REC_BLOB, sha));
  return { records, converted: converted.sort(), renamed: renamed.sort() };
}

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
 * Format 2 wants `run/<id>` to be the run doc and `run/<id>/metrics` the chunks. `planUpgrade` computes the records of
 * the journal that replaces it (the caller rewrites the journal with them, in one atomic step), or null when nothing
 * changes:
 *   1. (format-1 journal) every `run/<id>` becomes `run/<id>/metrics`, unchanged (the relay renames its rooms the
 *      same way) and dirty;
 *   2. the workspace doc's format-1 runs, by what is known of the relay:
 *      - `known` (the relay's workspace state vector): the runs holding something the relay lacks (DOC-U3), and those
 *        with points still pending here, become run docs marked dirty, pushed at connect (SDK-19); the workspace doc
 *        drops its runs (the relay converted the rest itself, and they load from it on demand);
 *      - `unknown` (relay configured but not reachable, or not answering): every run becomes a run doc, for reading
 *        offline, NOT marked dirty, and the workspace doc keeps its runs: its sync delivers exactly the run items the
 *        relay lacks, which the relay converts (relay RELAY-38), and the next connect that can ask the relay finishes
 *        the upgrade as `known`;
 *      - `local` (no relay): every run becomes a run doc and the workspace doc drops its runs.
 * Pending points, the checkpoint, pending blobs, the dirty marks and the actor are carried over as they are.
 */
export type RelayKnowledge = { kind: 'known'; stateVector: Uint8Array } | { kind: 'unknown' } | { kind: 'local' };

export interface UpgradePlan {
  records: Uint8Array[];
  /** Runs written into run docs (new or merged). */
  converted: string[];
  /** Of those, the ones marked dirty (pushed at connect). */
  pushed: string[];
  /** Format-1 run docs renamed to metrics docs. */
  renamed: string[];
  /** Whether the workspace doc dropped its format-1 runs. */
  dropped: boolean;
}

const merged = (list: Uint8Array[] | undefined): Uint8Array | null =>
  !list || list.length === 0 ? null : list.length === 1 ? list[0]! : Y.mergeUpdates(list);

/** The doc a journal holds under `name` (empty when none). */
export function journalDoc(st: JournalState, name: string): Y.Doc {
  const d = new Y.Doc();
  const u = merged(st.updates.get(name));
  if (u) Y.applyUpdate(d, u);
  return d;
}

/** Whether the journal holds format-1 content: written in format 1, or its workspace doc still holds format-1 runs. */
export function hasFormat1Content(st: JournalState, ws: Y.Doc): boolean {
  return (st.format !== null && st.format < JOURNAL_FORMAT) || hasFormat1Runs(ws);
}

export function planUpgrade(st: JournalState, ws: Y.Doc, relay: RelayKnowledge, actor: string): UpgradePlan | null {
  const formatOne = st.format !== null && st.format < JOURNAL_FORMAT;
  const updates = new Map<string, Uint8Array>();
  const dirty = new Set(st.dirty);
  const renamed: string[] = [];
  for (const [name, list] of st.updates) {
    const u = merged(list);
    if (name === 'ws' || !u) continue;
    const m = formatOne ? /^run\/([^/]+)$/.exec(name) : null;
    if (m) {
      const to = `${name}/metrics`;
      updates.set(to, metricsDocFromFormat1RunDoc(u));
      dirty.add(to);
      renamed.push(m[1]!);
    } else {
      updates.set(name, u);
    }
  }

  const known = new Set(format1RunIds(ws));
  const pendingRuns = new Set(st.points.map((p) => p.runId).filter((id) => known.has(id)));
  let convert: Set<string>;
  let markDirty: Set<string>;
  let drop: boolean;
  if (relay.kind === 'known') {
    let ahead: string[];
    try {
      ahead = format1RunsAhead(ws, relay.stateVector);
    } catch {
      // An answer that is no state vector proves nothing: every run.
      ahead = format1RunsAhead(ws, null);
    }
    convert = new Set([...ahead, ...pendingRuns]);
    markDirty = convert;
    drop = known.size > 0;
  } else if (relay.kind === 'unknown') {
    convert = known;
    markDirty = new Set();
    drop = false;
  } else {
    convert = known;
    markDirty = new Set();
    drop = known.size > 0;
  }

  const converted: string[] = [];
  const pushed: string[] = [];
  for (const id of convert) {
    const name = `run/${id}`;
    const d = new Y.Doc();
    const had = updates.get(name);
    if (had) Y.applyUpdate(d, had);
    const before = Y.encodeStateVector(d);
    if (convertFormat1Run(ws, id, d)) {
      const changed = !equalBytes(before, Y.encodeStateVector(d));
      if (changed) {
        updates.set(name, Y.encodeStateAsUpdate(d));
        converted.push(id);
      }
      if (markDirty.has(id) && (changed || !dirty.has(name))) {
        dirty.add(name);
        pushed.push(id);
      }
    }
    d.destroy();
  }
  if (drop) {
    dropFormat1Runs(ws);
    dirty.add('ws');
  }
  if (!formatOne && converted.length === 0 && pushed.length === 0 && !drop) return null;
  const wsUpdate = Y.encodeStateAsUpdate(ws);
  updates.set('ws', wsUpdate);

  const records: Uint8Array[] = [recSimple(REC_FORMAT, JOURNAL_FORMAT), recSimple(REC_ACTOR, actor)];
  for (const name of [...updates.keys()].sort()) records.push(recUpdate(name, updates.get(name)!));
  for (const name of [...dirty].sort()) records.push(recSimple(REC_DIRTY, name));
  // Points already chunks stay covered; the pending ones follow the checkpoint, under their old sequence numbers.
  records.push(recSimple(REC_CHECKPOINT, st.checkpoint));
  for (const p of st.points) records.push(recPoints(p));
  for (const sha of st.pendingBlobs) records.push(recSimple(REC_BLOB, sha));
  return { records, converted: converted.sort(), pushed: pushed.sort(), renamed: renamed.sort(), dropped: drop };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

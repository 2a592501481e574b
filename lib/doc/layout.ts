import * as Y from 'yjs';
import { CairnError } from '../domain';

/**
 * The document layout (lib/doc/SPEC.md §Layout). Everything that reads or writes Yjs structures goes through these
 * accessors so the layout has one home.
 *
 * Workspace doc:
 *   meta        Y.Map  formatVersion
 *   exp         Y.Map  `${experimentId}\u0001${field}` → scalar   (flat: DOC-L2)
 *   expTags     Y.Map  `${experimentId}\u0001${key}` → string
 *   runs        Y.Map  runId → Y.Map (RunFields + nested params/tags/metrics/artifacts; created once by the run's creator)
 * Run doc (one per run, room `<workspace>/run/<runId>`):
 *   meta        Y.Map  formatVersion, runId
 *   chunks      Y.Array<Uint8Array>  binary metric chunks (DOC-M4)
 */
export const FORMAT_VERSION = 1;
/** Separates id and field in flat map keys; cannot occur in ids or MLflow keys. */
export const SEP = '\u0001';

export const wsMeta = (d: Y.Doc) => d.getMap<unknown>('meta');
export const wsExp = (d: Y.Doc) => d.getMap<unknown>('exp');
export const wsExpTags = (d: Y.Doc) => d.getMap<unknown>('expTags');
/** Values are run Y.Maps when a lib/doc writer made them, but a peer can put anything there: use `runMap`. */
export const wsRuns = (d: Y.Doc) => d.getMap<unknown>('runs');
/** The run's Y.Map, or undefined when there is none (or something else sits under its id: DOC-L5). */
export function runMap(d: Y.Doc, runId: string): Y.Map<unknown> | undefined {
  const r = wsRuns(d).get(runId);
  return r instanceof Y.Map ? (r as Y.Map<unknown>) : undefined;
}
/**
 * The run ids an `observeDeep` batch on `wsRuns` touched: a run added, removed or replaced, or anything inside one.
 * One reading of these events for every observer (the data worker's host, the relay's indexes).
 */
export function runIdsOfEvents(runs: Y.Map<unknown>, events: readonly Y.YEvent<Y.AbstractType<unknown>>[]): Set<string> {
  const ids = new Set<string>();
  for (const ev of events) {
    if (ev.target === runs) for (const k of ev.keys.keys()) ids.add(k);
    else if (typeof ev.path[0] === 'string') ids.add(ev.path[0]);
  }
  return ids;
}
export const runMeta = (d: Y.Doc) => d.getMap<unknown>('meta');
export const runChunks = (d: Y.Doc) => d.getArray<Uint8Array>('chunks');

/*
 * A peer's update is only checked for Yjs well-formedness by the relay, not for this layout: a buggy or hostile client
 * could put anything under a run. Readers treat containers of the wrong type as empty (runEntries, runParamValues) and
 * check what is inside them record by record with the schemas of records.ts; writers go through writable*.
 */
/**
 * For writers (DOC-L7): the run's container, or INVALID_STATE when a peer put something else there. Readers treat such
 * a container as empty; a writer must not write into a stand-in (the write would be silently lost) nor replace it
 * (two replicas replacing it at once would each drop the other's content).
 */
export function writableParams(r: Y.Map<unknown>, runId: string): Y.Array<unknown> {
  return writable(r, runId, 'params', Y.Array) as Y.Array<unknown>;
}
export function writableRunMap(r: Y.Map<unknown>, runId: string, name: RunMapName): Y.Map<unknown> {
  return writable(r, runId, name, Y.Map) as Y.Map<unknown>;
}
function writable(r: Y.Map<unknown>, runId: string, name: string, ctor: typeof Y.Array | typeof Y.Map): unknown {
  const v = r.get(name);
  if (v instanceof ctor) return v;
  throw new CairnError(
    'INVALID_STATE',
    `The ${name} of run ${runId} were overwritten by another client with something that is not a ${ctor.name}; new ${name} cannot be stored in this run.`,
  );
}

/** What readers take from a run's containers: the values as found ([] when the container is of the wrong type). */
export type RunMapName = 'tags' | 'metrics' | 'artifacts';
export function runEntries(r: Y.Map<unknown>, name: RunMapName): [string, unknown][] {
  const m = r.get(name);
  const out: [string, unknown][] = [];
  // forEach walks the map directly; entries() goes through two lib0 iterator wrappers per entry (a third of a
  // 10k-run listRuns went there).
  if (m instanceof Y.Map) m.forEach((v: unknown, k: string) => void out.push([k, v]));
  return out;
}
export function runParamValues(r: Y.Map<unknown>): unknown[] {
  const a = r.get('params');
  return a instanceof Y.Array ? a.toArray() : [];
}

export function expField<T>(d: Y.Doc, id: string, field: string): T | undefined {
  return wsExp(d).get(id + SEP + field) as T | undefined;
}

/** All experiment ids present in the doc (an experiment exists once its `name` field exists). */
export function experimentIds(d: Y.Doc): string[] {
  const ids: string[] = [];
  for (const k of wsExp(d).keys()) {
    const i = k.indexOf(SEP);
    if (i > 0 && k.slice(i + 1) === 'name') ids.push(k.slice(0, i));
  }
  return ids;
}

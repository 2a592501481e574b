import * as Y from 'yjs';

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
export const wsExpTags = (d: Y.Doc) => d.getMap<string>('expTags');
export const wsRuns = (d: Y.Doc) => d.getMap<Y.Map<unknown>>('runs');
export const runMeta = (d: Y.Doc) => d.getMap<unknown>('meta');
export const runChunks = (d: Y.Doc) => d.getArray<Uint8Array>('chunks');

/** A param as written: every write is kept, in array order, so concurrent writers can be reconciled (DOC-P4). */
export interface ParamEntry {
  key: string;
  value: string;
  actor: string;
  at: number;
}

/** One writer's share of a metric key's summary; the read view merges shares (DOC-M2). */
export interface SummaryShare {
  latest: number;
  latestStep: number;
  latestTimestamp: number;
  min: number;
  max: number;
  count: number;
}

/*
 * A peer's update is only checked for Yjs well-formedness by the relay, not for this layout: a buggy or hostile client
 * could put anything under a run. Readers therefore take what has the expected type and treat the rest as empty,
 * so one malformed run cannot break the views of everyone else.
 */
const EMPTY_ARRAY = new Y.Array<never>();
const EMPTY_MAP = new Y.Map<never>();
function typed<T>(v: unknown, ctor: typeof Y.Array | typeof Y.Map, empty: unknown): T {
  return (v instanceof ctor ? v : empty) as T;
}

export const runParams = (r: Y.Map<unknown>) => typed<Y.Array<ParamEntry>>(r.get('params'), Y.Array, EMPTY_ARRAY);
export const runTags = (r: Y.Map<unknown>) => typed<Y.Map<string>>(r.get('tags'), Y.Map, EMPTY_MAP);
export const runMetrics = (r: Y.Map<unknown>) => typed<Y.Map<SummaryShare>>(r.get('metrics'), Y.Map, EMPTY_MAP);
export const runArtifacts = (r: Y.Map<unknown>) => typed<Y.Map<unknown>>(r.get('artifacts'), Y.Map, EMPTY_MAP);

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

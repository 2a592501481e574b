import * as Y from 'yjs';
import { FORMAT_VERSION, runArtifacts, runFields, runMeta, runMetrics, runParams, runTags, wsMeta } from './layout';
import { isRunId } from './records';

/**
 * Format 1 → 2 (SPEC.md DOC-U1..DOC-U3). Format 1 kept every run in the workspace doc (`runs`: runId → Y.Map of its
 * fields, with `params` Y.Array and `tags`/`metrics`/`artifacts` Y.Maps) and its points in the run doc's `chunks`.
 * Format 2 gives each run its own run doc and moves the points to the metrics doc. The one converter here is used by
 * the relay (its data folder, at start), the data worker (IndexedDB) and the SDK (its journal).
 */

/** Origin of the converter's transactions: hosts store them like local writes (they are the replica's own copy). */
export const UPGRADE_ORIGIN = 'cairn-upgrade';

const format1Runs = (ws: Y.Doc) => ws.getMap<unknown>('runs');

/** Whether a workspace doc still holds format-1 runs (a fresh or upgraded one holds none). */
export function hasFormat1Runs(ws: Y.Doc): boolean {
  return format1Runs(ws).size > 0;
}

/** The ids of the runs a format-1 workspace doc holds. */
export function format1RunIds(ws: Y.Doc): string[] {
  return [...format1Runs(ws).keys()].filter((id) => isRunId(id));
}

/**
 * DOC-U1: writes the format-1 run `runId` of `ws` into `runDoc`: its fields, every param entry in order (the conflict
 * records stay conflict records), tags, summary shares and artifact references, as they are. Values are copied as
 * found: the format-2 readers apply DOC-L5..L8 to them exactly as format 1's did. False when `ws` holds no run map
 * under that id.
 *
 * DOC-U3: with `remoteSv` (the relay's state vector of the workspace doc), `runDoc` is the relay's own conversion of
 * the run and only what this replica holds beyond it is written: values whose item the relay had not seen, param
 * entries it had not seen, and keys deleted here that the relay's conversion still holds (a state vector cannot say
 * whether the relay saw a deletion, so a deletion made here is applied; SPEC.md says what that costs). Written after
 * the relay's values in the same doc, they win over them, as they would have in format 1.
 */
export function convertFormat1Run(ws: Y.Doc, runId: string, runDoc: Y.Doc, remoteSv?: Uint8Array): boolean {
  const r = format1Runs(ws).get(runId);
  if (!(r instanceof Y.Map)) return false;
  const remote = remoteSv ? Y.decodeStateVector(remoteSv) : null;
  const ahead = (client: number, clock: number) => !remote || clock >= (remote.get(client) ?? 0);
  runDoc.transact(() => {
    const meta = runMeta(runDoc);
    if (meta.get('runId') === undefined) {
      meta.set('formatVersion', FORMAT_VERSION);
      meta.set('runId', runId);
    }
    copyMap(r as Y.Map<unknown>, runFields(runDoc), ahead, NESTED);
    const params = r.get('params');
    if (params instanceof Y.Array) {
      const entries: unknown[] = [];
      for (let it = (params as Y.Array<unknown>)._start; it; it = it.right) {
        if (it.deleted || !it.countable) continue;
        const values = it.content.getContent();
        values.forEach((v, j) => {
          const value = plain(v);
          if (value !== undefined && ahead(it.id.client, it.id.clock + j)) entries.push(value);
        });
      }
      // A run doc converted before (the relay's copy, maybe of another format-1 state) already holds some entries:
      // append, in order, each entry it does not hold yet (matched one for one).
      const existing = runParams(runDoc).toArray();
      const matched = new Set<number>();
      const fresh = entries.filter((e) => {
        const i = existing.findIndex((x, j) => !matched.has(j) && same(x, e));
        if (i < 0) return true;
        matched.add(i);
        return false;
      });
      if (fresh.length) runParams(runDoc).push(fresh);
    }
    for (const [name, to] of [['tags', runTags(runDoc)], ['metrics', runMetrics(runDoc)], ['artifacts', runArtifacts(runDoc)]] as const) {
      const from = r.get(name);
      if (from instanceof Y.Map) copyMap(from as Y.Map<unknown>, to, ahead, new Set());
    }
  }, UPGRADE_ORIGIN);
  return true;
}

const NESTED = new Set(['params', 'tags', 'metrics', 'artifacts']);
/** Nested types and subdocuments cannot move between docs (and no reader takes them): they are left behind. */
const plain = (v: unknown) => (v instanceof Y.AbstractType || v instanceof Y.Doc ? undefined : v);

/**
 * Every key of `from` (its latest item, deleted or not): a live value is set when it is ahead of the relay (always,
 * without a state vector) and differs; a deleted key is deleted from `to`.
 */
function copyMap(from: Y.Map<unknown>, to: Y.Map<unknown>, ahead: (client: number, clock: number) => boolean, skip: ReadonlySet<string>): void {
  for (const [k, item] of from._map) {
    if (skip.has(k)) continue;
    if (item.deleted) {
      if (to.has(k)) to.delete(k);
      continue;
    }
    const value = plain(from.get(k));
    if (value !== undefined && ahead(item.id.client, item.id.clock) && !same(to.get(k), value)) to.set(k, value);
  }
}

/** Structural equality of stored values (any value a peer can store: bigint, NaN and binary included). */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array)
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(rb, k) && same(ra[k], rb[k]));
}

/**
 * DOC-U1: a format-1 run doc (meta + chunks) becomes the run's metrics doc as it is: the same content under the new
 * room. Returns the update to store under the metrics doc's name.
 */
export function metricsDocFromFormat1RunDoc(format1RunDoc: Uint8Array): Uint8Array {
  return format1RunDoc;
}

/** DOC-U1: after every run was written out, the workspace doc drops its `runs` entries and says format 2. */
export function dropFormat1Runs(ws: Y.Doc): void {
  const runs = format1Runs(ws);
  ws.transact(() => {
    for (const id of [...runs.keys()]) runs.delete(id);
    if (wsMeta(ws).get('formatVersion') !== FORMAT_VERSION) wsMeta(ws).set('formatVersion', FORMAT_VERSION);
  }, UPGRADE_ORIGIN);
}

/**
 * DOC-U3: the format-1 runs of a local replica holding something the relay does not (an item or a deletion past the
 * relay's encoded state vector `remoteSv`), which the replica must push as run docs; the rest the relay converted
 * itself and re-syncs. `remoteSv` null (relay unknown or unreachable): every run, since nothing proves the relay has any.
 */
export function format1RunsAhead(ws: Y.Doc, remoteSv: Uint8Array | null): string[] {
  const ids = format1RunIds(ws);
  if (!remoteSv) return ids;
  const remote = Y.decodeStateVector(remoteSv);
  const deleted = Y.decodeUpdate(Y.encodeStateAsUpdate(ws, remoteSv)).ds.clients;
  const isAhead = (item: Y.Item): boolean => {
    if (item.id.clock + item.length > (remote.get(item.id.client) ?? 0)) return true;
    // A map value with a newer one to its right was deleted by that newer value, which the relay holds or which is
    // itself ahead: only other deletions (a tag deleted, an entry removed) can be news to the relay. A state vector
    // does not say which of those the relay has seen, so each one counts.
    if (item.parentSub !== null && item.right !== null) return false;
    const ranges = deleted.get(item.id.client);
    return !!ranges && ranges.some((d) => item.id.clock + item.length > d.clock && item.id.clock < d.clock + d.len);
  };
  const runs = format1Runs(ws);
  return ids.filter((id) => someItem(runs._map.get(id) ?? null, isAhead));
}

/** Walks an item, every earlier value of its map key, and everything under the type it holds. */
function someItem(item: Y.Item | null, f: (i: Y.Item) => boolean): boolean {
  for (let it: Y.Item | null = item; it; it = it.left as Y.Item | null) {
    if (f(it)) return true;
    const content = it.content;
    if (content instanceof Y.ContentType) {
      const t = content.type;
      for (const child of t._map.values()) if (someItem(child, f)) return true;
      for (let a = t._start; a; a = a.right) if (f(a)) return true;
    }
  }
  return false;
}

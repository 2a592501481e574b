/**
 * Sorting a selection of rows (SPEC SEARCH-17..19): the order_by clauses, then MLflow's default order
 * `start_time DESC, run_id ASC` to break ties, then the row index (only duplicate run ids get that far).
 * In every direction values come first, then NaN, then missing (MLflow's "None and NaN last", NaN before None).
 * Strings compare by code point (Python's and SQLite's order), through a per-dictionary rank.
 */
import { attributeColumn } from './filter-ast';
import type { RunTable, StringColumn } from './columns';
import type { OrderClause } from './order-by';

const VALUE = 0;
const NAN = 1;
const MISSING = 2;

/** Code point order; differs from `<` on UTF-16 units only when both sides have a unit ≥ U+D800. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates encode code points above U+FFFF: move them above U+E000..U+FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** A column's sort key, direction left out: its class (value, NaN, missing) and number per row (strings: their rank). */
interface SortKey {
  cls: Uint8Array;
  val: Float64Array;
}

function numericKey(values: Float64Array, present: Uint8Array | null): SortKey {
  const n = values.length;
  const cls = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    cls[i] = present && present[i] === 0 ? MISSING : v !== v ? (present ? NAN : MISSING) : VALUE;
  }
  return { cls, val: values };
}

function stringKey(col: StringColumn | undefined, n: number): SortKey {
  const cls = new Uint8Array(n).fill(MISSING);
  const val = new Float64Array(n);
  if (!col) return { cls, val };
  const order = col.dict.map((_, j) => j).sort((a, b) => compareCodePoints(col.dict[a]!, col.dict[b]!));
  const rank = new Float64Array(col.dict.length);
  order.forEach((j, r) => (rank[j] = r));
  for (let i = 0; i < n; i++) {
    const code = col.codes[i]!;
    if (code >= 0) {
      cls[i] = VALUE;
      val[i] = rank[code]!;
    }
  }
  return { cls, val };
}

const STRING_ATTRIBUTE: Record<string, (t: RunTable) => StringColumn> = {
  run_id: (t) => t.runId,
  run_name: (t) => t.runName,
  user_id: (t) => t.userId,
  status: (t) => t.status,
  artifact_uri: (t) => t.artifactUri,
};

function keyFor(t: RunTable, c: OrderClause): SortKey {
  const n = t.rowCount;
  switch (c.entity) {
    case 'metric': {
      const col = t.metrics.find((m) => m.key === c.key);
      return col ? numericKey(col.latest, col.present) : stringKey(undefined, n);
    }
    case 'parameter':
      // Params sort as strings, like MLflow (numeric comparison is a filter extension only).
      return stringKey(t.params.find((p) => p.key === c.key), n);
    case 'tag':
      return stringKey(t.tags.find((p) => p.key === c.key), n);
    case 'attribute': {
      const a = attributeColumn(c.key);
      if (a === 'start_time') return numericKey(t.startTime, null);
      if (a === 'end_time') return numericKey(t.endTime, null);
      return stringKey(STRING_ATTRIBUTE[a]!(t), n);
    }
  }
}

export const DEFAULT_ORDER: readonly OrderClause[] = [
  { entity: 'attribute', key: 'start_time', ascending: false },
  { entity: 'attribute', key: 'run_id', ascending: true },
];

/**
 * What sorting a table needs, kept with the table (a RunTable never changes once built): each column's key, made the
 * first time a search orders by it, and, once `prepareDefaultOrder` made it, every row's place in the default order.
 * A search then sorts without ranking ten thousand run ids again, and a search with no order_by only picks its rows
 * out of the default order. The default order is made only when asked for (the data worker, for a table it keeps and
 * searches again and again): a table built for one search (the SDK's, the REST door's) sorts just its selection.
 */
interface SortCache {
  keys: Map<string, SortKey>;
  /** Row indices in the default order; `rank[row]` is the row's place in it. */
  order?: Uint32Array;
  rank?: Uint32Array;
}
const sortCaches = new WeakMap<RunTable, SortCache>();

type DirectedKey = SortKey & { dir: number };

function compareBy(keys: readonly DirectedKey[], a: number, b: number): number {
  for (let j = 0; j < keys.length; j++) {
    const key = keys[j]!;
    const ca = key.cls[a]!;
    const cb = key.cls[b]!;
    if (ca !== cb) return ca - cb;
    if (ca === VALUE) {
      const va = key.val[a]!;
      const vb = key.val[b]!;
      if (va !== vb) return va < vb ? -key.dir : key.dir;
    }
  }
  return 0;
}

function cacheOf(t: RunTable): SortCache {
  let c = sortCaches.get(t);
  if (!c) {
    c = { keys: new Map() };
    sortCaches.set(t, c);
  }
  return c;
}

/** The clauses' keys with their directions, each column's key made once per table. */
function directedKeys(t: RunTable, clauses: readonly OrderClause[]): DirectedKey[] {
  const cache = cacheOf(t).keys;
  return clauses.map((c) => {
    const id = `${c.entity}\u0000${c.entity === 'attribute' ? attributeColumn(c.key) : c.key}`;
    let k = cache.get(id);
    if (!k) {
      k = keyFor(t, c);
      cache.set(id, k);
    }
    return { ...k, dir: c.ascending ? 1 : -1 };
  });
}

/**
 * Makes (once) every row's place in the default order, `start_time DESC, run_id ASC`, then the row index: for a table
 * searched many times, done when it is built, so no search ranks the rows again.
 */
export function prepareDefaultOrder(t: RunTable): void {
  const c = cacheOf(t);
  if (c.order) return;
  const directed = directedKeys(t, DEFAULT_ORDER);
  const n = t.rowCount;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => compareBy(directed, a, b) || a - b);
  const rank = new Uint32Array(n);
  for (let i = 0; i < n; i++) rank[order[i]!] = i;
  c.order = order;
  c.rank = rank;
}

/** Sorts `rows` (indices into `t`) in place and returns it: the clauses, then the default order (SEARCH-17..19). */
export function sortRows(t: RunTable, rows: Uint32Array, clauses: readonly OrderClause[]): Uint32Array {
  const { order, rank } = cacheOf(t);
  if (!order || !rank) {
    const keys = directedKeys(t, [...clauses, ...DEFAULT_ORDER]);
    return rows.sort((a, b) => compareBy(keys, a, b) || a - b);
  }
  if (clauses.length === 0) {
    // The rows in the default order, picked out of it: one pass, no comparisons (a row listed twice stays twice).
    const times = new Uint32Array(t.rowCount);
    for (let i = 0; i < rows.length; i++) times[rows[i]!]!++;
    let j = 0;
    for (let i = 0; i < order.length && j < rows.length; i++) {
      const r = order[i]!;
      for (let m = times[r]!; m > 0; m--) rows[j++] = r;
    }
    return rows;
  }
  const keys = directedKeys(t, clauses);
  return rows.sort((a, b) => compareBy(keys, a, b) || rank[a]! - rank[b]!);
}

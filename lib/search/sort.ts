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

interface SortKey {
  cls: Uint8Array;
  val: Float64Array;
  /** +1 ascending, -1 descending. */
  dir: number;
}

function numericKey(values: Float64Array, present: Uint8Array | null, dir: number): SortKey {
  const n = values.length;
  const cls = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    cls[i] = present && present[i] === 0 ? MISSING : v !== v ? (present ? NAN : MISSING) : VALUE;
  }
  return { cls, val: values, dir };
}

function stringKey(col: StringColumn | undefined, n: number, dir: number): SortKey {
  const cls = new Uint8Array(n).fill(MISSING);
  const val = new Float64Array(n);
  if (!col) return { cls, val, dir };
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
  return { cls, val, dir };
}

const STRING_ATTRIBUTE: Record<string, (t: RunTable) => StringColumn> = {
  run_id: (t) => t.runId,
  run_name: (t) => t.runName,
  user_id: (t) => t.userId,
  status: (t) => t.status,
  artifact_uri: (t) => t.artifactUri,
};

function keyFor(t: RunTable, c: OrderClause): SortKey {
  const dir = c.ascending ? 1 : -1;
  const n = t.rowCount;
  switch (c.entity) {
    case 'metric': {
      const col = t.metrics.find((m) => m.key === c.key);
      return col ? numericKey(col.latest, col.present, dir) : stringKey(undefined, n, dir);
    }
    case 'parameter':
      // Params sort as strings, like MLflow (numeric comparison is a filter extension only).
      return stringKey(t.params.find((p) => p.key === c.key), n, dir);
    case 'tag':
      return stringKey(t.tags.find((p) => p.key === c.key), n, dir);
    case 'attribute': {
      const a = attributeColumn(c.key);
      if (a === 'start_time') return numericKey(t.startTime, null, dir);
      if (a === 'end_time') return numericKey(t.endTime, null, dir);
      return stringKey(STRING_ATTRIBUTE[a]!(t), n, dir);
    }
  }
}

export const DEFAULT_ORDER: readonly OrderClause[] = [
  { entity: 'attribute', key: 'start_time', ascending: false },
  { entity: 'attribute', key: 'run_id', ascending: true },
];

/** Sorts `rows` (indices into `t`) in place and returns it. */
export function sortRows(t: RunTable, rows: Uint32Array, clauses: readonly OrderClause[]): Uint32Array {
  const keys = [...clauses, ...DEFAULT_ORDER].map((c) => keyFor(t, c));
  const k = keys.length;
  const cmp = (a: number, b: number): number => {
    for (let j = 0; j < k; j++) {
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
    return a - b;
  };
  return rows.sort(cmp);
}

/**
 * The runs table's shown list, built from a search result (lib/search `searchTable`: the matching rows in order):
 * pinned runs first, hidden runs left out (or flagged), then either groups by a param or tag (a header entry with
 * count/min/mean/max of each shown metric column, then its runs) or the runs nested under their parents (children
 * listed only under an expanded parent). The data worker builds it once per view and sends windows of it by offset;
 * the CSV export (table-csv.ts) walks the same list. Pure: rows in, plain entries out.
 */
import { compareCodePoints } from './sort';
import { paramNumber } from './columns';
import { parseColumn, PARENT_TAG, SOURCE_TAG, VERSION_TAG, type ColumnRef, type TableSort } from './table-view';

/** What the list reads of a run: lib/run-index's IndexRow has this shape. */
export interface ListRow {
  runId: string;
  runName: string;
  userId: string;
  status: string;
  startTime: number;
  endTime: number | null;
  parentRunId?: string | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, { latest: number; min: number; max: number; count: number }>;
  datasets: readonly { name: string; digest: string; context: string | null }[];
}

export interface Aggregate {
  /** Runs of the group with a finite value in the column. */
  count: number;
  min: number;
  mean: number;
  max: number;
}

export type ListEntry =
  | { kind: 'run'; row: number; depth: number; children: number; expanded: boolean; pinned: boolean; hidden: boolean }
  | { kind: 'group'; key: string; value: string | null; count: number; collapsed: boolean; aggregates: Record<string, Aggregate> };

export interface ListOptions {
  sort: TableSort | null;
  /** The sort was already applied by order_by (searchTable); else this module sorts by the column itself. */
  sorted: boolean;
  groupBy: string | null;
  pinned: readonly string[];
  hidden: readonly string[];
  showHidden: boolean;
  /** Parents whose children are listed. */
  expanded: readonly string[];
  /** Group keys (`groupKey`) whose runs are not listed. */
  collapsedGroups: readonly string[];
  /** The shown columns: metric ones get aggregates in group headers. */
  columns: readonly string[];
  /** List children of collapsed parents and runs of collapsed groups too (the CSV export: every matching run). */
  everything?: boolean;
}

export interface ShownList {
  entries: ListEntry[];
  /** Matching runs (hidden ones included). */
  matching: number;
  /** Matching runs that are hidden. */
  hidden: number;
}

/** The key of a group in `collapsedGroups`: its value, or none. */
export const groupKey = (value: string | null): string => (value === null ? 'none' : `v:${value}`);

/**
 * A record's string value, or null. One property read and a type check, no `hasOwn`: inherited properties
 * (`constructor`, `__proto__`) are never strings, and this runs 200k times for a 10k-run group-by.
 */
function str(o: Record<string, string>, k: string): string | null {
  const v = o[k];
  return typeof v === 'string' ? v : null;
}

/** A metric summary's field, or null (inherited properties are not summaries with a number there). */
function metricField(o: ListRow['metrics'], k: string, f: 'latest' | 'min' | 'max'): number | null {
  const m = o[k];
  const v = m !== null && typeof m === 'object' ? (m as Record<string, unknown>)[f] : undefined;
  return typeof v === 'number' ? v : null;
}

/** A cell's value: a number, a string, or null when the run has none. Durations are milliseconds. */
export function cellValue(r: ListRow, c: ColumnRef): number | string | null {
  switch (c.kind) {
    case 'attr':
      switch (c.key) {
        case 'name':
          return r.runName || r.runId;
        case 'status':
          return r.status;
        case 'created':
          return r.startTime;
        case 'duration':
          return r.endTime === null || !Number.isFinite(r.endTime) ? null : r.endTime - r.startTime;
        case 'user':
          return r.userId || null;
        case 'source':
          return str(r.tags, SOURCE_TAG);
        case 'version':
          return str(r.tags, VERSION_TAG);
        case 'dataset':
          return r.datasets.length ? r.datasets.map((d) => (d.context ? `${d.name} (${d.context})` : d.name)).join('; ') : null;
      }
      return null;
    case 'param':
      return str(r.params, c.key);
    case 'tag':
      return str(r.tags, c.key);
    case 'metric':
      return metricField(r.metrics, c.key, 'latest');
    case 'metricmin':
      return metricField(r.metrics, c.key, 'min');
    case 'metricmax':
      return metricField(r.metrics, c.key, 'max');
  }
}

/** Values first (numbers before strings), NaN after them, missing last, in either direction (MLflow's order). */
function compareValues(a: number | string | null, b: number | string | null, dir: number): number {
  const cls = (v: number | string | null) => (v === null ? 2 : typeof v === 'number' && Number.isNaN(v) ? 1 : 0);
  const ca = cls(a);
  const cb = cls(b);
  if (ca !== cb) return ca - cb;
  if (ca !== 0) return 0;
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -dir : dir;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return dir * compareCodePoints(a as string, b as string);
}

/** Sorts the selection by a column order_by cannot express; stable, so ties keep the search's default order. */
function sortByColumn(rows: readonly ListRow[], order: number[], sort: TableSort): number[] {
  const c = parseColumn(sort.column);
  if (!c) return order;
  const dir = sort.ascending ? 1 : -1;
  const keyed = order.map((i) => ({ i, v: cellValue(rows[i]!, c) }));
  keyed.sort((x, y) => compareValues(x.v, y.v, dir));
  return keyed.map((k) => k.i);
}

/** Count/min/mean/max of each metric column over `members` (finite values only). */
export function aggregates(rows: readonly ListRow[], members: readonly number[], columns: readonly string[]): Record<string, Aggregate> {
  const out: Record<string, Aggregate> = {};
  for (const id of columns) {
    const c = parseColumn(id);
    if (!c || (c.kind !== 'metric' && c.kind !== 'metricmin' && c.kind !== 'metricmax')) continue;
    let count = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const i of members) {
      const v = cellValue(rows[i]!, c);
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      count++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    Object.defineProperty(out, id, {
      value: count ? { count, min, mean: sum / count, max } : { count: 0, min: NaN, mean: NaN, max: NaN },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const parentOf = (r: ListRow): string | null => r.parentRunId ?? str(r.tags, PARENT_TAG);

/**
 * The shown list of `selection` (indices into `rows`, in the search's order). Nesting: a run whose parent is also
 * listed (not pinned) goes under it; a parent loop is broken at its first run in order. Grouping turns nesting off.
 */
export function buildList(rows: readonly ListRow[], selection: ArrayLike<number>, o: ListOptions): ShownList {
  let order = Array.from(selection);
  if (o.sort && !o.sorted) order = sortByColumn(rows, order, o.sort);
  const hiddenSet = new Set(o.hidden);
  let hidden = 0;
  if (hiddenSet.size) {
    hidden = order.reduce((n, i) => n + (hiddenSet.has(rows[i]!.runId) ? 1 : 0), 0);
    if (!o.showHidden) order = order.filter((i) => !hiddenSet.has(rows[i]!.runId));
  }
  const matching = selection.length;
  const pinSet = new Set(o.pinned);
  const runEntry = (i: number, depth = 0, children = 0, expanded = false): ListEntry => ({
    kind: 'run',
    row: i,
    depth,
    children,
    expanded,
    pinned: pinSet.has(rows[i]!.runId),
    hidden: hiddenSet.has(rows[i]!.runId),
  });
  const entries: ListEntry[] = [];
  const rest: number[] = [];
  // Pinned runs first, in order; the others wait in `rest`.
  for (const i of order) {
    if (pinSet.has(rows[i]!.runId)) entries.push(runEntry(i));
    else rest.push(i);
  }

  const group = o.groupBy ? parseColumn(o.groupBy) : null;
  if (group && (group.kind === 'param' || group.kind === 'tag')) {
    const byValue = new Map<string | null, number[]>();
    for (const i of rest) {
      const v = cellValue(rows[i]!, group) as string | null;
      let list = byValue.get(v);
      if (!list) byValue.set(v, (list = []));
      list.push(i);
    }
    const values = [...byValue.keys()].filter((v): v is string => v !== null);
    const numeric = values.every((v) => !Number.isNaN(paramNumber(v)));
    values.sort((a, b) => (numeric ? paramNumber(a) - paramNumber(b) || compareCodePoints(a, b) : compareCodePoints(a, b)));
    const collapsed = new Set(o.collapsedGroups);
    for (const v of byValue.has(null) ? [...values, null] : values) {
      const members = byValue.get(v)!;
      const key = groupKey(v);
      const isCollapsed = collapsed.has(key);
      entries.push({ kind: 'group', key, value: v, count: members.length, collapsed: isCollapsed, aggregates: aggregates(rows, members, o.columns) });
      if (!isCollapsed || o.everything) for (const i of members) entries.push(runEntry(i));
    }
    return { entries, matching, hidden };
  }

  // Nesting: children under parents that are listed here. Most experiments have no nested runs at all: then every run
  // is a root, and the maps below (ten thousand run ids) are not needed.
  const expanded = new Set(o.expanded);
  if (!rest.some((i) => parentOf(rows[i]!) !== null)) {
    for (const i of rest) entries.push(runEntry(i, 0, 0, expanded.has(rows[i]!.runId)));
    return { entries, matching, hidden };
  }
  const position = new Map<string, number>();
  for (const i of rest) position.set(rows[i]!.runId, i);
  const children = new Map<number, number[]>();
  const isRoot = new Map<number, boolean>();
  for (const i of rest) {
    const p = parentOf(rows[i]!);
    const pi = p === null ? undefined : position.get(p);
    if (pi === undefined || pi === i) isRoot.set(i, true);
    else {
      let list = children.get(pi);
      if (!list) children.set(pi, (list = []));
      list.push(i);
    }
  }
  // Runs not reachable from a root sit in a parent loop: the first of each loop (in order) becomes a root.
  const reached = new Set<number>();
  const reach = (i: number) => {
    const stack = [i];
    while (stack.length) {
      const j = stack.pop()!;
      if (reached.has(j)) continue;
      reached.add(j);
      for (const c of children.get(j) ?? []) stack.push(c);
    }
  };
  for (const i of rest) if (isRoot.get(i)) reach(i);
  for (const i of rest) {
    if (reached.has(i)) continue;
    isRoot.set(i, true);
    reach(i);
  }
  const emitted = new Set<number>();
  const emit = (i: number, depth: number) => {
    if (emitted.has(i)) return;
    emitted.add(i);
    const kids = (children.get(i) ?? []).filter((c) => !isRoot.get(c));
    const open = expanded.has(rows[i]!.runId);
    entries.push(runEntry(i, depth, kids.length, open));
    if (open || o.everything) for (const c of kids) emit(c, depth + 1);
  };
  for (const i of rest) if (isRoot.get(i)) emit(i, 0);
  return { entries, matching, hidden };
}

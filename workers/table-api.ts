import { z } from 'zod';
import * as doc from '../lib/doc';
import { asExperimentId, parseInput } from '../lib/domain';
import type { IndexRow } from '../lib/run-index';
import { MAX_RESULTS_THRESHOLD, searchTable, tableFromRows, type RunTable } from '../lib/search';
import { toCsv } from '../lib/search/table-csv';
import { buildList, type ShownList } from '../lib/search/table-list';
import type { TableKeys } from '../lib/search/table-suggest';
import { orderByOf, shownColumns } from '../lib/search/table-view';
import { VIEWS_TOPIC, type ListQuery, type RunsWindow, type TableItem } from '../lib/search/table-window';
import type { DocHost } from '../lib/sync';
import { byStartDesc, viewOfRow } from './run-rows';
import type { ServiceCore } from './service-core';

/** Largest window one call returns (the table asks for a screen or two). */
const MAX_WINDOW = 1000;
/** Shown lists kept (a person flips between a few views; each is a few arrays of row indices). */
const LIST_CACHE = 6;

const ids = z.array(z.string().max(256)).max(100_000);
const ListQuerySchema = z
  .object({
    filter: z.string().max(100_000),
    sort: z.object({ column: z.string().max(2_000), ascending: z.boolean() }).strict().nullable(),
    columns: z.array(z.string().max(2_000)).max(10_000).nullable(),
    groupBy: z.string().max(2_000).nullable(),
    pinned: ids,
    hidden: ids,
    showHidden: z.boolean(),
    deleted: z.boolean(),
    expanded: ids,
    collapsedGroups: z.array(z.string().max(100_000)).max(100_000),
  })
  .strict();
const WindowSchema = z.object({ offset: z.number().int().min(0), limit: z.number().int().min(0).max(MAX_WINDOW) }).strict();
const NameSchema = z.string();

/** Built this long after a plain first window went out (TABLE-13). */
const PREBUILD_DELAY_MS = 100;

function identityOrder(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

interface Lifecycle {
  version: number;
  rows: IndexRow[];
  /** lib/search's table over `rows`, built on first use (a plain first window does not need it). */
  table(): RunTable;
  metricKeys: string[];
  other: number;
}

/** The data worker's functions for the runs table: windows of rows, columns, grouping, key suggestions, saved views. */
export function tableApi(core: ServiceCore) {
  const deletedTables = new Map<string, Lifecycle>();
  const lists = new Map<string, { serial: number; rows: IndexRow[]; list: ShownList; error?: RunsWindow['error']; metricKeys: string[]; other: number; columns: string[] }>();
  /** Numbers the shown lists built: a window says which list it was cut from (RunsWindow.list). */
  let listSerial = 0;
  const observed = new WeakSet<DocHost>();

  /** The active (or deleted) rows of an experiment, their search table and metric keys, cached per index version. */
  async function lifecycleOf(h: DocHost, experimentId: string, deleted: boolean): Promise<Lifecycle> {
    const base = await core.rowsOf(h, experimentId);
    if (!deleted) {
      return { version: base.version, rows: base.active, table: () => core.searchTableOf(h, experimentId, base.active), metricKeys: base.metricKeys, other: base.deleted };
    }
    const hit = deletedTables.get(experimentId);
    if (hit && hit.version === base.version) return hit;
    const rows = (await h.runs.rows(experimentId)).filter((r) => r.lifecycleStage === 'deleted').sort(byStartDesc);
    const keys = new Set<string>();
    for (const r of rows) for (const k in r.metrics) keys.add(k);
    const table = tableFromRows(rows);
    const entry = { version: base.version, rows, table: () => table, metricKeys: [...keys].sort(), other: base.active.length };
    deletedTables.set(experimentId, entry);
    return entry;
  }

  /** The shown list of a query (table-list.ts), cached by index version and query. */
  async function shownList(experimentId: string, q: ListQuery) {
    const h = await core.ready();
    const lc = await lifecycleOf(h, experimentId, q.deleted);
    const key = JSON.stringify([experimentId, lc.version, q]);
    const hit = lists.get(key);
    if (hit && hit.rows === lc.rows) {
      lists.delete(key);
      lists.set(key, hit);
      return hit;
    }
    const columns = shownColumns(q, lc.metricKeys);
    const orderBy = orderByOf(q.sort);
    const t0 = performance.now();
    // TABLE-13: no filter and no sort is the rows' own order (newest first): no search table before the first window.
    // It is built just after, while the person reads, so their first filter only searches.
    const plain = !q.filter?.trim() && orderBy === null;
    if (plain) setTimeout(() => void core.ready().then(() => lc.table()).catch(() => {}), PREBUILD_DELAY_MS);
    const found = plain
      ? { ok: true as const, rows: identityOrder(Math.min(lc.rows.length, MAX_RESULTS_THRESHOLD)) }
      : searchTable(lc.table(), {
          filter: q.filter,
          orderBy: orderBy ? [orderBy] : null,
          maxResults: Math.min(lc.rows.length, MAX_RESULTS_THRESHOLD),
          viewType: q.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
        });
    const t1 = performance.now();
    const serial = ++listSerial;
    let entry;
    if (!found.ok) {
      entry = { serial, rows: lc.rows, list: { entries: [], matching: 0, hidden: 0 }, error: found.error, metricKeys: lc.metricKeys, other: lc.other, columns };
    } else {
      const list = buildList(lc.rows, found.rows, {
        sort: q.sort,
        sorted: orderBy !== null,
        groupBy: q.groupBy,
        pinned: q.pinned,
        hidden: q.hidden,
        showHidden: q.showHidden,
        expanded: q.expanded,
        collapsedGroups: q.collapsedGroups,
        columns,
      });
      entry = { serial, rows: lc.rows, list, metricKeys: lc.metricKeys, other: lc.other, columns };
    }
    performance.measure?.('cairn:table:search', { start: t0, end: t1 });
    performance.measure?.('cairn:table:list', { start: t0, end: performance.now() });
    lists.set(key, entry);
    while (lists.size > LIST_CACHE) lists.delete(lists.keys().next().value!);
    return entry;
  }

  /**
   * The shown list with nothing folded away (every run a person could scroll to with every parent and group open):
   * the CSV's rows and "select all"'s ids. A filter that cannot be used gives no entries.
   */
  async function everything(expId: ReturnType<typeof asExperimentId>, q: ListQuery): Promise<{ rows: IndexRow[]; entries: ShownList['entries']; columns: string[] }> {
    const h = await core.ready();
    const lc = await lifecycleOf(h, expId, q.deleted);
    const s = await shownList(expId, q);
    if (s.error) return { rows: lc.rows, entries: [], columns: s.columns };
    const orderBy = orderByOf(q.sort);
    const found = searchTable(lc.table(), { filter: q.filter, orderBy: orderBy ? [orderBy] : null, maxResults: Math.min(lc.rows.length, MAX_RESULTS_THRESHOLD), viewType: q.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY' });
    if (!found.ok) return { rows: lc.rows, entries: [], columns: s.columns };
    const all = buildList(lc.rows, found.rows, { ...q, sorted: orderBy !== null, columns: s.columns, everything: true });
    return { rows: lc.rows, entries: all.entries, columns: s.columns };
  }

  /** Saved views change → one topic; the observer is attached once per host, on first use. */
  function observeViews(h: DocHost): void {
    if (observed.has(h)) return;
    observed.add(h);
    doc.wsViews(h.ws).observe(() => core.topics.signal(VIEWS_TOPIC));
  }

  return {
    /**
     * A window of the runs table's shown list: `limit` entries (runs and group headers) from `offset`, with the counts
     * that size the scroll area. A filter that cannot be used comes back as `error`, not as a failure.
     */
    async listRunsWindow(experimentId: string, rawQuery: ListQuery, rawWindow: { offset: number; limit: number }): Promise<RunsWindow> {
      const expId = asExperimentId(experimentId);
      const q = parseInput(ListQuerySchema, rawQuery, 'runs table query') as ListQuery;
      const w = parseInput(WindowSchema, rawWindow, 'runs window');
      const s = await shownList(expId, q);
      const entries = s.list.entries.slice(w.offset, w.offset + w.limit);
      const items: TableItem[] = entries.map((e) =>
        e.kind === 'group' ? e : { kind: 'run', run: viewOfRow(s.rows[e.row]!), depth: e.depth, children: e.children, expanded: e.expanded, pinned: e.pinned, hidden: e.hidden },
      );
      return {
        offset: w.offset,
        items,
        list: s.serial,
        itemCount: s.list.entries.length,
        matching: s.list.matching,
        hidden: s.list.hidden,
        other: s.other,
        metricKeys: s.metricKeys,
        ...(s.error ? { error: s.error } : {}),
      };
    },

    /** The CSV of the shown list (every matching run, the shown columns): lib/search table-csv.ts. */
    async exportRunsCsv(experimentId: string, rawQuery: ListQuery): Promise<string> {
      const q = parseInput(ListQuerySchema, rawQuery, 'runs table query') as ListQuery;
      const all = await everything(asExperimentId(experimentId), q);
      return toCsv(all.rows, all.entries, all.columns, q.groupBy);
    },

    /**
     * The ids of every run of the shown list, in its order (children of collapsed parents and runs of collapsed groups
     * included, hidden runs only when shown): what the table's "select all" selects (TABLE-14), not only drawn rows.
     */
    async listShownRunIds(experimentId: string, rawQuery: ListQuery): Promise<string[]> {
      const q = parseInput(ListQuerySchema, rawQuery, 'runs table query') as ListQuery;
      const all = await everything(asExperimentId(experimentId), q);
      const out: string[] = [];
      for (const e of all.entries) if (e.kind === 'run') out.push(all.rows[e.row]!.runId);
      return out;
    },

    /** Every param, metric and tag key of the experiment's runs (active and deleted), sorted: columns and autocomplete. */
    async listTableKeys(experimentId: string): Promise<TableKeys> {
      const h = await core.ready();
      const rows = await h.runs.rows(asExperimentId(experimentId));
      const params = new Set<string>();
      const metrics = new Set<string>();
      const tags = new Set<string>();
      for (const r of rows) {
        for (const k in r.params) params.add(k);
        for (const k in r.metrics) metrics.add(k);
        for (const k in r.tags) tags.add(k);
      }
      const sorted = (s: Set<string>) => [...s].sort();
      return { params: sorted(params), metrics: sorted(metrics), tags: sorted(tags) };
    },

    async listSavedViews(experimentId: string): Promise<doc.SavedView[]> {
      const h = await core.ready();
      observeViews(h);
      return doc.listViews(h.ws, asExperimentId(experimentId));
    },
    async saveTableView(experimentId: string, name: string, query: string): Promise<string> {
      return core.write((c) => doc.saveView(c, { experimentId, name, query }));
    },
    async renameTableView(viewId: string, name: string): Promise<void> {
      await core.write((c) => doc.renameView(c, { viewId, name: parseInput(NameSchema, name, 'view name') }));
    },
    async deleteTableView(viewId: string): Promise<void> {
      await core.write((c) => doc.deleteView(c, viewId));
    },
  };
}

'use client';

import type { SavedView } from '../doc/views';
import type { TableKeys } from '../search/table-suggest';
import { VIEWS_TOPIC, type ListQuery, type RunsWindow } from '../search/table-window';
import type { QueryResult } from './contract';
import { useCommandSet, useWorkerQuery } from './worker-query';

/** Hooks and contract types for the runs table (windows of rows, columns, grouping, key suggestions, saved views): each hook is a useWorkerQuery (worker-query.ts) over the worker's table-api.ts. */

export type { SavedView } from '../doc/views';
export type { Aggregate } from '../search/table-list';
export type { ListQuery, RunsWindow, TableItem } from '../search/table-window';
export type { Suggestion, TableKeys } from '../search/table-suggest';
export { suggestKeys } from '../search/table-suggest';
export {
  ATTRIBUTE_COLUMNS,
  ATTRIBUTE_LABELS,
  EMPTY_VIEW,
  columnId,
  columnLabel,
  compareHref,
  decodeView,
  encodeView,
  isGroupable,
  parseColumn,
  readViewParams,
  shownColumns,
  writeViewParams,
  type AttributeColumn,
  type ColumnKind,
  type ColumnRef,
  type TableSort,
  type TableView,
} from '../search/table-view';
export { groupKey } from '../search/table-list';

/**
 * A window of an experiment's runs table: `limit` entries of the shown list from `offset` (the worker builds the list
 * once per query and keeps it, so scrolling only slices). Re-queries when the experiment's runs change.
 */
export function useRunsWindow(experimentId: string | null | undefined, query: ListQuery, offset: number, limit: number): QueryResult<RunsWindow | null> {
  const qk = JSON.stringify(query);
  return useWorkerQuery(
    `runs-window:${experimentId ?? ''}:${offset}:${limit}:${qk}`,
    experimentId ? [`runs:${experimentId}`] : [],
    async (c) => (experimentId ? c.listRunsWindow(experimentId, query, { offset, limit }) : null),
  );
}

/**
 * The ids of every run the table shows (`null` experiment: not asked), live as the experiment's runs change: the
 * "select all" box knows whether every shown run is selected, whatever rows are drawn.
 */
export function useShownRunIds(experimentId: string | null | undefined, query: ListQuery): QueryResult<string[] | null> {
  const qk = JSON.stringify(query);
  return useWorkerQuery(`shown-run-ids:${experimentId ?? ''}:${qk}`, experimentId ? [`runs:${experimentId}`] : [], async (c) =>
    experimentId ? c.listShownRunIds(experimentId, query) : null,
  );
}

const NO_KEYS: TableKeys = { params: [], metrics: [], tags: [] };

/** Every param, metric and tag key of the experiment's runs: the column picker's and the filter autocomplete's lists. */
export function useTableKeys(experimentId: string | null | undefined): TableKeys {
  return (
    useWorkerQuery(`table-keys:${experimentId ?? ''}`, experimentId ? [`runs:${experimentId}`] : [], async (c) => (experimentId ? c.listTableKeys(experimentId) : NO_KEYS)).data ??
    NO_KEYS
  );
}

/** The experiment's saved views (workspace doc), live: a collaborator's new view appears without a reload. */
export function useSavedViews(experimentId: string | null | undefined): QueryResult<SavedView[]> {
  return useWorkerQuery(`saved-views:${experimentId ?? ''}`, experimentId ? [VIEWS_TOPIC] : [], async (c) => (experimentId ? c.listSavedViews(experimentId) : []));
}

export interface TableCommands {
  /** Saves the view (a query string, `encodeView`) under a name; the same name overwrites. Resolves with its id. */
  saveView(experimentId: string, name: string, query: string): Promise<string>;
  renameView(viewId: string, name: string): Promise<void>;
  deleteView(viewId: string): Promise<void>;
  /** The CSV text of what the table shows (every matching run, not only the rendered rows). */
  exportCsv(experimentId: string, query: ListQuery): Promise<string>;
  /** The ids of every run the table shows (not only the rendered rows): what "select all" selects. */
  shownRunIds(experimentId: string, query: ListQuery): Promise<string[]>;
}

/** The runs table's commands (see useCommands in hooks.ts for the run commands). */
export function useTableCommands(): TableCommands {
  return useCommandSet<TableCommands>((c) => ({
    saveView: async (e, n, q) => c().saveTableView(e, n, q),
    renameView: async (id, n) => c().renameTableView(id, n),
    deleteView: async (id) => c().deleteTableView(id),
    exportCsv: async (e, q) => c().exportRunsCsv(e, q),
    shownRunIds: async (e, q) => c().listShownRunIds(e, q),
  }));
}

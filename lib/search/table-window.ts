/**
 * What the runs table asks the data worker for and gets back (workers/table-api.ts): a window of the shown list
 * (table-list.ts) by offset, with the counts the table needs to size its scroll area without the other rows.
 */
import type { Aggregate } from './table-list';
import type { RunRow } from './runs-page';
import type { SearchError } from './filter-ast';
import type { TableView } from './table-view';

/** The parts of a view that decide the shown list, plus the UI's expand/collapse state. */
export type ListQuery = Pick<TableView, 'filter' | 'sort' | 'columns' | 'groupBy' | 'pinned' | 'hidden' | 'showHidden' | 'deleted'> & {
  expanded: string[];
  collapsedGroups: string[];
};

export type TableItem =
  | { kind: 'run'; run: RunRow; depth: number; children: number; expanded: boolean; pinned: boolean; hidden: boolean }
  | { kind: 'group'; key: string; value: string | null; count: number; collapsed: boolean; aggregates: Record<string, Aggregate> };

export interface RunsWindow {
  /** Index of `items[0]` in the shown list. */
  offset: number;
  items: TableItem[];
  /**
   * Which shown list the window was cut from (the worker numbers each list it builds): two windows of the same list hold
   * the same entry at the same index, so the table keeps the items it already has instead of comparing them.
   */
  list: number;
  /** Entries of the whole shown list (rows of the scroll area). */
  itemCount: number;
  /** Runs that match the filter (hidden ones included). */
  matching: number;
  hidden: number;
  /** Runs of the other lifecycle (deleted ones in the active view, active ones in the deleted view). */
  other: number;
  /** Every metric key of the listed lifecycle's runs, sorted: the default columns. */
  metricKeys: string[];
  /** The filter or sort could not be used (shown with its position). */
  error?: SearchError;
}

/** The data worker's topic for "some saved view of the workspace changed" (lib/doc views.ts). */
export const VIEWS_TOPIC = 'table-views';

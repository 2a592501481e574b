'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useMemo, useRef, useState, type MouseEvent } from 'react';
import {
  columnLabel,
  compareHref,
  decodeView,
  encodeView,
  shownColumns,
  useCommands,
  useRunsPage,
  useShownRunIds,
  useTableCommands,
  useTableKeys,
  type Experiment,
  type ListQuery,
  type RunRow,
  type TableItem,
} from '@/lib/react';
import { errorMessage, formatCount } from './format';
import LoadError from './LoadError';
import ColumnPicker from './runs-table/ColumnPicker';
import RunActionsDialog from './runs-table/RunActionsDialog';
import RunsFilter from './runs-table/RunsFilter';
import RunsTable, { type SelectAllState } from './runs-table/RunsTable';
import type { RowHandlers } from './runs-table/RunsTableRow';
import { useUrlView } from './runs-table/use-url-view';
import { useWindowedRuns } from './runs-table/use-runs-window';
import ViewsMenu from './runs-table/ViewsMenu';
import StartRunForm from './StartRunForm';

const FOCUS = 'focus-visible:outline-2 focus-visible:outline-sky-600';
const BTN = `rounded border border-stone-300 px-2 py-1 text-xs hover:bg-stone-100 disabled:opacity-50 ${FOCUS} dark:border-stone-600 dark:hover:bg-stone-800`;
/** Rows of the saved first page drawn while the worker opens the workspace (workers WRK-10). */
const WARM_ROWS = 100;

const toggled = (list: readonly string[], id: string) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);

/**
 * The experiment page's runs: the filter box, the toolbar (columns, grouping, saved views, CSV, deleted runs,
 * selection → compare), the virtualized runs table and the "New run" form. The view is in the URL (use-url-view.ts).
 */
export default function ExperimentRuns({ experiment: exp }: { experiment: Experiment }) {
  const expId = exp.experimentId;
  const router = useRouter();
  const [view, setView] = useUrlView();
  const keys = useTableKeys(expId);
  const commands = useCommands();
  const tableCommands = useTableCommands();
  const [expanded, setExpanded] = useState<string[]>([]);
  const [collapsedGroups, setCollapsedGroups] = useState<string[]>([]);
  const [actionsFor, setActionsFor] = useState<RunRow | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  const query: ListQuery = useMemo(
    () => ({
      filter: view.filter,
      sort: view.sort,
      columns: view.columns,
      groupBy: view.groupBy,
      pinned: view.pinned,
      hidden: view.hidden,
      showHidden: view.showHidden,
      deleted: view.deleted,
      expanded,
      collapsedGroups,
    }),
    // The view is rebuilt from the URL on each change; its JSON is the identity that matters.
    [JSON.stringify([view.filter, view.sort, view.columns, view.groupBy, view.pinned, view.hidden, view.showHidden, view.deleted]), expanded, collapsedGroups],
  );
  const win = useWindowedRuns(expId, query);
  const data = win.data;
  const plain = !view.filter && !view.sort && !view.groupBy && !view.deleted && view.pinned.length === 0 && view.hidden.length === 0;
  const warm = useRunsPage(!data && plain ? expId : null, WARM_ROWS, {}).data ?? null;

  const metricKeys = data?.metricKeys ?? warm?.metricKeys ?? [];
  const columnsKey = shownColumns(view, metricKeys).join('\u0001');
  const columns = useMemo(() => columnsKey.split('\u0001'), [columnsKey]);

  const itemAt = useCallback(
    (i: number): TableItem | undefined => {
      if (data) return win.itemAt(i);
      const r = warm?.runs[i];
      return r ? { kind: 'run', run: r, depth: 0, children: 0, expanded: false, pinned: false, hidden: false } : undefined;
    },
    [data, win, warm],
  );
  const itemCount = data ? data.itemCount : (warm?.total ?? 0);
  const matching = data ? data.matching : (warm?.total ?? 0);
  const searchError = data?.error;

  // Handlers see the latest view through a ref, so rows keep one handlers object (and stay memoized).
  const viewRef = useRef(view);
  viewRef.current = view;
  const itemAtRef = useRef(itemAt);
  itemAtRef.current = itemAt;
  const anchor = useRef<number | null>(null);
  const handlers: RowHandlers = useMemo(
    () => ({
      onSelect(runId: string, index: number, e: MouseEvent) {
        const sel = viewRef.current.selected;
        if (e.shiftKey && anchor.current !== null && anchor.current !== index) {
          const [a, b] = anchor.current < index ? [anchor.current, index] : [index, anchor.current];
          const add: string[] = [];
          for (let i = a; i <= b; i++) {
            const it = itemAtRef.current(i);
            if (it?.kind === 'run') add.push(it.run.info.runId);
          }
          setView({ selected: [...new Set([...sel, ...add])] });
        } else {
          setView({ selected: toggled(sel, runId) });
        }
        anchor.current = index;
      },
      onPin: (runId: string) => setView((v) => ({ pinned: toggled(v.pinned, runId) })),
      onExpand: (runId: string) => setExpanded((x) => toggled(x, runId)),
      onActions: (run: RunRow) => setActionsFor(run),
      onOpen: (href: string, e: MouseEvent) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        router.push(href);
      },
      onRestore: (runId: string) => {
        setActionError(null);
        commands.restoreRun(runId).catch((e) => setActionError(errorMessage(e)));
      },
    }),
    [setView, commands, router],
  );
  const onSort = useCallback(
    (column: string) =>
      setView((v) => ({ sort: v.sort?.column !== column ? { column, ascending: true } : v.sort.ascending ? { column, ascending: false } : null })),
    [setView],
  );
  const onToggleGroup = useCallback((key: string) => setCollapsedGroups((x) => toggled(x, key)), []);
  const selected = useMemo(() => new Set(view.selected), [view.selected]);
  // "Select all" (TABLE-14): the ids of every shown run, asked of the worker while something is selected, so the box
  // shows all / some whatever rows are drawn; a click asks for them when nothing is selected yet.
  const shownIds = useShownRunIds(view.selected.length > 0 ? expId : null, query).data ?? null;
  const selectAllState: SelectAllState =
    view.selected.length === 0 ? 'none' : shownIds && shownIds.length > 0 && shownIds.every((id) => selected.has(id)) ? 'all' : 'some';
  const selectAll = useMemo(
    () => ({
      state: selectAllState,
      onToggle() {
        if (selectAllState === 'all') return setView({ selected: [] });
        setActionError(null);
        tableCommands.shownRunIds(expId, query).then(
          (ids) => setView({ selected: ids }),
          (e) => setActionError(errorMessage(e)),
        );
      },
    }),
    [selectAllState, setView, tableCommands, expId, query],
  );

  const exportCsv = async () => {
    setExporting(true);
    setActionError(null);
    try {
      const csv = await tableCommands.exportCsv(expId, query);
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${(exp.name || expId).replace(/[^\w.-]+/g, '_')}-runs.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setActionError(errorMessage(e));
    } finally {
      setExporting(false);
    }
  };

  const heading = view.deleted ? 'Deleted runs' : 'Runs';
  const loading = !data && !warm;
  return (
    <>
      {win.error && <LoadError error={win.error} />}
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-semibold text-stone-700 dark:text-stone-300">{searchError || loading ? heading : `${heading} (${matching})`}</h2>
        {exp.lifecycleStage === 'active' && <StartRunForm experimentId={expId} />}
      </div>
      <RunsFilter applied={view.filter} error={searchError} keys={keys} onApply={(filter) => setView({ filter })} />
      <div role="toolbar" aria-label="Runs table" className="flex flex-wrap items-center gap-2">
        <ColumnPicker shown={columns} keys={keys} onChange={(cols) => setView({ columns: cols })} />
        <label className="flex items-center gap-1 text-xs text-stone-600 dark:text-stone-400">
          Group by
          <select
            value={view.groupBy ?? ''}
            onChange={(e) => setView({ groupBy: e.target.value || null })}
            className={`rounded border border-stone-300 px-1 py-0.5 text-xs ${FOCUS} dark:border-stone-600`}
          >
            <option value="">(none)</option>
            {keys.params.map((k) => (
              <option key={`p${k}`} value={`param:${k}`}>
                param {k}
              </option>
            ))}
            {keys.tags.map((k) => (
              <option key={`t${k}`} value={`tag:${k}`}>
                tag {k}
              </option>
            ))}
          </select>
        </label>
        <ViewsMenu experimentId={expId} current={encodeView(view)} onApply={(q) => setView(() => decodeView(q))} />
        <button type="button" onClick={() => void exportCsv()} disabled={exporting || !data || !!searchError} className={BTN}>
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
        <button
          type="button"
          aria-pressed={view.deleted}
          onClick={() => setView((v) => ({ deleted: !v.deleted, selected: [] }))}
          className={`${BTN} ${view.deleted ? 'bg-stone-200 dark:bg-stone-700' : ''}`}
        >
          {view.deleted ? 'Back to active runs' : `Deleted${data ? ` (${data.other})` : ''}`}
        </button>
        {(data?.hidden ?? 0) > 0 && (
          <button type="button" aria-pressed={view.showHidden} onClick={() => setView((v) => ({ showHidden: !v.showHidden }))} className={BTN}>
            {view.showHidden ? 'Leave out' : 'Show'} {data!.hidden} hidden
          </button>
        )}
        {view.hidden.length > 0 && (
          <button type="button" onClick={() => setView({ hidden: [], showHidden: false })} className={BTN}>
            Unhide all
          </button>
        )}
        {view.selected.length > 0 && (
          <span className="flex items-center gap-2 text-xs text-stone-600 dark:text-stone-400">
            <span data-testid="selected-count">{formatCount(view.selected.length)} selected</span>
            {view.selected.length >= 2 && (
              <Link href={compareHref(expId, view.selected)} prefetch={false} className={`rounded bg-sky-700 px-2 py-1 text-white hover:bg-sky-800 ${FOCUS}`}>
                Compare
              </Link>
            )}
            <button type="button" onClick={() => setView({ selected: [] })} className={`rounded px-1 hover:underline ${FOCUS}`}>
              Clear selection
            </button>
          </span>
        )}
      </div>
      {actionError && (
        <p role="alert" className="text-xs text-red-800 dark:text-red-300">
          {actionError}
        </p>
      )}
      {loading ? (
        <p className="text-sm text-stone-500 dark:text-stone-400">Loading runs…</p>
      ) : itemCount === 0 ? (
        searchError || view.filter ? (
          <p data-testid="runs-no-match" className="text-sm text-stone-500 dark:text-stone-400">
            {searchError ? 'Fix the filter to see runs.' : 'No runs match this filter.'}
          </p>
        ) : view.deleted ? (
          <p data-testid="runs-none-deleted" className="text-sm text-stone-500 dark:text-stone-400">
            No deleted runs in this experiment.
          </p>
        ) : matching > 0 ? (
          <p className="text-sm text-stone-500 dark:text-stone-400">Every matching run is hidden.</p>
        ) : (
          <p data-testid="runs-empty" className="text-sm text-stone-500 dark:text-stone-400">
            No runs logged to this experiment yet.
          </p>
        )
      ) : (
        <RunsTable
          columns={columns}
          itemCount={itemCount}
          itemAt={itemAt}
          sort={view.sort}
          onSort={onSort}
          selected={selected}
          selectAll={selectAll}
          deletedView={view.deleted}
          handlers={handlers}
          onToggleGroup={onToggleGroup}
          groupLabel={view.groupBy ? columnLabel(view.groupBy) : null}
          onRange={win.onRange}
          resetKey={JSON.stringify([view.filter, view.sort, view.groupBy, view.deleted])}
        />
      )}
      {warm?.cached && !data && (
        <p data-testid="runs-cached" className="text-xs text-stone-500 dark:text-stone-400">
          Showing the copy saved on this device while the workspace loads.
        </p>
      )}
      {actionsFor && (
        <RunActionsDialog
          key={actionsFor.info.runId}
          run={actionsFor}
          pinned={view.pinned.includes(actionsFor.info.runId)}
          hidden={view.hidden.includes(actionsFor.info.runId)}
          onPin={() => setView((v) => ({ pinned: toggled(v.pinned, actionsFor.info.runId) }))}
          onHide={() => setView((v) => ({ hidden: toggled(v.hidden, actionsFor.info.runId) }))}
          onClose={() => setActionsFor(null)}
        />
      )}
    </>
  );
}

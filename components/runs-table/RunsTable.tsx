'use client';

import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { columnLabel, parseColumn, type Aggregate, type TableItem, type TableSort } from '@/lib/react';
import { formatMetric } from '../format';
import { ACTIONS_WIDTH, columnWidth, drawnColumns, isNumeric, LEAD_WIDTHS, STICKY_LEFT, STICKY_ON, stickyCell } from './columns';
import RunsTableRow, { type RowHandlers } from './RunsTableRow';
import { slotRows } from './windows';

/** Row height (px): every row has it, so the scroll area is sized and rows are placed without measuring. */
export const ROW_HEIGHT = 33;
/** Rows drawn above and below the visible ones, so a scroll of a few rows paints drawn rows. */
export const OVERSCAN = 10;
/** The drawn range moves in steps of this many rows: scrolling less than that changes no DOM at all. */
const STEP = 4;
/** Columns are drawn when within this many px of the visible part (horizontal scroll moves in steps of half that). */
const COLUMN_OVERSCAN = 240;
/**
 * Lists this short are drawn whole: a few dozen rows cost one quick render, and the browser's find in page then sees
 * every run.
 */
export const DRAW_ALL_UP_TO = 60;
const FOCUS = 'focus-visible:outline-2 focus-visible:outline-sky-600';

/** Whether none, some or every run the table shows (drawn or not) is selected. */
export type SelectAllState = 'none' | 'some' | 'all';

export interface VisibleRange {
  first: number;
  last: number;
}

interface Props {
  columns: string[];
  itemCount: number;
  /** The entry at a shown-list index, if its window is here (else a placeholder row is drawn). */
  itemAt(index: number): TableItem | undefined;
  sort: TableSort | null;
  onSort(column: string): void;
  selected: ReadonlySet<string>;
  /** The header's "select all" box (TABLE-14): its state over every shown run, and what a click does. */
  selectAll: { state: SelectAllState; onToggle(): void };
  deletedView: boolean;
  handlers: RowHandlers;
  onToggleGroup(key: string): void;
  groupLabel: string | null;
  onRange(r: VisibleRange): void;
  /** Changes when the view changes: the table scrolls back to the top. */
  resetKey: string;
}

function aggregateText(a: Aggregate | undefined): ReactNode {
  if (!a || a.count === 0) return null;
  return (
    <span className="block leading-tight" title={`count ${a.count}, min ${formatMetric(a.min)}, mean ${formatMetric(a.mean)}, max ${formatMetric(a.max)}`}>
      <span className="block">μ {formatMetric(a.mean)}</span>
      <span className="block text-[10px] text-stone-500 dark:text-stone-400">
        {formatMetric(a.min)} – {formatMetric(a.max)}
      </span>
    </span>
  );
}

/** Cell box of a column: fixed width, one line, cut with an ellipsis. */
export const cellStyle = (width: number) => ({ width, flex: 'none' as const });
const CELL = 'flex items-center overflow-hidden whitespace-nowrap border-b pr-3';

/**
 * The virtualized runs table (TABLE-1): ARIA table roles on a grid of fixed-height rows, each placed absolutely at
 * index × ROW_HEIGHT (and layout-contained, so adding a row never re-lays out the others); only the visible rows plus
 * OVERSCAN are drawn (short lists whole), the rest fetched by window from the worker as the person scrolls. Header
 * cells sort (click: ascending, again: descending, again: off); group headers show count and min/mean/max of each
 * metric column. The select, pin and name cells are sticky (TABLE-15); the header's box selects every shown run
 * (TABLE-14).
 */
export default function RunsTable(p: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const idBase = useId();
  // The scroll position in STEP-row steps: a scroll event within a step renders nothing.
  const [top, setTop] = useState(0);
  const [left, setLeft] = useState(0);
  // TABLE-15: the lead cells are sticky only while the table is scrolled sideways (see stickyCell).
  const [scrolledX, setScrolledX] = useState(false);
  const [height, setHeight] = useState(600);
  const [viewWidth, setViewWidth] = useState(1200);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => {
      setHeight(el.clientHeight || 600);
      setViewWidth(el.clientWidth || 1200);
    };
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    measure();
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
    setTop(0);
  }, [p.resetKey]);

  const whole = p.itemCount <= DRAW_ALL_UP_TO;
  const first = whole ? 0 : Math.max(0, top - OVERSCAN);
  const last = whole ? p.itemCount : Math.min(p.itemCount, top + Math.ceil(height / ROW_HEIGHT) + STEP + OVERSCAN);
  const { onRange } = p;
  useEffect(() => onRange({ first, last }), [first, last, onRange]);

  const leadWidth = LEAD_WIDTHS[0] + LEAD_WIDTHS[1];
  const width = leadWidth + p.columns.reduce((a, id) => a + columnWidth(id), 0) + ACTIONS_WIDTH;
  // Body rows draw only the columns near the visible part (the header has them all): paint grows with cells drawn.
  const cut = drawnColumns(p.columns, { left, viewWidth, overscan: COLUMN_OVERSCAN, whole });
  const drawnKey = cut.columns.join('\u0001');
  const padLeft = cut.padLeft;
  const layout = useMemo(() => ({ columns: drawnKey ? drawnKey.split('\u0001') : [], padLeft }), [drawnKey, padLeft]);
  const rows: ReactNode[] = [];
  // The rows' ids in the order they are shown: the rowgroup's aria-owns gives assistive technology that order.
  const owns: string[] = [];
  // TABLE-17: rows are keyed by slot (index mod the most rows ever drawn) and listed in slot order: a row scrolled out
  // hands its DOM to the row scrolled in, which changes text and attributes only (no elements made, styled and laid out
  // anew, no node moved).
  const slots = whole ? Math.max(1, last) : Math.ceil(height / ROW_HEIGHT) + STEP + 2 * OVERSCAN;
  for (const { slot: s, index: i } of slotRows(first, last, slots)) {
    const slotKey = `slot-${s}`;
    const rowId = `${idBase}-${s}`;
    owns[i - first] = rowId;
    const item = p.itemAt(i);
    const place = { transform: `translateY(${i * ROW_HEIGHT}px)`, height: ROW_HEIGHT, width };
    if (!item) {
      rows.push(
        <div key={slotKey} id={rowId} role="row" aria-rowindex={i + 2} data-testid="run-row-loading" style={place} className="absolute top-0 left-0 flex [contain:strict]">
          <div role="cell" className={`${CELL} w-full border-stone-100 px-2 text-xs text-stone-400 dark:border-stone-800`}>
            …
          </div>
        </div>,
      );
    } else if (item.kind === 'group') {
      rows.push(
        <div key={slotKey} id={rowId} role="row" data-testid="group-row" aria-rowindex={i + 2} style={place} className="absolute top-0 left-0 flex bg-stone-100 [contain:strict] dark:bg-stone-800">
          <div role="cell" style={stickyCell(LEAD_WIDTHS[0] + LEAD_WIDTHS[1], STICKY_LEFT.select)} className={`${CELL} border-stone-200 bg-inherit px-2 dark:border-stone-700`}>
            <button
              type="button"
              aria-expanded={!item.collapsed}
              aria-label={`${item.collapsed ? 'Expand' : 'Collapse'} group ${item.value ?? '(none)'}`}
              onClick={() => p.onToggleGroup(item.key)}
              className={`rounded px-1 text-xs ${FOCUS}`}
            >
              <span aria-hidden>{item.collapsed ? '▸' : '▾'}</span>
            </button>
          </div>
          {p.columns.map((id, j) =>
            j === 0 ? (
              <div key={id} role="cell" style={stickyCell(columnWidth(id), STICKY_LEFT.name)} className={`${CELL} border-stone-200 bg-inherit text-xs font-medium text-stone-700 dark:border-stone-700 dark:text-stone-300`}>
                <span className="truncate">
                  {p.groupLabel} = <span className="font-mono">{item.value ?? '(none)'}</span>{' '}
                  <span data-testid="group-count" className="text-stone-500 dark:text-stone-400">
                    ({item.count} run{item.count === 1 ? '' : 's'})
                  </span>
                </span>
              </div>
            ) : (
              <div key={id} role="cell" data-testid={`group-agg-${id}`} style={cellStyle(columnWidth(id))} className={`${CELL} justify-end border-stone-200 font-mono text-xs dark:border-stone-700`}>
                {aggregateText(item.aggregates[id])}
              </div>
            ),
          )}
          <div role="cell" style={cellStyle(ACTIONS_WIDTH)} className={`${CELL} border-stone-200 dark:border-stone-700`} />
        </div>,
      );
    } else {
      rows.push(
        <RunsTableRow
          key={slotKey}
          id={rowId}
          item={item}
          index={i}
          columns={layout.columns}
          padLeft={layout.padLeft}
          selected={p.selected.has(item.run.info.runId)}
          deletedView={p.deletedView}
          top={i * ROW_HEIGHT}
          width={width}
          height={ROW_HEIGHT}
          handlers={p.handlers}
        />,
      );
    }
  }
  return (
    <div
      ref={scroller}
      onScroll={(e) => {
        setTop(Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT / STEP) * STEP);
        setLeft(Math.floor(e.currentTarget.scrollLeft / (COLUMN_OVERSCAN / 2)) * (COLUMN_OVERSCAN / 2));
        setScrolledX(e.currentTarget.scrollLeft > 0);
      }}
      data-testid="runs-scroll"
      className="max-h-[70vh] min-h-[12rem] overflow-auto rounded border border-stone-200 bg-white [contain:strict] [will-change:scroll-position] dark:bg-stone-900 dark:border-stone-700"
      style={{ height: Math.min(2 + (p.itemCount + 1) * ROW_HEIGHT + 16, 100_000), ...(scrolledX ? STICKY_ON : {}) }}
    >
      <div role="table" aria-label="Runs" aria-rowcount={p.itemCount + 1} className="text-sm" style={{ width }}>
        <div role="rowgroup" className="sticky top-0 z-10 bg-white dark:bg-stone-900">
          <div role="row" aria-rowindex={1} className="flex text-left text-xs tracking-wide text-stone-500 dark:text-stone-400" style={{ height: ROW_HEIGHT, width }}>
            <div role="columnheader" style={stickyCell(LEAD_WIDTHS[0], STICKY_LEFT.select)} className={`${CELL} border-stone-300 bg-white px-2 font-medium dark:border-stone-600 dark:bg-stone-900`}>
              <SelectAllBox state={p.selectAll.state} onToggle={p.selectAll.onToggle} />
            </div>
            <div role="columnheader" style={stickyCell(LEAD_WIDTHS[1], STICKY_LEFT.pin)} className={`${CELL} border-stone-300 bg-white font-medium dark:border-stone-600 dark:bg-stone-900`}>
              <span className="sr-only">Pin</span>
            </div>
            {p.columns.map((id) => {
              const sorted = p.sort?.column === id ? p.sort : null;
              const c = parseColumn(id);
              const label = columnLabel(id);
              return (
                <div
                  key={id}
                  role="columnheader"
                  aria-sort={sorted ? (sorted.ascending ? 'ascending' : 'descending') : undefined}
                  style={id === 'attr:name' ? stickyCell(columnWidth(id), STICKY_LEFT.name) : cellStyle(columnWidth(id))}
                  className={`${CELL} border-stone-300 font-medium ${isNumeric(id) ? 'justify-end' : ''} ${c?.kind === 'attr' ? 'uppercase' : ''} ${id === 'attr:name' ? 'border-r bg-white dark:bg-stone-900' : ''} dark:border-stone-600`}
                >
                  <button type="button" onClick={() => p.onSort(id)} title={`Sort by ${label}`} className={`max-w-full truncate rounded hover:text-stone-800 ${FOCUS}`}>
                    {c?.kind === 'attr' ? label : <ColumnName label={label} />}
                    <span aria-hidden className="ml-0.5 text-stone-400">
                      {sorted ? (sorted.ascending ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </div>
              );
            })}
            <div role="columnheader" style={cellStyle(ACTIONS_WIDTH)} className={`${CELL} justify-end border-stone-300 pr-2 font-medium dark:border-stone-600`}>
              <span className="sr-only">Actions</span>
            </div>
          </div>
        </div>
        <div role="rowgroup" aria-owns={owns.join(' ')} className="relative" style={{ height: p.itemCount * ROW_HEIGHT }} onKeyDown={moveFocus}>
          {rows}
        </div>
      </div>
    </div>
  );
}

/**
 * ArrowUp / ArrowDown on a row's link, checkbox or button moves focus to the same control of the row above / below
 * (focusing scrolls it into view, which draws the rows beyond): a keyboard walks all 10k rows, not only the drawn ones.
 */
function moveFocus(e: KeyboardEvent<HTMLDivElement>) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const target = e.target as HTMLElement;
  if (target.tagName === 'SELECT' || target.tagName === 'TEXTAREA' || (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'checkbox')) return;
  const row = target.closest('[role="row"]');
  if (!row) return;
  const cells = [...row.querySelectorAll('a, button, input')];
  const at = cells.indexOf(target);
  // Rows sit in the DOM in slot order, not in the order they are shown: the neighbour is found by its row index.
  const index = Number(row.getAttribute('aria-rowindex')) + (e.key === 'ArrowDown' ? 1 : -1);
  const next = e.currentTarget.querySelector<HTMLElement>(`:scope > [role="row"][aria-rowindex="${index}"]`);
  const there = next ? [...next.querySelectorAll<HTMLElement>('a, button, input')] : [];
  const to = there[Math.min(Math.max(at, 0), there.length - 1)] ?? next?.querySelector<HTMLElement>('a');
  if (!to) return;
  e.preventDefault();
  to.focus();
}

/**
 * The header's checkbox: checked when every shown run is selected, mixed when some are; a click (or Space) selects
 * every shown run, or clears the selection when all were (TABLE-14). A native checkbox, so Tab reaches it.
 */
function SelectAllBox({ state, onToggle }: { state: SelectAllState; onToggle(): void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = state === 'some';
  }, [state]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label="Select all runs"
      checked={state === 'all'}
      onChange={() => onToggle()}
      className={FOCUS}
    />
  );
}

/** `metric acc`: the kind faint, the key as it is (keys are case-sensitive). */
function ColumnName({ label }: { label: string }) {
  const i = label.indexOf(' ');
  return (
    <>
      <span className="text-stone-400">{label.slice(0, i + 1)}</span>
      {label.slice(i + 1)}
    </>
  );
}

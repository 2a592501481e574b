'use client';

import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { columnLabel, parseColumn, type Aggregate, type TableItem, type TableSort } from '@/lib/react';
import { formatMetric } from '../format';
import { ACTIONS_WIDTH, columnWidth, isNumeric, LEAD_WIDTHS } from './columns';
import RunsTableRow, { type RowHandlers } from './RunsTableRow';

/** Row height (px) the scroll area is sized by; measured from the first drawn row when the browser differs. */
export const ROW_HEIGHT = 33;
/** Rows drawn above and below the visible ones, so a scroll of a few rows paints drawn rows. */
export const OVERSCAN = 20;
/**
 * Lists this short are drawn whole (no spacers): a few dozen rows cost one quick render, and the browser's find in
 * page then sees every run.
 */
export const DRAW_ALL_UP_TO = 60;
const FOCUS = 'focus-visible:outline-2 focus-visible:outline-sky-600';

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
      <span className="block text-[10px] text-stone-500">
        {formatMetric(a.min)} – {formatMetric(a.max)}
      </span>
    </span>
  );
}

/**
 * The virtualized runs table (TABLE-1): a fixed row height, only the visible rows plus OVERSCAN drawn between two
 * spacer rows (short lists whole), the rest fetched by window from the worker as the person scrolls. Header cells sort (click: ascending,
 * again: descending, again: off); group headers show count and min/mean/max of each metric column.
 */
export default function RunsTable(p: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [rowHeight, setRowHeight] = useState(ROW_HEIGHT);
  const body = useRef<HTMLTableSectionElement>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 600));
    ro.observe(el);
    setHeight(el.clientHeight || 600);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
    setScrollTop(0);
  }, [p.resetKey]);

  const whole = p.itemCount <= DRAW_ALL_UP_TO;
  const first = whole ? 0 : Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const visible = Math.ceil(height / rowHeight);
  const last = whole ? p.itemCount : Math.min(p.itemCount, Math.floor(scrollTop / rowHeight) + visible + OVERSCAN);
  const { onRange } = p;
  useEffect(() => onRange({ first, last }), [first, last, onRange]);

  // The browser's row height (borders, fonts) may differ from ROW_HEIGHT: measure once rows are drawn.
  useLayoutEffect(() => {
    const row = body.current?.querySelector('tr[data-testid="run-row"]');
    const h = row?.getBoundingClientRect().height;
    if (h && Math.abs(h - rowHeight) > 0.5) setRowHeight(h);
  });

  const indices: number[] = [];
  for (let i = first; i < last; i++) indices.push(i);
  const total = p.columns.length + 3;
  return (
    <div
      ref={scroller}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid="runs-scroll"
      className="max-h-[70vh] min-h-[12rem] overflow-auto rounded border border-stone-200"
      style={{ height: Math.min(2 + (p.itemCount + 1) * rowHeight + 16, 100_000) }}
    >
      <table aria-label="Runs" aria-rowcount={p.itemCount + 1} className="w-max table-fixed border-separate border-spacing-0 text-sm">
        <colgroup>
          {LEAD_WIDTHS.map((w, i) => (
            <col key={i} style={{ width: w }} />
          ))}
          {p.columns.map((id) => (
            <col key={id} style={{ width: columnWidth(id) }} />
          ))}
          <col style={{ width: ACTIONS_WIDTH }} />
        </colgroup>
        <thead>
          <tr aria-rowindex={1} className="text-left text-xs tracking-wide text-stone-500">
            <th scope="col" className="sticky top-0 z-10 border-b border-stone-300 bg-white px-2 py-1.5 font-medium">
              <span className="sr-only">Select</span>
            </th>
            <th scope="col" className="sticky top-0 z-10 border-b border-stone-300 bg-white py-1.5 font-medium">
              <span className="sr-only">Pin</span>
            </th>
            {p.columns.map((id) => {
              const sorted = p.sort?.column === id ? p.sort : null;
              const sortable = parseColumn(id) !== null;
              const c = parseColumn(id);
              const label = columnLabel(id);
              return (
                <th
                  key={id}
                  scope="col"
                  aria-sort={sorted ? (sorted.ascending ? 'ascending' : 'descending') : undefined}
                  className={`sticky top-0 z-10 overflow-hidden border-b border-stone-300 bg-white py-1.5 pr-3 font-medium whitespace-nowrap ${isNumeric(id) ? 'text-right' : ''} ${c?.kind === 'attr' ? 'uppercase' : ''}`}
                >
                  {sortable ? (
                    <button type="button" onClick={() => p.onSort(id)} title={`Sort by ${label}`} className={`max-w-full truncate rounded hover:text-stone-800 ${FOCUS}`}>
                      {c?.kind === 'attr' ? label : <ColumnName label={label} />}
                      <span aria-hidden className="ml-0.5 text-stone-400">
                        {sorted ? (sorted.ascending ? '▲' : '▼') : ''}
                      </span>
                    </button>
                  ) : (
                    label
                  )}
                </th>
              );
            })}
            <th scope="col" className="sticky top-0 z-10 border-b border-stone-300 bg-white py-1.5 pr-2 text-right font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody ref={body}>
          {first > 0 && <tr aria-hidden style={{ height: first * rowHeight }} />}
          {indices.map((i) => {
            const item = p.itemAt(i);
            if (!item) {
              return (
                <tr key={`placeholder-${i}`} data-testid="run-row-loading" style={{ height: rowHeight }}>
                  <td colSpan={total} className="border-b border-stone-100 px-2 text-xs text-stone-400">
                    …
                  </td>
                </tr>
              );
            }
            if (item.kind === 'group') {
              return (
                <tr key={`group-${item.key}`} data-testid="group-row" aria-rowindex={i + 2} style={{ height: rowHeight }} className="bg-stone-100">
                  <td colSpan={2} className="border-b border-stone-200 px-2">
                    <button
                      type="button"
                      aria-expanded={!item.collapsed}
                      aria-label={`${item.collapsed ? 'Expand' : 'Collapse'} group ${item.value ?? '(none)'}`}
                      onClick={() => p.onToggleGroup(item.key)}
                      className={`rounded px-1 text-xs ${FOCUS}`}
                    >
                      <span aria-hidden>{item.collapsed ? '▸' : '▾'}</span>
                    </button>
                  </td>
                  {p.columns.map((id, j) =>
                    j === 0 ? (
                      <td key={id} className="overflow-hidden border-b border-stone-200 pr-3 text-xs font-medium whitespace-nowrap text-stone-700">
                        {p.groupLabel} = <span className="font-mono">{item.value ?? '(none)'}</span>{' '}
                        <span data-testid="group-count" className="text-stone-500">
                          ({item.count} run{item.count === 1 ? '' : 's'})
                        </span>
                      </td>
                    ) : (
                      <td key={id} data-testid={`group-agg-${id}`} className="overflow-hidden border-b border-stone-200 pr-3 text-right font-mono text-xs">
                        {aggregateText(item.aggregates[id])}
                      </td>
                    ),
                  )}
                  <td className="border-b border-stone-200" />
                </tr>
              );
            }
            return (
              <RunsTableRow
                key={item.run.info.runId}
                item={item}
                index={i}
                columns={p.columns}
                selected={p.selected.has(item.run.info.runId)}
                deletedView={p.deletedView}
                height={rowHeight}
                handlers={p.handlers}
              />
            );
          })}
          {last < p.itemCount && <tr aria-hidden style={{ height: (p.itemCount - last) * rowHeight }} />}
        </tbody>
      </table>
    </div>
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

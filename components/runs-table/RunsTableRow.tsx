'use client';

import { memo, useLayoutEffect, useRef, type MouseEvent } from 'react';
import { parseColumn, type RunRow, type TableItem } from '@/lib/react';
import { formatMetric, formatTime, runLabel } from '../format';
import { runColor } from '../run-colors';
import RunDuration from '../RunDuration';
import RunStatusBadge from '../RunStatusBadge';
import { ACTIONS_WIDTH, columnWidth, isNumeric, LEAD_WIDTHS, STICKY_LEFT, stickyCell } from './columns';

type RunItem = Extract<TableItem, { kind: 'run' }>;

export interface RowHandlers {
  onSelect(runId: string, index: number, e: MouseEvent): void;
  onPin(runId: string): void;
  onExpand(runId: string): void;
  onActions(run: RunRow): void;
  onRestore(runId: string): void;
  /** A click on a run's link (plain left click: in-app navigation; with a modifier the browser's own). */
  onOpen(href: string, e: MouseEvent): void;
}

interface Props {
  /** The row's element id (its slot's: the rowgroup's aria-owns lists the ids in shown order). */
  id: string;
  item: RunItem;
  index: number;
  /** The columns drawn (those near the visible part), after `padLeft` px of columns not drawn. */
  columns: string[];
  padLeft: number;
  selected: boolean;
  deletedView: boolean;
  top: number;
  width: number;
  height: number;
  handlers: RowHandlers;
}

const FOCUS = 'focus-visible:outline-2 focus-visible:outline-sky-600';
const CELL = 'flex h-full items-center overflow-hidden whitespace-nowrap pr-3';
/**
 * A column's cell is one block whose line is the row's height (32 px: the row's 33 less its border): the text sits in
 * the middle and the cell itself cuts it with an ellipsis, with no wrapper element (a fling redraws thirty rows a
 * frame: every element counts).
 */
const TEXT_CELL = 'h-full truncate pr-3 leading-8';
const box = (width: number) => ({ width, flex: 'none' as const });
const own = <T,>(o: Record<string, T>, k: string): T | undefined => (Object.hasOwn(o, k) ? o[k] : undefined);

/** One cell of a run: attributes, params, tags, a metric's latest, min or max. */
function Cell({ run, id }: { run: RunRow; id: string }) {
  const c = parseColumn(id);
  if (!c) return null;
  switch (c.kind) {
    case 'attr':
      switch (c.key) {
        case 'status':
          return <RunStatusBadge status={run.info.status} />;
        case 'created':
          return <>{formatTime(run.info.startTime)}</>;
        case 'duration':
          return <RunDuration info={run.info} />;
        case 'user':
          return <>{run.info.userId}</>;
        case 'source':
          return <>{own(run.tags, 'mlflow.source.name') ?? ''}</>;
        case 'version':
          return <span className="font-mono text-xs">{(own(run.tags, 'mlflow.source.git.commit') ?? '').slice(0, 10)}</span>;
        case 'dataset':
          return <>{run.datasets.map((d) => (d.context ? `${d.name} (${d.context})` : d.name)).join('; ')}</>;
      }
      return null;
    case 'param':
      return <>{own(run.params, c.key) ?? ''}</>;
    case 'tag':
      return <>{own(run.tags, c.key) ?? ''}</>;
    case 'metric':
      return <>{formatMetric(own(run.metrics, c.key)?.latest)}</>;
    case 'metricmin':
      return <>{formatMetric(own(run.metrics, c.key)?.min)}</>;
    case 'metricmax':
      return <>{formatMetric(own(run.metrics, c.key)?.max)}</>;
  }
}

/** The text a cell's tooltip shows (cut cells stay readable). */
function titleOf(run: RunRow, id: string): string | undefined {
  const c = parseColumn(id);
  if (!c) return undefined;
  if (c.kind === 'param') return own(run.params, c.key);
  if (c.kind === 'tag') return own(run.tags, c.key);
  if (c.kind === 'attr' && c.key === 'source') return own(run.tags, 'mlflow.source.name');
  if (c.kind === 'attr' && c.key === 'version') return own(run.tags, 'mlflow.source.git.commit');
  return undefined;
}

/**
 * The run's name cell, sticky after the select and pin cells (TABLE-15): indent under its parent, expand/collapse when
 * it has children, colour swatch, the link to the run page.
 */
function NameCell({ item, name, href, handlers }: { item: RunItem; name: string; href: string; handlers: RowHandlers }) {
  const r = item.run;
  return (
    <div role="cell" data-testid="run-name-cell" style={stickyCell(columnWidth('attr:name'), STICKY_LEFT.name)} className={`${CELL} gap-1.5 border-r border-stone-100 bg-inherit dark:border-stone-800`}>
      <span className="shrink-0" style={{ width: item.depth * 16 }} aria-hidden />
      {item.children > 0 ? (
        <button
          type="button"
          aria-expanded={item.expanded}
          aria-label={`${item.expanded ? 'Collapse' : 'Expand'} ${name} (${item.children} child run${item.children === 1 ? '' : 's'})`}
          onClick={() => handlers.onExpand(r.info.runId)}
          className={`w-4 shrink-0 rounded text-xs text-stone-600 ${FOCUS} dark:text-stone-400`}
        >
          <span aria-hidden>{item.expanded ? '▾' : '▸'}</span>
        </button>
      ) : (
        <span className="w-4 shrink-0" aria-hidden />
      )}
      <span aria-hidden data-testid="run-swatch" className="inline-block h-2.5 w-2.5 shrink-0 rounded-full" style={{ background: runColor(r.info.runId) }} />
      <a href={href} onClick={(e) => handlers.onOpen(href, e)} title={name} className={`truncate text-sky-800 hover:underline ${FOCUS} dark:text-sky-300`}>
        {name}
      </a>
      {item.children > 0 && <span className="shrink-0 text-xs text-stone-400">({item.children})</span>}
    </div>
  );
}

/**
 * One run of the runs table (fixed height: the table is virtualized): select box, pin and name (sticky, TABLE-15), the
 * chosen columns drawn near the visible part, row actions.
 */
function RunsTableRow({ id, item, index, columns, padLeft, selected, deletedView, top, width, height, handlers }: Props) {
  const r = item.run;
  const name = runLabel(r.info);
  const href = `/run/?id=${encodeURIComponent(r.info.runId)}`;
  const el = useRef<HTMLDivElement>(null);
  const shown = useRef(r.info.runId);
  // The slot now shows another run: focus inside it belonged to the run that left, as if its row had gone.
  useLayoutEffect(() => {
    if (shown.current === r.info.runId) return;
    shown.current = r.info.runId;
    const focused = document.activeElement;
    if (focused instanceof HTMLElement && el.current?.contains(focused)) focused.blur();
  }, [r.info.runId]);
  return (
    <div
      ref={el}
      id={id}
      role="row"
      data-testid="run-row"
      data-run-id={r.info.runId}
      aria-rowindex={index + 2}
      aria-selected={selected}
      style={{ transform: `translateY(${top}px)`, height, width }}
      className={`absolute top-0 left-0 flex border-b border-stone-100 [contain:strict] ${selected ? 'bg-sky-50 dark:bg-sky-950' : item.pinned ? 'bg-amber-50 dark:bg-amber-950' : 'bg-white dark:bg-stone-900'} ${item.hidden ? 'opacity-50' : ''} hover:bg-stone-50 dark:border-stone-800 dark:hover:bg-stone-800`}
    >
      <div role="cell" style={stickyCell(LEAD_WIDTHS[0], STICKY_LEFT.select)} className={`${CELL} bg-inherit px-2`}>
        <input
          type="checkbox"
          aria-label={`Select ${name}`}
          checked={selected}
          onChange={() => {}}
          onClick={(e) => handlers.onSelect(r.info.runId, index, e)}
          className={FOCUS}
        />
      </div>
      <div role="cell" style={stickyCell(LEAD_WIDTHS[1], STICKY_LEFT.pin)} className={`${CELL} justify-center bg-inherit pr-0`}>
        <button
          type="button"
          aria-label={item.pinned ? `Unpin ${name}` : `Pin ${name}`}
          aria-pressed={item.pinned}
          onClick={() => handlers.onPin(r.info.runId)}
          className={`rounded px-1 text-xs ${item.pinned ? 'text-amber-700 dark:text-amber-400' : 'text-stone-300 hover:text-stone-600 dark:text-stone-600'} ${FOCUS}`}
        >
          <span aria-hidden>{item.pinned ? '★' : '☆'}</span>
        </button>
      </div>
      {columns[0] === 'attr:name' && <NameCell item={item} name={name} href={href} handlers={handlers} />}
      {padLeft > 0 && <div aria-hidden style={box(padLeft)} />}
      {columns.map((id) =>
        id === 'attr:name' ? null : (
          <div
            key={id}
            role="cell"
            data-testid={id.startsWith('metric:') ? `run-metric-${id.slice(7)}` : undefined}
            title={titleOf(r, id)}
            style={box(columnWidth(id))}
            className={`${TEXT_CELL} ${isNumeric(id) ? 'text-right font-mono text-xs' : 'text-stone-700 dark:text-stone-300'}`}
          >
            <Cell run={r} id={id} />
          </div>
        ),
      )}
      <div role="cell" style={box(ACTIONS_WIDTH)} className={`${CELL} ml-auto justify-end pr-2`}>
        {deletedView ? (
          <button type="button" onClick={() => handlers.onRestore(r.info.runId)} className={`rounded border border-stone-300 px-2 text-xs hover:bg-stone-100 ${FOCUS} dark:border-stone-600 dark:hover:bg-stone-800`}>
            Restore
          </button>
        ) : (
          <button type="button" aria-label={`Actions for ${name}`} onClick={() => handlers.onActions(r)} className={`rounded px-2 text-xs text-stone-600 hover:bg-stone-100 ${FOCUS} dark:text-stone-400 dark:hover:bg-stone-800`}>
            Actions
          </button>
        )}
      </div>
    </div>
  );
}

/**
 * Every re-query brings fresh objects from the worker (a metric arriving in one run re-sends the window): a row renders
 * again only when what it shows changed, so a live table repaints the changed rows, not all of them.
 */
function sameRow(a: Props, b: Props): boolean {
  if (a.id !== b.id || a.selected !== b.selected || a.deletedView !== b.deletedView || a.height !== b.height || a.top !== b.top || a.width !== b.width || a.padLeft !== b.padLeft || a.index !== b.index || a.handlers !== b.handlers) return false;
  if (a.columns !== b.columns && a.columns.join('\u0001') !== b.columns.join('\u0001')) return false;
  const x = a.item;
  const y = b.item;
  if (x.depth !== y.depth || x.children !== y.children || x.expanded !== y.expanded || x.pinned !== y.pinned || x.hidden !== y.hidden) return false;
  // Rows are keyed by slot (RunsTable): a slot that now shows another run renders without comparing the two runs whole.
  if (x.run.info.runId !== y.run.info.runId) return false;
  return x.run === y.run || JSON.stringify(x.run) === JSON.stringify(y.run);
}

export default memo(RunsTableRow, sameRow);

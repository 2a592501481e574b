'use client';

import Link from 'next/link';
import type { KeyboardEvent, PointerEvent } from 'react';
import { useBoardRuns, type BoardGrid, type Card, type CardConfig, type LineSettings } from '@/lib/react';
import LoadError from '../LoadError';
import { cardTitle } from './card-kinds';
import ChartOfRuns from './ChartOfRuns';
import CopyEmbedLink from './CopyEmbedLink';
import { chartOfCard } from './embed-link';
import { grow, nudge, type Direction, type Rect } from './grid-layout';
import RunsTableCard from './RunsTableCard';

export interface CardActions {
  /** Starts a pointer drag of the card (`move`, from its title bar) or of its corner (`resize`). */
  startDrag(e: PointerEvent<HTMLElement>, mode: 'move' | 'resize'): void;
  move(to: { x: number; y: number }): void;
  resize(to: { w: number; h: number }): void;
  edit(): void;
  /** Replaces what the card shows (a line card's chart settings changed in place). */
  update(config: CardConfig): void;
  remove(): void;
}

const ARROWS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };
const tool = 'rounded px-1.5 py-0.5 text-xs text-stone-600 hover:bg-stone-100 hover:text-stone-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 dark:text-stone-400 dark:hover:bg-stone-800 dark:hover:text-stone-100';

/**
 * One card of a dashboard: a title bar to drag it by (or, focused, arrow keys to move and Shift+arrows to resize),
 * buttons for settings, arranging (the keyboard alternative to dragging), the embed link and removal, the chart, and
 * a corner to drag to resize.
 */
export default function BoardCard({ experimentId, card, rect, grid, dragging, actions }: {
  experimentId: string;
  card: Card;
  rect: Rect;
  grid: BoardGrid;
  dragging: boolean;
  actions: CardActions;
}) {
  const title = cardTitle(card.config);
  const onHandleKey = (e: KeyboardEvent) => {
    const dir = ARROWS[e.key];
    if (!dir) return;
    e.preventDefault();
    if (e.shiftKey) actions.resize(grow(rect, dir, grid));
    else actions.move(nudge(rect, dir, grid));
  };
  return (
    <article
      aria-label={`Card ${title}`}
      data-testid="board-card"
      data-card-id={card.cardId}
      data-x={rect.x}
      data-y={rect.y}
      data-w={rect.w}
      data-h={rect.h}
      style={{ gridColumn: `${rect.x + 1} / span ${rect.w}`, gridRow: `${rect.y + 1} / span ${rect.h}` }}
      className={`relative flex min-h-0 min-w-0 flex-col rounded border bg-white ${dragging ? 'z-10 border-sky-500 shadow-lg' : 'border-stone-200'}`}
    >
      <header className="flex items-center gap-1 border-b border-stone-100 px-1 py-0.5 dark:border-stone-800">
        <button
          type="button"
          aria-label={`Move card ${title} (arrow keys move, Shift+arrow keys resize)`}
          onPointerDown={(e) => actions.startDrag(e, 'move')}
          onKeyDown={onHandleKey}
          className="flex min-w-0 flex-1 cursor-move touch-none items-center gap-1 rounded px-1 text-left focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600"
        >
          <span aria-hidden className="text-stone-400">
            ⠿
          </span>
          <h3 className="truncate text-sm font-medium">{title}</h3>
        </button>
        <button type="button" onClick={actions.edit} className={tool}>
          Settings
        </button>
        <details className="relative">
          <summary className={`${tool} cursor-pointer list-none`}>Arrange</summary>
          <div role="group" aria-label={`Arrange card ${title}`} className="absolute right-0 z-20 mt-1 grid w-44 grid-cols-2 gap-1 rounded border border-stone-200 bg-white p-2 shadow dark:bg-stone-900 dark:border-stone-700">
            {(['left', 'right', 'up', 'down'] as const).map((d) => (
              <button key={d} type="button" className={tool} onClick={() => actions.move(nudge(rect, d, grid))}>
                Move {d}
              </button>
            ))}
            <button type="button" className={tool} onClick={() => actions.resize(grow(rect, 'right', grid))}>
              Wider
            </button>
            <button type="button" className={tool} onClick={() => actions.resize(grow(rect, 'left', grid))}>
              Narrower
            </button>
            <button type="button" className={tool} onClick={() => actions.resize(grow(rect, 'down', grid))}>
              Taller
            </button>
            <button type="button" className={tool} onClick={() => actions.resize(grow(rect, 'up', grid))}>
              Shorter
            </button>
          </div>
        </details>
        <button type="button" onClick={actions.remove} aria-label={`Remove card ${title}`} className={tool}>
          ✕
        </button>
      </header>
      <div className="relative min-h-0 flex-1 overflow-hidden">
        {card.config.kind === 'table' ? (
          <div className="absolute inset-0 overflow-auto p-1">
            <RunsTableCard experimentId={experimentId} {...card.config} />
          </div>
        ) : (
          <ChartCardBody experimentId={experimentId} card={card} onLineSettingsChange={(settings) => card.config.kind === 'line' && actions.update({ ...card.config, settings })} />
        )}
      </div>
      <span
        aria-hidden
        onPointerDown={(e) => actions.startDrag(e, 'resize')}
        className="absolute bottom-0 right-0 h-4 w-4 cursor-se-resize touch-none rounded-br border-b-2 border-r-2 border-stone-400"
      />
    </article>
  );
}

/** A chart card's runs (its selection, live) and the chart, with the embed link of exactly those runs. */
function ChartCardBody({ experimentId, card, onLineSettingsChange }: { experimentId: string; card: Card; onLineSettingsChange?: (s: LineSettings) => void }) {
  const config = card.config;
  const selection = config.kind === 'table' ? null : config.runs;
  const selected = useBoardRuns(experimentId, selection);
  const chart = chartOfCard(config);
  if (selected.error) return <LoadError error={selected.error} />;
  const data = selected.data;
  if (!data || !chart) return <p className="p-3 text-sm text-stone-500 dark:text-stone-400">Loading runs…</p>;
  if (data.error) {
    return (
      <p role="alert" className="p-3 text-sm text-red-700 dark:text-red-300">
        The card's filter cannot be used: {data.error.message}
      </p>
    );
  }
  const spec = data.runs.length ? { experimentId, runIds: data.runs.map((r) => r.info.runId), chart } : null;
  return (
    <div className="absolute inset-0 flex flex-col">
      <div className="relative min-h-0 flex-1">
        {data.runs.length === 0 ? (
          <p className="p-3 text-sm text-stone-500 dark:text-stone-400">No runs to draw{data.missing.length ? ' (the chosen runs are gone)' : ''}.</p>
        ) : (
          <div className="absolute inset-0">
            <ChartOfRuns chart={chart} runs={data.runs} {...(onLineSettingsChange ? { onLineSettingsChange } : {})} />
          </div>
        )}
      </div>
      <div className="flex items-start gap-3 px-2 pb-4">
        <div className="min-w-0 flex-1">
          <CopyEmbedLink spec={spec} />
        </div>
        {data.runs.length >= 2 && (
          <Link prefetch={false}
            href={`/compare/?experiment=${encodeURIComponent(experimentId)}&runs=${data.runs.map((r) => encodeURIComponent(r.info.runId)).join(',')}`}
            className="shrink-0 py-0.5 text-xs text-sky-800 hover:underline dark:text-sky-300"
          >
            Compare these runs
          </Link>
        )}
      </div>
    </div>
  );
}

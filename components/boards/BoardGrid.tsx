'use client';

import { useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import { useBoardsCommands, type Board } from '@/lib/react';
import { errorMessage } from '../format';
import BoardCard from './BoardCard';
import { cellsMoved, clampPos, clampSize, placeCards, rowsUsed, type Rect } from './grid-layout';

/** Height of one grid row and the gap between cells, in CSS pixels. */
const ROW_PX = 72;
const GAP_PX = 12;

interface Drag {
  cardId: string;
  mode: 'move' | 'resize';
  from: Rect;
  startX: number;
  startY: number;
  /** Where the card would land now (snapped to cells), drawn there while the pointer moves. */
  to: Rect;
}

/**
 * A dashboard's cards on its grid (BOARD-G1): dragging a card's title bar moves it, dragging its corner resizes it,
 * both snapping to cells; buttons and arrow keys do the same from the keyboard. A change is drawn at once and written
 * as one small command (a move or a resize); the board's next reading, which comes back live through the worker's
 * topic, replaces the pending rectangles.
 */
export default function BoardGrid({ board, onEdit }: { board: Board; onEdit: (cardId: string) => void }) {
  const cmds = useBoardsCommands();
  const el = useRef<HTMLDivElement>(null);
  const [pending, setPending] = useState<ReadonlyMap<string, Rect>>(new Map());
  const [drag, setDrag] = useState<Drag | null>(null);
  const [error, setError] = useState<string | null>(null);
  const placed = useMemo(() => placeCards(board.cards, board.grid), [board]);
  // A new reading of the board is the truth: what was pending is in it (or was refused).
  useEffect(() => setPending(new Map()), [board]);

  const rectOf = (cardId: string): Rect => (drag?.cardId === cardId ? drag.to : (pending.get(cardId) ?? placed.get(cardId)!));

  function cellSize(): { w: number; h: number } {
    const width = el.current?.clientWidth ?? 0;
    return { w: (width + GAP_PX) / board.grid.columns, h: ROW_PX + GAP_PX };
  }

  function commit(cardId: string, next: Rect, mode: 'move' | 'resize') {
    const cur = placed.get(cardId);
    if (cur && cur.x === next.x && cur.y === next.y && cur.w === next.w && cur.h === next.h) return;
    setPending((m) => new Map(m).set(cardId, next));
    setError(null);
    const done = mode === 'move' ? cmds.moveCard(board.boardId, cardId, next.x, next.y) : cmds.resizeCard(board.boardId, cardId, next.w, next.h);
    done.catch((err: unknown) => {
      setError(errorMessage(err));
      setPending((m) => {
        const copy = new Map(m);
        copy.delete(cardId);
        return copy;
      });
    });
  }

  function startDrag(cardId: string, e: PointerEvent<HTMLElement>, mode: 'move' | 'resize') {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    const from = rectOf(cardId);
    setDrag({ cardId, mode, from, startX: e.clientX, startY: e.clientY, to: from });
  }

  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    if (!drag) return;
    const cell = cellSize();
    const { dx, dy } = cellsMoved(e.clientX - drag.startX, e.clientY - drag.startY, cell.w, cell.h);
    const f = drag.from;
    const to =
      drag.mode === 'move'
        ? { ...f, ...clampPos({ x: f.x + dx, y: f.y + dy }, f.w, board.grid) }
        : { ...f, ...clampSize({ w: f.w + dx, h: f.h + dy }, f.x, board.grid) };
    if (to.x !== drag.to.x || to.y !== drag.to.y || to.w !== drag.to.w || to.h !== drag.to.h) setDrag({ ...drag, to });
  }

  function endDrag() {
    if (!drag) return;
    commit(drag.cardId, drag.to, drag.mode);
    setDrag(null);
  }

  const rows = rowsUsed(board.cards.map((c) => rectOf(c.cardId)), 4) + (drag ? 2 : 0);
  return (
    <div className="space-y-2">
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      <div
        ref={el}
        data-testid="board-grid"
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={() => setDrag(null)}
        className="grid"
        style={{
          gridTemplateColumns: `repeat(${board.grid.columns}, minmax(0, 1fr))`,
          gridTemplateRows: `repeat(${rows}, ${ROW_PX}px)`,
          gap: `${GAP_PX}px`,
        }}
      >
        {board.cards.map((card) => (
          <BoardCard
            key={card.cardId}
            experimentId={board.experimentId}
            card={card}
            rect={rectOf(card.cardId)}
            grid={board.grid}
            dragging={drag?.cardId === card.cardId}
            actions={{
              startDrag: (e, mode) => startDrag(card.cardId, e, mode),
              move: (p) => commit(card.cardId, { ...rectOf(card.cardId), ...p }, 'move'),
              resize: (s) => commit(card.cardId, { ...rectOf(card.cardId), ...s }, 'resize'),
              edit: () => onEdit(card.cardId),
              update: (config) => void cmds.updateCard(board.boardId, card.cardId, config).catch((err: unknown) => setError(errorMessage(err))),
              remove: () => void cmds.removeCard(board.boardId, card.cardId).catch((err: unknown) => setError(errorMessage(err))),
            }}
          />
        ))}
      </div>
    </div>
  );
}

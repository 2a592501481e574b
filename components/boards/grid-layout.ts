import type { BoardGrid, Card, CardPos, CardSize } from '@/lib/react';

/**
 * Where the cards of a dashboard are drawn (BOARD-G1), from where they are stored. Stored positions may overlap (two
 * people moved cards onto the same cells at once, or a peer wrote nonsense): every replica resolves that the same way,
 * in reading order, by pushing a card down below whatever it collides with. The stored layout is never rewritten by
 * this: only a person's move or resize writes (one small map update, lib/doc boards.ts).
 */

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The drawn rectangle of every card, by card id; deterministic for a given set of cards. */
export function placeCards(cards: readonly Card[], grid: BoardGrid): Map<string, Rect> {
  const ordered = [...cards].sort((a, b) => a.pos.y - b.pos.y || a.pos.x - b.pos.x || (a.cardId < b.cardId ? -1 : 1));
  const placed: Rect[] = [];
  const out = new Map<string, Rect>();
  for (const c of ordered) {
    const w = Math.max(1, Math.min(c.size.w, grid.columns));
    const rect: Rect = { x: Math.min(Math.max(0, c.pos.x), grid.columns - w), y: Math.max(0, c.pos.y), w, h: Math.max(1, c.size.h) };
    for (let hit = placed.find((p) => overlaps(p, rect)); hit; hit = placed.find((p) => overlaps(p, rect))) rect.y = hit.y + hit.h;
    placed.push(rect);
    out.set(c.cardId, rect);
  }
  return out;
}

/** Rows the placed cards take (the grid's drawn height), at least `min`. */
export function rowsUsed(rects: Iterable<Rect>, min = 1): number {
  let rows = min;
  for (const r of rects) rows = Math.max(rows, r.y + r.h);
  return rows;
}

/** A position kept on the grid: inside its width for a card of width `w`, not above the top, not below the last row. */
export function clampPos(p: CardPos, w: number, grid: BoardGrid): CardPos {
  const x = Math.round(Math.min(Math.max(0, p.x), grid.columns - Math.min(w, grid.columns)));
  const y = Math.round(Math.min(Math.max(0, p.y), grid.maxRow));
  return { x, y };
}

/** A size kept on the grid: at least one cell, no wider than the columns right of `x`, no taller than `maxHeight`. */
export function clampSize(s: CardSize, x: number, grid: BoardGrid): CardSize {
  return {
    w: Math.round(Math.min(Math.max(1, s.w), grid.columns - x)),
    h: Math.round(Math.min(Math.max(1, s.h), grid.maxHeight)),
  };
}

/** Whole cells a pointer moved by: a drag snaps to the nearest cell, so half a cell is the threshold. */
export function cellsMoved(dxPx: number, dyPx: number, cellWidthPx: number, cellHeightPx: number): { dx: number; dy: number } {
  const snap = (d: number, size: number) => (size > 0 ? Math.round(d / size) || 0 : 0);
  return { dx: snap(dxPx, cellWidthPx), dy: snap(dyPx, cellHeightPx) };
}

export type Direction = 'left' | 'right' | 'up' | 'down';
const STEP: Record<Direction, { dx: number; dy: number }> = {
  left: { dx: -1, dy: 0 },
  right: { dx: 1, dy: 0 },
  up: { dx: 0, dy: -1 },
  down: { dx: 0, dy: 1 },
};

/** The keyboard alternative to dragging: one cell in a direction, kept on the grid. */
export function nudge(r: Rect, dir: Direction, grid: BoardGrid): CardPos {
  const s = STEP[dir];
  return clampPos({ x: r.x + s.dx, y: r.y + s.dy }, r.w, grid);
}

/** The keyboard alternative to dragging a corner: one cell wider / narrower (right, left), taller / shorter (down, up). */
export function grow(r: Rect, dir: Direction, grid: BoardGrid): CardSize {
  const s = STEP[dir];
  return clampSize({ w: r.w + s.dx, h: r.h + s.dy }, r.x, grid);
}

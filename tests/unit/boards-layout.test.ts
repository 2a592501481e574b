import { describe, expect, it } from 'vitest';
import { chartOfCard, embedPath, parseEmbedQuery, type EmbedSpec } from '@/components/boards/embed-link';
import { cellsMoved, clampPos, clampSize, grow, nudge, placeCards, rowsUsed } from '@/components/boards/grid-layout';
import type { Board, Card, CardId } from '@/lib/react';

const grid: Board['grid'] = { columns: 12, maxRow: 1000, maxHeight: 16 };
const card = (id: string, x: number, y: number, w: number, h: number): Card => ({
  cardId: id as CardId,
  config: { kind: 'bar', title: '', metric: 'loss', runs: { mode: 'filter', filter: '', limit: 5 } },
  pos: { x, y },
  size: { w, h },
});

describe('dashboard grid', () => {
  it('[BOARD-G1] cards are drawn where stored; overlaps are pushed down the same way whatever order they come in', () => {
    const cards = [card('aa', 0, 0, 6, 4), card('bb', 6, 0, 6, 2), card('cc', 3, 1, 6, 2), card('dd', 0, 10, 12, 1)];
    const placed = placeCards(cards, grid);
    expect(placed.get('aa')).toEqual({ x: 0, y: 0, w: 6, h: 4 });
    expect(placed.get('bb')).toEqual({ x: 6, y: 0, w: 6, h: 2 });
    // cc overlaps aa (and bb): pushed below aa, the lowest card it hit.
    expect(placed.get('cc')).toEqual({ x: 3, y: 4, w: 6, h: 2 });
    expect(placed.get('dd')).toEqual({ x: 0, y: 10, w: 12, h: 1 });
    expect(placeCards([...cards].reverse(), grid)).toEqual(placed);
    // Two cards stored on the same cell: the one with the smaller id stays, the other goes under it.
    const same = placeCards([card('bb', 2, 2, 4, 3), card('aa', 2, 2, 4, 3)], grid);
    expect(same.get('aa')).toEqual({ x: 2, y: 2, w: 4, h: 3 });
    expect(same.get('bb')).toEqual({ x: 2, y: 5, w: 4, h: 3 });
    expect(rowsUsed(placed.values())).toBe(11);
    // No two drawn cards overlap.
    const rects = [...placed.values()];
    for (const a of rects) for (const b of rects) if (a !== b) expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h).toBe(false);
  });

  it('[BOARD-G1] a drag snaps to the nearest cell and stays on the grid; the keyboard moves and resizes one cell', () => {
    expect(cellsMoved(49, 20, 100, 84)).toEqual({ dx: 0, dy: 0 });
    expect(cellsMoved(51, -43, 100, 84)).toEqual({ dx: 1, dy: -1 });
    expect(cellsMoved(-260, 500, 100, 84)).toEqual({ dx: -3, dy: 6 });
    expect(cellsMoved(10, 10, 0, 0)).toEqual({ dx: 0, dy: 0 });
    expect(clampPos({ x: 11, y: -3 }, 4, grid)).toEqual({ x: 8, y: 0 });
    expect(clampPos({ x: 2, y: 5000 }, 4, grid)).toEqual({ x: 2, y: 1000 });
    expect(clampSize({ w: 20, h: 40 }, 4, grid)).toEqual({ w: 8, h: 16 });
    expect(clampSize({ w: 0, h: 0 }, 0, grid)).toEqual({ w: 1, h: 1 });
    const r = { x: 0, y: 0, w: 6, h: 4 };
    expect(nudge(r, 'left', grid)).toEqual({ x: 0, y: 0 });
    expect(nudge(r, 'up', grid)).toEqual({ x: 0, y: 0 });
    expect(nudge(r, 'right', grid)).toEqual({ x: 1, y: 0 });
    expect(nudge(r, 'down', grid)).toEqual({ x: 0, y: 1 });
    expect(nudge({ ...r, x: 6 }, 'right', grid)).toEqual({ x: 6, y: 0 });
    expect(grow(r, 'right', grid)).toEqual({ w: 7, h: 4 });
    expect(grow(r, 'left', grid)).toEqual({ w: 5, h: 4 });
    expect(grow(r, 'down', grid)).toEqual({ w: 6, h: 5 });
    expect(grow({ ...r, x: 6 }, 'right', grid)).toEqual({ w: 6, h: 4 });
    expect(grow({ ...r, w: 1, h: 1 }, 'up', grid)).toEqual({ w: 1, h: 1 });
  });
});

describe('embed links', () => {
  const base = { experimentId: '123', runIds: ['a1', 'b2'] };
  it('[BOARD-E1] the link of every chart card parses back to the same chart', () => {
    const specs: EmbedSpec[] = [
      { ...base, chart: { kind: 'line', metric: 'val/loss', settings: { smoothing: 60, xAxis: { kind: 'metric', key: 'epoch' }, logY: true, clipOutliers: false } } },
      { ...base, chart: { kind: 'line', metric: 'loss', settings: { xAxis: { kind: 'wall' } } } },
      { ...base, chart: { kind: 'bar', metric: 'acc' } },
      { ...base, chart: { kind: 'scatter', x: { kind: 'param', key: 'lr' }, y: { kind: 'metric', key: 'loss' } } },
      { ...base, chart: { kind: 'parallel', axes: [{ kind: 'param', key: 'lr' }, { kind: 'metric', key: 'a b:c' }, { kind: 'attr', key: 'duration' }] } },
    ];
    for (const spec of specs) {
      const path = embedPath(spec);
      expect(path.startsWith('/embed/?experiment=123&runs=a1%2Cb2')).toBe(true);
      const back = parseEmbedQuery(new URL(path, 'http://x').searchParams);
      expect(back).toEqual({ ok: true, spec });
    }
    expect(embedPath(specs[0]!)).toContain('metric=val%2Floss');
    expect(chartOfCard({ kind: 'table', title: '', metric: 'acc', order: 'desc', limit: 5, filter: '' })).toBeNull();
    expect(chartOfCard({ kind: 'line', title: 't', metric: 'm', runs: { mode: 'filter', filter: '', limit: 3 } })).toEqual({ kind: 'line', metric: 'm', settings: {} });
  });

  it('[BOARD-E1] a link that cannot draw a chart says why; only known, well-formed line settings are read', () => {
    const parse = (q: string) => parseEmbedQuery(new URLSearchParams(q));
    const why = (q: string) => {
      const r = parse(q);
      return r.ok ? 'ok' : r.message;
    };
    expect(why('runs=a&metric=m')).toMatch(/no experiment/);
    expect(why('experiment=1&metric=m')).toMatch(/no runs/);
    expect(why(`experiment=1&metric=m&runs=${Array.from({ length: 101 }, (_, i) => `r${i}`).join(',')}`)).toMatch(/at most 100/);
    expect(why('experiment=1&runs=a')).toMatch(/no metric/);
    expect(why('experiment=1&runs=a&chart=scatter&x=params.lr')).toMatch(/x= and y=/);
    expect(why('experiment=1&runs=a&chart=parallel&axes=params.lr,nonsense')).toMatch(/two or more axes/);
    expect(why('experiment=1&runs=a&chart=pie')).toMatch(/Unknown chart 'pie'/);
    const r = parse('experiment=1&runs=a,a,b&metric=m&s.__proto__=1&s.constructor=x&s.smoothing=250&s.logX=yes&s.logY=false&s.xAxis=metric:');
    expect(r.ok && r.spec.runIds).toEqual(['a', 'b']);
    expect(r.ok && r.spec.chart).toEqual({ kind: 'line', metric: 'm', settings: { smoothing: 100, logY: false } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

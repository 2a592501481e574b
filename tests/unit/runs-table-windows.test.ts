import { describe, expect, it } from 'vitest';
import { keepItems, slotRows, WINDOW, windowOffset } from '../../components/runs-table/windows';
import type { RunsWindow, TableItem } from '../../lib/react';

const runItem = (id: string): TableItem => ({
  kind: 'run',
  run: { info: { runId: id } } as never,
  depth: 0,
  children: 0,
  expanded: false,
  pinned: false,
  hidden: false,
});
const win = (list: number, offset: number, n: number): RunsWindow => ({
  offset,
  items: Array.from({ length: n }, (_, k) => runItem(`r${offset + k}`)),
  list,
  itemCount: 10_000,
  matching: 10_000,
  hidden: 0,
  other: 0,
  metricKeys: [],
});

describe('runs table: rows in slots (TABLE-17)', () => {
  it('[TABLE-17] every drawn row has its own slot, slots are listed in order, and a scroll keeps the rows that stay in their slots', () => {
    const slots = 51;
    for (const [first, last] of [
      [0, 37],
      [0, 51],
      [4, 55],
      [9_949, 10_000],
      [123, 150],
    ] as const) {
      const placed = slotRows(first, last, slots);
      expect(placed.map((p) => p.index).sort((a, b) => a - b)).toEqual(Array.from({ length: last - first }, (_, k) => first + k));
      expect(placed.map((p) => p.slot)).toEqual([...placed.map((p) => p.slot)].sort((a, b) => a - b));
      for (const p of placed) expect(p.slot).toBe(p.index % slots);
    }
    // Scrolled 4 rows down: 47 rows keep their slot; only the 4 that left hand theirs to the 4 that came.
    const before = new Map(slotRows(100, 151, slots).map((p) => [p.index, p.slot]));
    const after = slotRows(104, 155, slots);
    const kept = after.filter((p) => before.get(p.index) === p.slot);
    expect(kept).toHaveLength(47);
    const reused = after.filter((p) => !before.has(p.index)).map((p) => p.slot);
    expect(reused.sort((a, b) => a - b)).toEqual([100, 101, 102, 103].map((i) => i % slots).sort((a, b) => a - b));
  });

  it('[TABLE-17] more rows than slots is refused, not drawn twice', () => {
    expect(() => slotRows(0, 52, 51)).toThrow(RangeError);
  });
});

describe('runs table: the windows asked of the worker (TABLE-17)', () => {
  it('[TABLE-17] the window moves before the drawn range reaches its edge, and the range then sits inside the new one with room on both sides', () => {
    let cur = 0;
    const asked: number[] = [];
    // A fling: 30 rows a frame, 51 rows drawn.
    for (let first = 0; first + 51 <= 10_000; first += 30) {
      const r = { first, last: first + 51 };
      const next = windowOffset(cur, r, 10_000);
      if (next !== cur) asked.push(next);
      cur = next;
      // The drawn rows are inside the window that is asked for now: none waits on a placeholder once it arrives.
      expect(r.first).toBeGreaterThanOrEqual(cur);
      expect(r.last).toBeLessThanOrEqual(cur + WINDOW);
      // ... and that window was asked while the range was still MARGIN rows inside: the next 2 frames are covered.
      if (cur > 0 && cur + WINDOW < 10_000) expect(r.last + 60).toBeLessThanOrEqual(cur + WINDOW);
    }
    // Not a query per frame: one per few frames.
    expect(asked.length).toBeLessThan(10_000 / 30 / 2);
    expect(asked.every((o) => o % 50 === 0)).toBe(true);
  });

  it('[TABLE-17] at the start and the end of the list the window stays (there is nothing more to ask for)', () => {
    expect(windowOffset(0, { first: 0, last: 40 }, 10_000)).toBe(0);
    expect(windowOffset(9_600, { first: 9_949, last: 10_000 }, 10_000)).toBe(9_600);
    // A short list: one window holds it all whatever is drawn.
    expect(windowOffset(0, { first: 300, last: 351 }, 351)).toBe(0);
  });

  it('[TABLE-17] a new window of the same shown list keeps the items the table already has; another list keeps none', () => {
    const a = win(7, 0, 400);
    const b = win(7, 200, 400);
    const kept = keepItems(a, b);
    expect(kept.offset).toBe(200);
    for (let k = 0; k < 200; k++) expect(kept.items[k]).toBe(a.items[200 + k]);
    for (let k = 200; k < 400; k++) expect(kept.items[k]).toBe(b.items[k]);
    // Scrolling up: the overlap is at the window's end.
    const up = keepItems(b, win(7, 50, 400));
    for (let k = 0; k < 150; k++) expect(up.items[k]).not.toBe(b.items[0]);
    expect(up.items[150]).toBe(b.items[0]);
    expect(up.items[399]).toBe(b.items[249]);
    // Another list (a new index version or another query): nothing kept, the fresh items are used.
    const other = win(8, 200, 400);
    expect(keepItems(a, other)).toBe(other);
    expect(keepItems(null, b)).toBe(b);
  });
});

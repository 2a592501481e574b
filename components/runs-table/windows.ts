import type { RunsWindow } from '@/lib/react';

/**
 * The runs table's windows of the shown list (TABLE-17), pure: where the next one starts, and what a new one keeps of the
 * last. Windows start on multiples of BLOCK and hold WINDOW entries: a new query every few dozen rows scrolled, not
 * every row.
 */
const BLOCK = 50;
export const WINDOW = 400;
/** The next window is asked for when the drawn range comes this close to an edge of the current one (TABLE-17). */
const MARGIN = 80;

/**
 * Where the window of entries should start for the drawn range `r`, given that the current one starts at `cur`: `cur`
 * while the range stays MARGIN entries inside it (or touches the list's start or end, where there is nothing more to
 * ask for), else a BLOCK multiple that centres the range in the new window. Asking before the range reaches the edge
 * means a fast scroll finds its rows already here: a placeholder drawn in their place is a different element, made and
 * styled anew, which costs a fling its frames.
 */
export function windowOffset(cur: number, r: { first: number; last: number }, itemCount: number | undefined, o = { window: WINDOW, block: BLOCK, margin: MARGIN }): number {
  const lo = cur === 0 ? 0 : cur + o.margin;
  const hi = itemCount !== undefined && cur + o.window >= itemCount ? cur + o.window : cur + o.window - o.margin;
  if (r.first >= lo && r.last <= hi) return cur;
  const pad = (o.window - (r.last - r.first)) / 2;
  return Math.max(0, Math.round((r.first - pad) / o.block) * o.block);
}

/**
 * `next`, holding `before`'s item objects where the two windows overlap, when both were cut from the same shown list
 * (the same entries at the same index): a row whose item is the one it had renders nothing (RunsTableRow's memo), so a
 * new window while scrolling costs no comparison of whole runs.
 */
export function keepItems(before: RunsWindow | null, next: RunsWindow): RunsWindow {
  if (!before || before.list !== next.list) return next;
  let kept = 0;
  const items = next.items.map((item, k) => {
    const old = before.items[next.offset + k - before.offset];
    if (next.offset + k < before.offset || !old) return item;
    kept++;
    return old;
  });
  return kept ? { ...next, items } : next;
}

/**
 * The drawn rows `first..last-1` placed in `slots` slots (TABLE-17): row i lives in slot i mod `slots`, and the result
 * lists the slots in order, each with the row it shows. A row scrolled out hands its slot (and its DOM) to the row
 * scrolled in, and no slot ever moves in the DOM; `slots` must be at least `last - first`.
 */
export function slotRows(first: number, last: number, slots: number): { slot: number; index: number }[] {
  if (last - first > slots) throw new RangeError(`${last - first} rows do not fit ${slots} slots`);
  const out: { slot: number; index: number }[] = [];
  for (let s = 0; s < slots; s++) {
    const index = first + ((((s - first) % slots) + slots) % slots);
    if (index < last) out.push({ slot: s, index });
  }
  return out;
}

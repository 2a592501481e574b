import { parseColumn } from '@/lib/react';

/** Fixed widths per column (px): a virtualized table cannot let cell contents size its columns as rows come and go. */
export function columnWidth(id: string): number {
  const c = parseColumn(id);
  if (!c) return 120;
  if (c.kind === 'attr') return ({ name: 240, status: 100, created: 160, duration: 90, user: 120, source: 180, version: 110, dataset: 180 } as const)[c.key as 'name'] ?? 120;
  if (c.kind === 'tag') return 150;
  return 120;
}

/** Metric-valued columns are right-aligned numbers. */
export const isNumeric = (id: string): boolean => /^(metric|metricmin|metricmax):/.test(id) || id === 'attr:duration';

/** The fixed columns before the data columns: select, pin; after them: actions. */
export const LEAD_WIDTHS = [36, 36] as const;
export const ACTIONS_WIDTH = 96;

/**
 * The select, pin and name cells stay in view while the table scrolls sideways across many columns (TABLE-15), as in
 * MLflow's runs table: each is `position: sticky` at its own left offset (a wrapper would break the rows' ARIA cells).
 */
export const STICKY_LEFT = { select: 0, pin: LEAD_WIDTHS[0], name: LEAD_WIDTHS[0] + LEAD_WIDTHS[1] } as const;

/**
 * The style of a sticky cell `width` px wide at `left` (above the scrolling cells it covers). It is sticky only while
 * the scroller sets STICKY_ON (scrolled sideways): a hundred sticky cells made Chromium composite each one, which
 * doubled a vertical scroll's frame time (p95 16.8 → 33.4 ms, Layerize 12.6 ms a frame) though at the left edge they
 * stay where they are anyway. One custom property on the scroller switches them all, without rendering a row.
 */
export const stickyCell = (width: number, left: number) => ({ width, flex: 'none' as const, position: 'var(--cairn-sticky-x, static)' as 'sticky', left, zIndex: 1 });

/** Set on the scroller while it is scrolled sideways: the lead cells become sticky. */
export const STICKY_ON = { '--cairn-sticky-x': 'sticky' } as Record<string, string>;

/**
 * The columns a body row draws when the table is scrolled `left` px sideways in a `viewWidth` px wide view: those within
 * `overscan` px of the visible part, after `padLeft` px of columns left out, and always the name column (sticky,
 * TABLE-15: in view however far the table scrolls). `whole` draws every column (short lists).
 */
export function drawnColumns(columns: readonly string[], o: { left: number; viewWidth: number; overscan: number; whole: boolean }): { columns: string[]; padLeft: number } {
  let x = LEAD_WIDTHS[0] + LEAD_WIDTHS[1];
  let padLeft = 0;
  let others = 0;
  const drawn: string[] = [];
  for (const id of columns) {
    const w = columnWidth(id);
    if (id === 'attr:name' || o.whole || (x + w >= o.left - o.overscan && x <= o.left + o.viewWidth + o.overscan)) {
      drawn.push(id);
      if (id !== 'attr:name') others++;
    } else if (others === 0) padLeft += w;
    x += w;
  }
  return { columns: drawn, padLeft };
}

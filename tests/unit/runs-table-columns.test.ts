import { describe, expect, it } from 'vitest';
import { columnWidth, drawnColumns, LEAD_WIDTHS } from '../../components/runs-table/columns';

describe('runs table: the columns a body row draws', () => {
  // name (240) then 30 metric columns of 120 px: 72 + 240 + 3600 px wide.
  const cols = ['attr:name', ...Array.from({ length: 30 }, (_, i) => `metric:m${i}`)];
  const o = { viewWidth: 800, overscan: 240, whole: false };

  it('[TABLE-15] scrolled far right, the name column is still drawn (first, sticky) and the columns it skips are padded', () => {
    const left = 3000;
    const cut = drawnColumns(cols, { ...o, left });
    expect(cut.columns[0]).toBe('attr:name');
    const others = cut.columns.slice(1);
    expect(others.length).toBeGreaterThan(0);
    expect(others.length).toBeLessThan(20);
    // The padding is exactly the width of the metric columns left out before the first drawn one, so every drawn
    // column sits at its own x.
    const firstDrawn = cols.indexOf(others[0]!);
    const skipped = cols.slice(1, firstDrawn).reduce((a, id) => a + columnWidth(id), 0);
    expect(cut.padLeft).toBe(skipped);
    const x = LEAD_WIDTHS[0] + LEAD_WIDTHS[1] + columnWidth('attr:name') + skipped;
    expect(x + columnWidth(others[0]!)).toBeGreaterThanOrEqual(left - o.overscan);
  });

  it('[TABLE-15] at the left edge nothing is padded; a short list draws every column', () => {
    const cut = drawnColumns(cols, { ...o, left: 0 });
    expect(cut.padLeft).toBe(0);
    expect(cut.columns.slice(0, 3)).toEqual(['attr:name', 'metric:m0', 'metric:m1']);
    expect(drawnColumns(cols, { ...o, left: 3000, whole: true })).toEqual({ columns: cols, padLeft: 0 });
  });
});

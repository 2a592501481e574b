/**
 * CSV of the runs table exactly as shown (TABLE-5): the shown columns with their headers, in the shown order, every
 * run of the shown list (all matching rows, not only the rendered window; children of collapsed parents and runs of
 * collapsed groups included), with a leading group column when the table is grouped. RFC 4180: fields with a comma,
 * quote, CR, LF or edge space are quoted, quotes doubled, lines end in CRLF. Text that a spreadsheet would run as a
 * formula (=, +, -, @, tab or CR first, and not a number) gets a leading apostrophe (OWASP's CSV-injection advice).
 */
import { cellValue, type ListEntry, type ListRow } from './table-list';
import { columnLabel, parseColumn } from './table-view';

/** One CSV field, quoted when it must be. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Text cells that would start a formula are defused; numbers (`-1.5`) stay numbers. */
function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? `'${s}` : s;
}

function numberText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

/** A cell as CSV text: times as ISO 8601 (UTC), durations in seconds, numbers in full precision. */
export function csvCell(r: ListRow, columnId: string): string {
  const c = parseColumn(columnId);
  if (!c) return '';
  const v = cellValue(r, c);
  if (v === null) return '';
  if (c.kind === 'attr' && c.key === 'created') return typeof v === 'number' && v > 0 ? new Date(v).toISOString() : '';
  if (c.kind === 'attr' && c.key === 'duration') return typeof v === 'number' ? numberText(v / 1000) : '';
  return typeof v === 'number' ? numberText(v) : safeText(v);
}

/** The header of a column in the CSV: its table header (the duration's unit added). */
export function csvHeader(columnId: string): string {
  return columnId === 'attr:duration' ? 'Duration (s)' : columnLabel(columnId);
}

/** The whole CSV text of a shown list. `groupBy` adds a first column with each run's group value. */
export function toCsv(rows: readonly ListRow[], entries: readonly ListEntry[], columns: readonly string[], groupBy: string | null): string {
  const lines: string[] = [];
  const group = groupBy ? parseColumn(groupBy) : null;
  const head = columns.map(csvHeader);
  lines.push((group ? [columnLabel(groupBy!), ...head] : head).map((h) => csvField(safeText(h))).join(','));
  let groupText = '';
  for (const e of entries) {
    if (e.kind === 'group') {
      groupText = e.value === null ? '' : safeText(e.value);
      continue;
    }
    const r = rows[e.row]!;
    const cells = columns.map((id) => csvCell(r, id));
    // Pinned runs sit above the groups: their group is their own value.
    if (group) cells.unshift(e.pinned ? csvCell(r, groupBy!) : groupText);
    lines.push(cells.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

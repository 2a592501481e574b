/**
 * ART-3: CSV and TSV as rows of cells (RFC 4180: quoted fields may hold the delimiter, newlines and doubled quotes;
 * CRLF or LF line ends; a trailing newline makes no empty row). At most `maxRows` rows are parsed, so a text viewer
 * that holds the first N KB of a big file shows a table of what it has; the last line is dropped when the text was
 * cut mid-file (`truncated`), as it may be partial.
 */
export interface DelimitedTable {
  rows: string[][];
  /** More rows existed than `maxRows` (or the text was cut). */
  more: boolean;
}

export function delimiterFor(path: string): ',' | '\t' {
  return /\.tsv$/i.test(path) ? '\t' : ',';
}

export function parseDelimited(text: string, delimiter: string, maxRows = 1000, truncated = false): DelimitedTable {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  const endRow = () => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
  };
  while (i < n) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      i++;
    } else if (ch === delimiter) {
      row.push(cell);
      cell = '';
      i++;
    } else if (ch === '\n' || ch === '\r') {
      endRow();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      if (rows.length > maxRows) break;
    } else {
      cell += ch;
      i++;
    }
  }
  // A last line without its newline: a row, unless the text was cut (it may be half a row).
  if (i >= n && (cell !== '' || row.length > 0) && !truncated) endRow();
  const more = rows.length > maxRows || truncated || i < n;
  return { rows: rows.slice(0, maxRows), more };
}

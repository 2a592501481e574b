'use client';

import { useMemo } from 'react';
import { delimiterFor, parseDelimited } from './delimited';

/** Rows shown of a CSV/TSV; the rest is a download away. */
const MAX_ROWS = 500;

/** A CSV or TSV artifact as a table (ART-3): the first line is the header. */
export default function DelimitedTable({ path, text, truncated }: { path: string; text: string; truncated: boolean }) {
  const { rows, more } = useMemo(() => parseDelimited(text, delimiterFor(path), MAX_ROWS + 1, truncated), [path, text, truncated]);
  if (rows.length === 0) return <p className="text-sm text-stone-500">Empty file.</p>;
  const [header, ...body] = rows;
  const width = Math.max(...rows.map((r) => r.length));
  const cols = Array.from({ length: width }, (_, i) => header![i] ?? '');
  return (
    <div className="max-h-[32rem] overflow-auto" tabIndex={0} aria-label={`Table ${path}`} role="region">
      <table data-testid="artifact-table" className="w-full border-collapse font-mono text-xs">
        <thead className="sticky top-0 bg-stone-100">
          <tr>
            {cols.map((c, i) => (
              <th key={i} scope="col" className="border border-stone-200 px-2 py-1 text-left font-semibold">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {body.slice(0, MAX_ROWS).map((r, i) => (
            <tr key={i}>
              {cols.map((_, j) => (
                <td key={j} className="border border-stone-200 px-2 py-0.5">
                  {r[j] ?? ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {(more || body.length > MAX_ROWS) && <p className="py-1 text-xs text-stone-500">Only the first rows are shown.</p>}
    </div>
  );
}

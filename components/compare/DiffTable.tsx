'use client';

import Link from 'next/link';
import { useId, useMemo, useState } from 'react';
import type { RunRow } from '@/lib/react';
import { runLabel } from '../format';
import { runColor } from '../run-colors';
import { SECTION_TITLES, diffRows, visibleDiffRows, type DiffSection } from './compare-diff';

const SECTIONS: DiffSection[] = ['attribute', 'param', 'metric', 'tag'];

/**
 * Compare's diff table: a column per run, a row per attribute, param, metric (latest) and tag, grouped by section;
 * rows where the runs disagree are marked, and "Only differences" hides the others (CMP-2).
 */
export default function DiffTable({ runs }: { runs: readonly RunRow[] }) {
  const [only, setOnly] = useState(false);
  const toggleId = useId();
  const all = useMemo(() => diffRows(runs), [runs]);
  const rows = visibleDiffRows(all, only);
  return (
    <div className="space-y-2">
      <div className="flex items-center gap-3 text-sm">
        <input id={toggleId} type="checkbox" checked={only} onChange={(e) => setOnly(e.target.checked)} className="focus-visible:ring-2 focus-visible:ring-sky-600" />
        <label htmlFor={toggleId}>Only differences</label>
        <span className="text-xs text-stone-500 dark:text-stone-400" data-testid="diff-count">
          {all.filter((r) => r.differs).length} of {all.length} rows differ
        </span>
      </div>
      <div className="overflow-x-auto">
        <table aria-label="Run differences" className="w-full border-collapse text-sm">
          <thead>
            <tr className="border-b border-stone-300 text-left text-xs text-stone-500 dark:border-stone-600 dark:text-stone-400">
              <th scope="col" className="py-1.5 pr-4 font-medium uppercase tracking-wide">
                Key
              </th>
              {runs.map((r) => (
                <th key={r.info.runId} scope="col" className="py-1.5 pr-4 font-medium">
                  <span className="mr-1 inline-block h-2.5 w-2.5 rounded-full align-middle" style={{ backgroundColor: runColor(r.info.runId) }} aria-hidden />
                  <Link prefetch={false} href={`/run/?id=${encodeURIComponent(r.info.runId)}`} className="text-sky-800 hover:underline dark:text-sky-300">
                    {runLabel(r.info)}
                  </Link>
                </th>
              ))}
            </tr>
          </thead>
          {SECTIONS.map((section) => {
            const inSection = rows.filter((r) => r.section === section);
            if (inSection.length === 0) return null;
            return (
              <tbody key={section}>
                <tr>
                  <th scope="rowgroup" colSpan={runs.length + 1} className="bg-stone-50 py-1 text-left text-xs font-semibold text-stone-600 dark:text-stone-400 dark:bg-stone-800">
                    {SECTION_TITLES[section]}
                  </th>
                </tr>
                {inSection.map((row) => (
                  <tr key={row.key} data-testid="diff-row" data-key={`${section}:${row.key}`} data-differs={row.differs} className={`border-b border-stone-100 ${row.differs ? 'bg-amber-50' : ''}`}>
                    <th scope="row" className="py-1 pr-4 text-left font-mono text-xs font-normal">
                      {row.key}
                      {row.differs && <span className="sr-only"> (differs)</span>}
                    </th>
                    {row.values.map((v, i) => (
                      <td key={runs[i]!.info.runId} className="max-w-64 truncate py-1 pr-4 font-mono text-xs" title={v ?? undefined}>
                        {v ?? <span className="text-stone-400">—</span>}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            );
          })}
        </table>
        {rows.length === 0 && <p className="py-2 text-sm text-stone-500 dark:text-stone-400">{only ? 'These runs do not differ.' : 'Nothing to compare.'}</p>}
      </div>
    </div>
  );
}

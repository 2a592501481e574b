'use client';

import { useEffect, useState } from 'react';
import type { RunsPage } from '@/lib/react';
import RunsTableRow from './RunsTableRow';
import TableHead from './TableHead';

/**
 * Rows rendered per task: 100 rows × 25 cells in one render took 60–110 ms on a 2-core machine (a main-thread task
 * over 50 ms); in slices of this many each task stays well under, and the first rows show sooner.
 */
const ROWS_PER_SLICE = 25;

/** How many of `n` rows to render now: a slice more after each paint, until all are there. */
function useProgressiveCount(n: number): number {
  const [shown, setShown] = useState(Math.min(n, ROWS_PER_SLICE));
  useEffect(() => {
    if (shown >= n) return;
    const t = setTimeout(() => setShown((s) => Math.min(n, s + ROWS_PER_SLICE)), 0);
    return () => clearTimeout(t);
  }, [shown, n]);
  return Math.min(shown, n);
}

/** One row per run of the page, one column per metric key seen in any active run (latest value). */
export default function RunsTable({ page, onLoadMore }: { page: RunsPage; onLoadMore: () => void }) {
  const { runs: visible, metricKeys, total } = page;
  const shown = useProgressiveCount(visible.length);
  return (
    <div className="overflow-x-auto">
      <table aria-label="Runs" className="w-full border-collapse text-sm">
        <TableHead
          columns={[
            { label: 'Run Name' },
            { label: 'Status' },
            { label: 'Created' },
            { label: 'Duration' },
            ...metricKeys.map((k) => ({
              id: `metric:${k}`,
              className: 'text-right normal-case',
              label: (
                <>
                  <span className="text-stone-400">metric </span>
                  {k}
                </>
              ),
            })),
          ]}
        />
        <tbody>
          {visible.slice(0, shown).map((r) => (
            <RunsTableRow key={r.info.runId} run={r} metricKeys={metricKeys} />
          ))}
        </tbody>
      </table>
      {total > visible.length && (
        <div className="flex items-center gap-3 py-2 text-sm text-stone-600">
          <span>
            Showing {visible.length.toLocaleString('en-US')} of {total.toLocaleString('en-US')} runs
          </span>
          <button
            type="button"
            onClick={onLoadMore}
            className="rounded border border-stone-300 px-2 py-0.5 hover:bg-stone-100"
          >
            Load more
          </button>
        </div>
      )}
    </div>
  );
}

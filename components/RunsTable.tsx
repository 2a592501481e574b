'use client';

import Link from 'next/link';
import type { RunsPage } from '@/lib/react';
import { formatMetric, formatTime, runLabel } from './format';
import RunDuration from './RunDuration';
import RunStatusBadge from './RunStatusBadge';
import TableHead from './TableHead';

/** One row per run of the page, one column per metric key seen in any active run (latest value). */
export default function RunsTable({ page, onLoadMore }: { page: RunsPage; onLoadMore: () => void }) {
  const { runs: visible, metricKeys, total } = page;
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
          {visible.map((r) => (
            <tr key={r.info.runId} data-testid="run-row" data-run-id={r.info.runId} className="border-b border-stone-100 hover:bg-stone-50">
              <td className="py-1.5 pr-4">
                <Link href={`/run/?id=${encodeURIComponent(r.info.runId)}`} prefetch={false} className="text-sky-800 hover:underline">
                  {runLabel(r.info)}
                </Link>
              </td>
              <td className="py-1.5 pr-4">
                <RunStatusBadge status={r.info.status} />
              </td>
              <td className="py-1.5 pr-4 text-stone-600">{formatTime(r.info.startTime)}</td>
              <td className="py-1.5 pr-4 text-stone-600">
                <RunDuration info={r.info} />
              </td>
              {metricKeys.map((k) => (
                <td key={k} data-testid={`run-metric-${k}`} className="py-1.5 pr-4 text-right font-mono text-xs">
                  {formatMetric(r.metrics[k]?.latest)}
                </td>
              ))}
            </tr>
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

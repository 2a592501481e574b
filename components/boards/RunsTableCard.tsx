'use client';

import Link from 'next/link';
import { useRunsPage } from '@/lib/react';
import { formatMetric, runLabel } from '../format';
import LoadError from '../LoadError';
import { runColor } from '../run-colors';

/** A runs-table card: the top `limit` runs by a metric (matching a filter), with that metric's latest value. */
export default function RunsTableCard(p: { experimentId: string; metric: string; order: 'asc' | 'desc'; limit: number; filter: string }) {
  const orderBy = [`metrics.\`${p.metric}\` ${p.order === 'asc' ? 'ASC' : 'DESC'}`];
  const page = useRunsPage(p.experimentId, p.limit, { filter: p.filter, orderBy });
  if (page.error) return <LoadError error={page.error} />;
  const data = page.data;
  if (!data) return <p className="p-3 text-sm text-stone-500 dark:text-stone-400">Loading runs…</p>;
  if (data.error) {
    return (
      <p role="alert" className="p-3 text-sm text-red-700 dark:text-red-300">
        {data.error.message}
      </p>
    );
  }
  if (data.runs.length === 0) return <p className="p-3 text-sm text-stone-500 dark:text-stone-400">No runs match.</p>;
  return (
    <table aria-label={`Top runs by ${p.metric}`} className="w-full border-collapse text-sm">
      <thead>
        <tr className="border-b border-stone-300 text-left text-xs text-stone-500 dark:border-stone-600 dark:text-stone-400">
          <th scope="col" className="py-1 pr-2 font-medium">
            Run
          </th>
          <th scope="col" className="py-1 text-right font-mono font-medium">
            {p.metric}
          </th>
        </tr>
      </thead>
      <tbody>
        {data.runs.map((r) => (
          <tr key={r.info.runId} className="border-b border-stone-100 dark:border-stone-800">
            <td className="max-w-0 truncate py-1 pr-2">
              <span className="mr-1 inline-block h-2 w-2 rounded-full" style={{ backgroundColor: runColor(r.info.runId) }} aria-hidden />
              <Link prefetch={false} href={`/run/?id=${encodeURIComponent(r.info.runId)}`} className="text-sky-800 hover:underline dark:text-sky-300">
                {runLabel(r.info)}
              </Link>
            </td>
            <td className="py-1 text-right font-mono text-xs">{formatMetric(r.metrics[p.metric]?.latest)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

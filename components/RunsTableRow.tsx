'use client';

import Link from 'next/link';
import { memo } from 'react';
import type { RunRow } from '@/lib/react';
import { formatMetric, formatTime, runLabel } from './format';
import RunDuration from './RunDuration';
import RunStatusBadge from './RunStatusBadge';

interface Props {
  run: RunRow;
  metricKeys: string[];
}

/** One run of the runs table: name, status, start, duration, the latest value of each metric column. */
function RunsTableRow({ run: r, metricKeys }: Props) {
  return (
    <tr data-testid="run-row" data-run-id={r.info.runId} className="border-b border-stone-100 hover:bg-stone-50">
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
  );
}

/**
 * Every re-query brings fresh objects from the worker (a metric arriving in one run re-sends the page): a row renders
 * again only when what it shows changed, so a live table repaints the changed rows, not all of them.
 */
function sameRow(a: Props, b: Props): boolean {
  if (a.metricKeys !== b.metricKeys && a.metricKeys.join('\u0001') !== b.metricKeys.join('\u0001')) return false;
  const x = a.run;
  const y = b.run;
  if (x.info.runId !== y.info.runId || x.info.runName !== y.info.runName || x.info.status !== y.info.status) return false;
  if (x.info.startTime !== y.info.startTime || x.info.endTime !== y.info.endTime) return false;
  return a.metricKeys.every((k) => Object.is(x.metrics[k]?.latest, y.metrics[k]?.latest));
}

export default memo(RunsTableRow, sameRow);

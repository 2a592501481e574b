'use client';

import Link from 'next/link';
import type { Experiment } from '@/lib/domain';
import { experimentLabel, formatTime } from './format';
import TableHead from './TableHead';

/** The workspace's experiments; a name shared with a concurrently created experiment is flagged. */
export default function ExperimentsTable({ experiments }: { experiments: Experiment[] }) {
  return (
    <table aria-label="Experiments" className="w-full border-collapse text-sm">
      <TableHead columns={[{ label: 'Name' }, { label: 'ID' }, { label: 'Created' }]} />
      <tbody>
        {experiments.map((e) => (
          <tr key={e.experimentId} data-testid="experiment-row" className="border-b border-stone-100 hover:bg-stone-50">
            <td className="py-1.5 pr-4">
              <Link href={`/experiment/?id=${encodeURIComponent(e.experimentId)}`} prefetch={false} className="text-sky-800 hover:underline">
                {experimentLabel(e)}
              </Link>
              {e.nameConflict && (
                <span
                  data-testid="name-conflict"
                  title="Another experiment with this name was created concurrently (offline). Rename one of them."
                  className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900"
                >
                  name conflict
                </span>
              )}
              {e.lifecycleStage === 'deleted' && (
                <span className="ml-2 rounded bg-stone-200 px-1.5 py-0.5 text-xs text-stone-600">deleted</span>
              )}
            </td>
            <td className="py-1.5 pr-4 font-mono text-xs text-stone-600">{e.experimentId}</td>
            <td className="py-1.5 pr-4 text-stone-600">{formatTime(e.creationTime)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

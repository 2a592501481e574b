'use client';

import Link from 'next/link';
import type { Experiment } from '@/lib/domain';
import { useCommands } from '@/lib/react';
import { experimentLabel, formatTime } from './format';
import LifecycleButton from './run/LifecycleButton';
import TableHead from './TableHead';

const NOTE_TAG = 'mlflow.note.content';
/** A description is shown up to this long in the list; the experiment page has it whole. */
const DESCRIPTION_CHARS = 120;

/** The workspace's experiments; a name shared with a concurrently created experiment is flagged. */
export default function ExperimentsTable({ experiments, deletedView = false }: { experiments: Experiment[]; deletedView?: boolean }) {
  const commands = useCommands();
  return (
    <table aria-label="Experiments" className="w-full border-collapse text-sm">
      <TableHead
        columns={[
          { label: 'Name' },
          { label: 'Description' },
          { label: 'ID' },
          { label: 'Created' },
          ...(deletedView ? [{ id: 'actions', label: <span className="sr-only">Actions</span> }] : []),
        ]}
      />
      <tbody>
        {experiments.map((e) => {
          const note = Object.hasOwn(e.tags, NOTE_TAG) ? e.tags[NOTE_TAG]! : '';
          return (
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
                {e.lifecycleStage === 'deleted' && <span className="ml-2 rounded bg-stone-200 px-1.5 py-0.5 text-xs text-stone-600">deleted</span>}
              </td>
              <td className="max-w-xs truncate py-1.5 pr-4 text-xs text-stone-600" title={note || undefined}>
                {note.length > DESCRIPTION_CHARS ? `${note.slice(0, DESCRIPTION_CHARS)}…` : note}
              </td>
              <td className="py-1.5 pr-4 font-mono text-xs text-stone-600">{e.experimentId}</td>
              <td className="py-1.5 pr-4 text-stone-600">{formatTime(e.creationTime)}</td>
              {deletedView && (
                <td className="py-1.5 text-right">
                  <LifecycleButton
                    what="experiment"
                    deleted={e.lifecycleStage === 'deleted'}
                    onDelete={() => commands.deleteExperiment(e.experimentId)}
                    onRestore={() => commands.restoreExperiment(e.experimentId)}
                  />
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

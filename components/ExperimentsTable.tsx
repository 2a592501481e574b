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

/** Tags shown per row in the list (the experiment page lists and edits them all). */
const TAGS_SHOWN = 3;

/**
 * The workspace's experiments with their description and tags; Delete (active view) or Restore (deleted view) per
 * row; a name shared with a concurrently created experiment is flagged.
 */
export default function ExperimentsTable({ experiments }: { experiments: Experiment[] }) {
  const commands = useCommands();
  return (
    <table aria-label="Experiments" className="w-full border-collapse text-sm">
      <TableHead
        columns={[
          { label: 'Name' },
          { label: 'Description' },
          { label: 'Tags' },
          { label: 'ID' },
          { label: 'Created' },
          { id: 'actions', label: <span className="sr-only">Actions</span> },
        ]}
      />
      <tbody>
        {experiments.map((e) => {
          const note = Object.hasOwn(e.tags, NOTE_TAG) ? e.tags[NOTE_TAG]! : '';
          const tags = Object.entries(e.tags).filter(([k]) => !k.startsWith('mlflow.'));
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
              <td className="py-1.5 pr-4 text-xs">
                {tags.slice(0, TAGS_SHOWN).map(([k, v]) => (
                  <span key={k} className="mr-1 inline-block rounded bg-stone-100 px-1.5 py-0.5 font-mono text-stone-700" title={`${k} = ${v}`}>
                    {k}={v.length > 24 ? `${v.slice(0, 24)}…` : v}
                  </span>
                ))}
                {tags.length > TAGS_SHOWN && <span className="text-stone-500">+{tags.length - TAGS_SHOWN}</span>}
              </td>
              <td className="py-1.5 pr-4 font-mono text-xs text-stone-600">{e.experimentId}</td>
              <td className="py-1.5 pr-4 text-stone-600">{formatTime(e.creationTime)}</td>
              <td className="py-1.5 text-right">
                {e.experimentId !== '0' && (
                  <LifecycleButton
                    what="experiment"
                    deleted={e.lifecycleStage === 'deleted'}
                    onDelete={() => commands.deleteExperiment(e.experimentId)}
                    onRestore={() => commands.restoreExperiment(e.experimentId)}
                  />
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

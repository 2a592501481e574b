'use client';

import Link from 'next/link';
import { useCommands, type Experiment } from '@/lib/react';
import { experimentLabel, formatTime } from './format';
import DescriptionField from './run/DescriptionField';
import LifecycleButton from './run/LifecycleButton';
import RenameButton from './run/RenameButton';
import TagsEditor from './run/TagsEditor';

/** MLflow keeps an experiment's description as this tag. */
const NOTE_TAG = 'mlflow.note.content';
const HIDDEN = [NOTE_TAG] as const;

/**
 * The experiment page's header: breadcrumb, name, id and creation time; rename, delete/restore, description and tags
 * (RUNPAGE-6); lifecycle and name-conflict notices.
 */
export default function ExperimentHeader({ experiment: exp }: { experiment: Experiment }) {
  const commands = useCommands();
  const deleted = exp.lifecycleStage === 'deleted';
  const id = exp.experimentId;
  const description = Object.hasOwn(exp.tags, NOTE_TAG) ? exp.tags[NOTE_TAG]! : '';
  return (
    <>
      <nav aria-label="Breadcrumb" className="text-xs text-stone-500">
        <Link prefetch={false} href="/" className="hover:underline">
          Experiments
        </Link>{' '}
        /
      </nav>
      <div className="flex flex-wrap items-start gap-3">
        <div>
          <h1 id="experiment-heading" className="text-xl font-semibold">
            {experimentLabel(exp)}
          </h1>
          <p className="text-xs text-stone-500">
            Experiment ID <span className="font-mono">{id}</span> · created {formatTime(exp.creationTime)}
          </p>
        </div>
        <span className="ml-auto flex items-center gap-2">
          {!deleted && <RenameButton what="experiment" current={exp.name} onRename={(name) => commands.renameExperiment(id, name)} />}
          {id !== '0' && <LifecycleButton what="experiment" deleted={deleted} onDelete={() => commands.deleteExperiment(id)} onRestore={() => commands.restoreExperiment(id)} />}
        </span>
      </div>
      {deleted && (
        <p data-testid="experiment-deleted" role="note" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          This experiment is deleted. Its runs are kept until it is permanently removed; restore it to log to it again.
        </p>
      )}
      {exp.nameConflict && (
        <p role="note" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Another experiment named “{exp.name}” was created concurrently. Rename one of them.
        </p>
      )}
      <DescriptionField value={description} readOnly={deleted} onSave={(v) => (v ? commands.setExperimentTag(id, NOTE_TAG, v) : description ? commands.deleteExperimentTag(id, NOTE_TAG) : Promise.resolve())} />
      <details className="text-sm">
        <summary className="cursor-pointer text-stone-700">Experiment tags ({Object.keys(exp.tags).filter((k) => k !== NOTE_TAG).length})</summary>
        <div className="mt-2">
          <TagsEditor
            label="Experiment tags"
            testId="experiment-tags"
            entries={exp.tags}
            hidden={HIDDEN}
            mutedPrefix="mlflow."
            readOnly={deleted}
            onSet={(k, v) => commands.setExperimentTag(id, k, v)}
            onDelete={(k) => commands.deleteExperimentTag(id, k)}
          />
        </div>
      </details>
    </>
  );
}

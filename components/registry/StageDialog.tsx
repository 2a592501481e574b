'use client';

import { useId, useState } from 'react';
import type { Stage } from '@/lib/react';
import { errorMessage } from '../format';

/** MLflow's stages in its order (lib/registry STAGES; typed against it so a change there fails here). */
const STAGE_CHOICES = ['None', 'Staging', 'Production', 'Archived'] as const satisfies readonly Stage[];
/** MLflow's "active" stages: the only ones archive-existing applies to (REG-S2). */
const ACTIVE: readonly Stage[] = ['Staging', 'Production'];

/**
 * REGUI-4: "Transition stage": choose a stage and, for Staging and Production, MLflow's checkbox "Transition existing
 * <stage> model versions to Archived". The command's refusal shows in the dialog; the badge changes when the worker's
 * data does (not optimistically).
 */
export default function StageDialog({ current, disabled, onTransition }: { current: Stage; disabled?: boolean; onTransition: (stage: Stage, archiveExisting: boolean) => Promise<unknown> }) {
  const selectId = useId();
  const [open, setOpen] = useState(false);
  const [stage, setStage] = useState<Stage>(current === 'Production' ? 'Archived' : 'Production');
  const [archive, setArchive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <button
        type="button"
        disabled={disabled}
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
        className="rounded border border-stone-300 px-2 py-0.5 text-xs text-stone-700 hover:bg-stone-100 disabled:opacity-50"
      >
        Transition stage
      </button>
    );
  }
  const canArchive = ACTIVE.includes(stage);
  return (
    <form
      role="dialog"
      aria-label="Stage transition"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await onTransition(stage, canArchive && archive);
          setOpen(false);
        } catch (err) {
          setError(errorMessage(err));
        } finally {
          setBusy(false);
        }
      }}
      className="space-y-2 rounded border border-stone-300 bg-white p-3 text-sm shadow-sm"
    >
      <p className="font-medium text-stone-800">Stage transition</p>
      <div className="flex items-center gap-2">
        <label htmlFor={selectId} className="text-xs text-stone-600">
          Transition to
        </label>
        <select
          id={selectId}
          value={stage}
          onChange={(e) => setStage(e.target.value as Stage)}
          className="rounded border border-stone-300 px-1 py-0.5 text-sm focus:border-sky-600 focus:outline-none"
        >
          {STAGE_CHOICES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <span className="text-xs text-stone-500">from {current}</span>
      </div>
      {canArchive && (
        <label className="flex items-center gap-2 text-xs text-stone-700">
          <input type="checkbox" checked={archive} onChange={(e) => setArchive(e.target.checked)} />
          Transition existing {stage} model versions to Archived
        </label>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={busy} className="rounded bg-sky-700 px-3 py-0.5 text-xs font-medium text-white hover:bg-sky-800 disabled:opacity-50">
          OK
        </button>
        <button type="button" onClick={() => setOpen(false)} className="rounded px-2 py-0.5 text-xs text-stone-600 hover:bg-stone-100">
          Cancel
        </button>
      </div>
      {error && (
        <p role="alert" data-testid="stage-error" className="text-xs text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}

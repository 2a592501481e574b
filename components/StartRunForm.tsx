'use client';

import { useCommands } from '@/lib/react';
import OneFieldForm from './OneFieldForm';

/**
 * "New run": a run recorded by hand in this experiment (a manual trial, notes), written on this device first, so it
 * works offline and reaches collaborators when the relay is back. An empty name gets a generated one, as in MLflow.
 */
export default function StartRunForm({ experimentId }: { experimentId: string }) {
  const commands = useCommands();
  return (
    <OneFieldForm
      name="New run"
      label="Run name"
      placeholder="Run name (optional)"
      button="New run"
      errorTestId="start-run-error"
      inputClassName="w-60"
      buttonClassName="border border-stone-300 text-stone-800 hover:bg-stone-100"
      submit={(name) => commands.startRun(experimentId, name.trim() || undefined)}
    />
  );
}

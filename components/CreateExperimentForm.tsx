'use client';

import { useCommands } from '@/lib/react';
import OneFieldForm from './OneFieldForm';

/** "Create experiment": validation happens in the command; its error message is shown as it is. */
export default function CreateExperimentForm({ onCreated }: { onCreated?: (id: string) => void }) {
  const commands = useCommands();
  return (
    <OneFieldForm
      name="Create experiment"
      label="Experiment name"
      placeholder="Experiment name"
      button="Create"
      errorTestId="create-experiment-error"
      inputClassName="w-72"
      buttonClassName="bg-sky-700 text-white hover:bg-sky-800"
      submit={async (name) => {
        // Not `onCreated?.(await …)`: optional chaining would skip the command itself when no callback is given.
        const id = await commands.createExperiment(name);
        onCreated?.(id);
      }}
    />
  );
}

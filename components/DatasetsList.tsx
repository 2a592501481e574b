'use client';

import type { Run } from '@/lib/react';

/** A run's dataset inputs (MLflow's log_inputs): name, digest, context and source type, one row each. */
export default function DatasetsList({ inputs }: { inputs: Run['inputs'] }) {
  if (inputs.length === 0) return <p className="text-sm text-stone-500">No datasets logged.</p>;
  return (
    <table data-testid="datasets" className="w-full text-left text-sm">
      <thead className="text-xs uppercase text-stone-500">
        <tr>
          <th className="py-1 pr-4 font-medium">Name</th>
          <th className="py-1 pr-4 font-medium">Digest</th>
          <th className="py-1 pr-4 font-medium">Context</th>
          <th className="py-1 pr-4 font-medium">Source</th>
        </tr>
      </thead>
      <tbody>
        {inputs.map(({ dataset, tags }) => (
          <tr key={`${dataset.name}\u0001${dataset.digest}`} data-testid="dataset-row" className="border-t border-stone-100">
            <td className="py-1 pr-4">{dataset.name}</td>
            <td className="py-1 pr-4 font-mono text-xs">{dataset.digest}</td>
            <td className="py-1 pr-4">{tags['mlflow.data.context'] ?? ''}</td>
            <td className="py-1 pr-4 text-stone-600">{dataset.sourceType}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

'use client';

import Link from 'next/link';
import { useId, useState, type FormEvent } from 'react';
import { IRIS_EXAMPLE_EXPERIMENT, MAX_EPOCHS, useIrisExample, type IrisExampleState, type IrisModelKind } from '@/lib/react';
import LoadError from './LoadError';
import { versionHref, versionLabel } from './registry/links';

const MODEL_LABELS: Record<IrisModelKind, string> = {
  logistic_regression: 'Logistic regression',
  mlp: 'Small MLP (16 hidden units)',
};
const DEFAULT_EPOCHS = 100;

const runHref = (runId: string) => `/run/?id=${encodeURIComponent(runId)}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function Status({ state }: { state: IrisExampleState }) {
  if (state.phase === 'idle') return null;
  const link = (label: string, runId: string | null) =>
    runId && (
      <Link prefetch={false} href={runHref(runId)} className="font-medium text-sky-800 hover:underline dark:text-sky-300">
        {label}
      </Link>
    );
  if (state.phase === 'running') {
    return (
      <p data-testid="iris-status" aria-live="polite" className="text-sm text-stone-700">
        {state.step}…{state.epoch > 0 && ` epoch ${state.epoch}/${state.epochs}`}
        {state.last && ` · val_accuracy ${pct(state.last.val_accuracy)}`} {link('Watch the run', state.runId)}
      </p>
    );
  }
  if (state.phase === 'failed') {
    return (
      <div data-testid="iris-status" className="space-y-1">
        <LoadError error={state.error} />
        {link('Open the failed run', state.runId)}
      </div>
    );
  }
  return (
    <p data-testid="iris-status" aria-live="polite" className="text-sm text-stone-700">
      Finished: test accuracy {pct(state.testAccuracy)} · training computed in {state.trainMs.toFixed(0)} ms · model.onnx {state.onnxBytes} bytes, logged
      under <code>model/</code> and registered as{' '}
      <Link prefetch={false} data-testid="iris-version-link" href={versionHref(state.version)} className="font-medium text-sky-800 hover:underline dark:text-sky-300">
        {state.version.name} {versionLabel(state.version)}
      </Link>
      . {link('Open the run', state.runId)}
    </p>
  );
}

/**
 * "Train the built-in Iris example" (lib/examples/SPEC.md IRIS-10): a model choice, epochs and a button; the training
 * runs in a worker and is logged as a run of the `iris-example` experiment, with its ONNX model.
 */
export default function IrisExamplePanel() {
  const { state, start } = useIrisExample();
  const [model, setModel] = useState<IrisModelKind>('logistic_regression');
  const [epochs, setEpochs] = useState(String(DEFAULT_EPOCHS));
  const ids = { model: useId(), epochs: useId() };
  const busy = state.phase === 'running';
  const n = Number(epochs);
  const valid = Number.isInteger(n) && n >= 1 && n <= MAX_EPOCHS;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (valid && !busy) void start({ model, epochs: n });
  }

  return (
    <section aria-label="Built-in example" className="space-y-2 rounded border border-stone-200 px-3 py-2 dark:border-stone-700">
      <h2 className="text-sm font-semibold text-stone-700">Train the built-in Iris example</h2>
      <p className="text-xs text-stone-500">
        Trains a classifier of Fisher&apos;s Iris flowers in this tab (a worker, no Python), logs its params and per-epoch metrics to the
        experiment <code>{IRIS_EXAMPLE_EXPERIMENT}</code>, and logs the model as ONNX. Epochs are paced to about 3 s in all so the
        run&apos;s charts can be watched as they grow.
      </p>
      <form onSubmit={submit} aria-label="Train the Iris example" className="flex flex-wrap items-end gap-3 text-sm">
        <label htmlFor={ids.model} className="flex flex-col text-xs text-stone-600">
          Model
          <select
            id={ids.model}
            value={model}
            onChange={(e) => setModel(e.target.value as IrisModelKind)}
            className="rounded border border-stone-300 px-2 py-1 text-sm text-stone-900"
          >
            {Object.entries(MODEL_LABELS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label htmlFor={ids.epochs} className="flex flex-col text-xs text-stone-600">
          Epochs
          <input
            id={ids.epochs}
            type="number"
            min={1}
            max={MAX_EPOCHS}
            value={epochs}
            onChange={(e) => setEpochs(e.target.value)}
            aria-invalid={valid ? undefined : true}
            className="w-24 rounded border border-stone-300 px-2 py-1 text-sm text-stone-900"
          />
        </label>
        <button type="submit" disabled={busy || !valid} className="rounded bg-sky-700 px-3 py-1 font-medium text-white hover:bg-sky-800 disabled:opacity-50">
          {busy ? 'Training…' : 'Train'}
        </button>
      </form>
      <Status state={state} />
    </section>
  );
}

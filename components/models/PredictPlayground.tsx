'use client';

import { useEffect, useId, useState, type FormEvent } from 'react';
// The model client module itself, not lib/react's index: nothing else (the data worker's provider) comes with it.
import { useModelClient, type LoadedModelInfo, type ModelClient, type OnnxValueInfo } from '@/lib/react/model-client';
import { errorMessage } from '../format';

interface Props {
  /** The model directory (relative path → bytes): the page fetched it (artifacts by sha256, or a model version). */
  files: ReadonlyMap<string, Uint8Array>;
  /** A model client of the caller's (tests, a page with its own worker); the app's shared one by default. */
  client?: ModelClient | null;
}

type Load = { state: 'loading' } | { state: 'ready'; info: LoadedModelInfo } | { state: 'failed'; message: string };
interface Result {
  text: string;
  ms: number;
}

const shape = (v: OnnxValueInfo) => (v.shape ? `[${v.shape.join(', ')}]` : '?');

/**
 * Try a model in the browser (PLAY-1..3): the model is loaded in the model worker (onnxruntime-web, wasm), its ONNX
 * inputs and outputs are listed, and a JSON body in any of MLflow's `/invocations` shapes (prefilled with the model's
 * serving input example) is predicted; the answer is what MLflow's scoring server would send (`{"predictions": …}`),
 * a refusal names the column or input as the model's signature does.
 */
export default function PredictPlayground({ files, client: given }: Props) {
  const shared = useModelClient();
  const client = given === undefined ? shared : given;
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [body, setBody] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const bodyId = useId();

  useEffect(() => {
    if (!client) return;
    let id: number | null = null;
    let live = true;
    setLoad({ state: 'loading' });
    setResult(null);
    setError(null);
    // Copies: the worker takes the bytes by transfer, and the caller keeps its own.
    const copy = new Map([...files].map(([k, v]) => [k, new Uint8Array(v)]));
    client.load(copy).then(
      (info) => {
        id = info.id;
        if (!live) return void client.unload(info.id).catch(() => {});
        setLoad({ state: 'ready', info });
        setBody(JSON.stringify(info.servingInputExample ?? { inputs: [] }, null, 2));
      },
      (e: unknown) => live && setLoad({ state: 'failed', message: errorMessage(e) }),
    );
    return () => {
      live = false;
      if (id !== null) void client.unload(id).catch(() => {});
    };
  }, [client, files]);

  async function predict(e: FormEvent) {
    e.preventDefault();
    if (!client || load.state !== 'ready') return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      let input: unknown;
      try {
        input = JSON.parse(body);
      } catch (err) {
        throw new Error(`The body is not JSON: ${errorMessage(err)}`);
      }
      const r = await client.predict(load.info.id, input);
      setResult({ text: JSON.stringify(r.json, null, 2), ms: r.ms });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (load.state === 'loading') return <p className="text-sm text-stone-500" data-testid="playground-loading">Loading the model…</p>;
  if (load.state === 'failed') {
    return (
      <p role="alert" className="text-sm text-red-700" data-testid="playground-load-error">
        {load.message}
      </p>
    );
  }
  const { info } = load;
  return (
    <section aria-label="Predict" className="space-y-3" data-testid="predict-playground">
      <p className="text-xs text-stone-500">
        Runs in this browser on {info.backend}
      </p>
      <table className="text-xs" aria-label="Model inputs and outputs">
        <thead>
          <tr className="text-left text-stone-500">
            <th className="pr-4 font-normal">Tensor</th>
            <th className="pr-4 font-normal">Name</th>
            <th className="pr-4 font-normal">Type</th>
            <th className="font-normal">Shape</th>
          </tr>
        </thead>
        <tbody>
          {[...info.inputs.map((v) => ['input', v] as const), ...info.outputs.map((v) => ['output', v] as const)].map(([kind, v]) => (
            <tr key={`${kind}:${v.name}`} data-testid={`playground-${kind}`}>
              <td className="pr-4">{kind}</td>
              <td className="pr-4 font-mono">{v.name}</td>
              <td className="pr-4 font-mono">{v.type ?? 'non-tensor'}</td>
              <td className="font-mono">{shape(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={predict} className="space-y-2" aria-label="Predict request">
        <label htmlFor={bodyId} className="block text-xs text-stone-600">
          Request body (dataframe_split, dataframe_records, inputs or instances)
        </label>
        <textarea
          id={bodyId}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          spellCheck={false}
          rows={8}
          className="w-full rounded border border-stone-300 p-2 font-mono text-xs"
          data-testid="playground-body"
        />
        <button type="submit" disabled={busy} className="rounded bg-stone-800 px-3 py-1 text-sm text-white disabled:opacity-50" data-testid="playground-predict">
          {busy ? 'Predicting…' : 'Predict'}
        </button>
      </form>
      {error && (
        <p role="alert" className="text-sm text-red-700" data-testid="playground-error">
          {error}
        </p>
      )}
      {result && (
        <div className="space-y-1">
          <p className="text-xs text-stone-500" data-testid="playground-ms">
            {result.ms.toFixed(1)} ms in the worker
          </p>
          <pre className="max-h-96 overflow-auto rounded bg-stone-50 p-2 font-mono text-xs" data-testid="playground-result">
            {result.text}
          </pre>
        </div>
      )}
    </section>
  );
}

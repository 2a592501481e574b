'use client';

import { useState } from 'react';

/** The tracking URI a Python `mlflow` client uses for this workspace (REST door: `/w/<workspace>` unless Default). */
export function trackingUriOf(relayUrl: string | null, workspace: string, defaultWorkspace = 'default'): string {
  const base = (relayUrl ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');
  return workspace === defaultWorkspace ? base : `${base}/w/${encodeURIComponent(workspace)}`;
}

/** The two snippets of a model page: load the model by URI and predict, in Python (mlflow) and TypeScript (cairn/sdk). */
export function usageSnippets(modelUri: string, relayUrl: string | null, workspace: string, example: string | null): { python: string; typescript: string } {
  const uri = JSON.stringify(modelUri);
  const python = [
    'import mlflow',
    '',
    `mlflow.set_tracking_uri(${JSON.stringify(trackingUriOf(relayUrl, workspace))})`,
    `model = mlflow.pyfunc.load_model(${uri})`,
    '# The input example logged with the model; any DataFrame or array of the signature works.',
    'print(model.predict(model.input_example))',
  ].join('\n');
  const typescript = [
    "import { connect } from 'cairn/sdk';",
    '',
    `const cairn = await connect({ relay: ${JSON.stringify(relayUrl ?? 'http://127.0.0.1:5000')}, workspace: ${JSON.stringify(workspace)} });`,
    `const model = await cairn.loadModel(${uri});`,
    '// Any /invocations body: dataframe_split, dataframe_records, instances or inputs.',
    `console.log(await model.predict(${example ?? '{ dataframe_records: [/* rows of the signature */] }'}));`,
  ].join('\n');
  return { python, typescript };
}

/** "Use this model": the Python and TypeScript code to load it by URI, with a copy button each. */
export default function UsageSnippet({ modelUri, relayUrl, workspace, example }: { modelUri: string; relayUrl: string | null; workspace: string; example: string | null }) {
  const [lang, setLang] = useState<'python' | 'typescript'>('python');
  const [copied, setCopied] = useState(false);
  const code = usageSnippets(modelUri, relayUrl, workspace, example)[lang];
  return (
    <div data-testid="usage-snippet" className="rounded border border-stone-200 dark:border-stone-700">
      <div role="tablist" aria-label="Language" className="flex gap-1 border-b border-stone-200 px-2 pt-2 text-sm dark:border-stone-700">
        {(['python', 'typescript'] as const).map((l) => (
          <button
            key={l}
            role="tab"
            aria-selected={lang === l}
            onClick={() => setLang(l)}
            className={`rounded-t px-3 py-1 ${lang === l ? 'bg-stone-100 font-medium dark:bg-stone-800' : 'text-stone-500'}`}
          >
            {l === 'python' ? 'Python' : 'TypeScript'}
          </button>
        ))}
        <button
          className="ml-auto px-2 py-1 text-xs text-stone-500 hover:text-stone-800 dark:hover:text-stone-200"
          onClick={() => {
            void navigator.clipboard?.writeText(code).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre className="overflow-x-auto p-3 font-mono text-xs leading-5">{code}</pre>
    </div>
  );
}

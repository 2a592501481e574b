'use client';

import { useModelVersionDirectory, useSettings } from '@/lib/react';
import { usePlaygroundVersion } from '../registry/playground-context';
import LoadError from '../LoadError';
import PredictPlayground from './PredictPlayground';
import UsageSnippet from './UsageSnippet';

/**
 * The version page's "Prediction playground" (PLAY-4): the version's model folder fetched from its source run, run in
 * the model worker (PredictPlayground), and "Use this model" code for its `models:/` URI (MODELUI-1).
 */
export default function VersionPlayground() {
  const v = usePlaygroundVersion();
  const runId = v?.files?.runId ?? null;
  const ref = v ? (v.version !== null ? v.version : { versionId: v.versionId }) : null;
  const dir = useModelVersionDirectory(v?.name, ref, runId);
  const settings = useSettings().data;
  if (!v) return null;
  return (
    <div className="space-y-4">
      {dir.error ? (
        <LoadError error={dir.error} />
      ) : !dir.data ? (
        <p className="text-sm text-stone-500">Fetching the model’s files…</p>
      ) : (
        <PredictPlayground files={dir.data} />
      )}
      <div>
        <h3 className="mb-2 text-sm font-medium">Use this model</h3>
        <UsageSnippet modelUri={v.modelUri} relayUrl={settings?.relayUrl ?? null} workspace={settings?.workspace ?? 'default'} example={null} />
      </div>
    </div>
  );
}

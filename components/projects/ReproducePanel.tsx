'use client';

import { useSettings } from '@/lib/react';
import { fromRunCommand, reproduceCommand, type ProjectRunInfo } from '@/lib/react/projects';
import CopyBlock from './CopyBlock';
import { trackingEnv } from './project-view';

/**
 * PROJUI-3: how to run this project run again: the whole `cairn run` line (same URI, entry point, version, params and
 * experiment: lib/projects `reproduceCommand`, the line the CLI itself would print) and the short
 * `cairn run --from-run <id>`, which reads all of that from the run; each copyable; and the environment that sends the
 * new run to this relay.
 */
export default function ReproducePanel({ runId, info }: { runId: string; info: ProjectRunInfo }) {
  const settings = useSettings().data;
  const env = settings ? trackingEnv(settings.relayUrl, settings.workspace) : undefined;
  return (
    <section aria-label="Reproduce" data-testid="reproduce-panel" className="space-y-2">
      <h3 className="text-sm font-semibold text-stone-700">Reproduce</h3>
      <CopyBlock label="Reproduce command" text={reproduceCommand(info)} testId="reproduce-command" />
      <CopyBlock label="From-run command" text={fromRunCommand(runId)} testId="from-run-command" />
      <p data-testid="reproduce-env" className="text-xs text-stone-600">
        {env === undefined ? (
          'Loading…'
        ) : env === null ? (
          'This app has no relay: set MLFLOW_TRACKING_URI (or CAIRN_RELAY) to the relay that should receive the new run.'
        ) : (
          <>
            Run it where <code className="font-mono text-stone-800">{env.mlflow}</code> (or{' '}
            <code className="font-mono text-stone-800">{env.cairn}</code>) is set, so the new run lands in this workspace
            {settings?.token ? ', with MLFLOW_TRACKING_TOKEN (or CAIRN_TOKEN) set to your token' : ''}.
          </>
        )}
      </p>
    </section>
  );
}

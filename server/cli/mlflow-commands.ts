import type { Command } from 'commander';
import { connect, type CairnClient } from '../../lib/sdk/index';
import { resolveOptions } from '../../lib/sdk/env';
import { exportMlflow } from '../mlflow-io/exporter';
import { FileStoreSource } from '../mlflow-io/file-store-source';
import { importMlflow } from '../mlflow-io/importer';
import { ProgressLine } from '../mlflow-io/progress';
import { RestSource } from '../mlflow-io/rest-source';
import type { Source } from '../mlflow-io/source';
import { formatBytes, formatImportSummary, formatSkips } from '../mlflow-io/summary';

interface TargetFlags {
  relay?: string;
  workspace?: string;
  token?: string;
  sdkData?: string;
}

function targetOptions(cmd: Command): Command {
  return cmd
    .option('--relay <url>', 'the Cairn relay (env CAIRN_RELAY, then MLFLOW_TRACKING_URI)')
    .option('--workspace <id>', 'workspace (env CAIRN_WORKSPACE, default "default")')
    .option('--token <token>', 'a workspace token (env CAIRN_TOKEN, then MLFLOW_TRACKING_TOKEN)')
    .option('--sdk-data <dir>', 'the SDK journal folder: an interrupted import resumes from it (env CAIRN_SDK_DATA_DIR, default ./.cairn-sdk)');
}

/** Connects to the relay (flags, then the SDK's environment, SDK-7); refuses to go on offline. */
async function connectTarget(flags: TargetFlags, notSameAs?: string): Promise<CairnClient> {
  const resolved = resolveOptions({ ...(flags.relay ? { relay: flags.relay } : {}), ...(flags.workspace ? { workspace: flags.workspace } : {}) });
  if (!resolved.relay) throw new Error('no relay to write to: pass --relay <url> or set CAIRN_RELAY');
  if (notSameAs && new URL(resolved.relay.http).host === new URL(notSameAs).host)
    throw new Error(`the target relay ${resolved.relay.http} is the source itself (MLFLOW_TRACKING_URI?): pass --relay`);
  const client = await connect({
    relay: resolved.relay.http,
    workspace: resolved.workspace,
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.sdkData ? { dataDir: flags.sdkData } : {}),
  });
  if (client.status !== 'synced') {
    await client.close({ timeoutMs: 0 });
    throw new Error(`cannot reach the relay at ${resolved.relay.http} (${client.status})`);
  }
  return client;
}

/** `cairn import mlflow <mlruns-dir | http(s)://server>` and `cairn export mlflow <dir>` (server/mlflow-io). */
export function registerMlflowCommands(program: Command): void {
  const imp = program.command('import').description('Copy runs from another tracking store into a Cairn relay.');
  targetOptions(
    imp
      .command('mlflow')
      .description('Import an MLflow file store (mlruns/) or a running MLflow server; importing again writes only what is missing.')
      .argument('<source>', 'an MLflow file store folder, or an MLflow tracking server URL (http(s)://host:port)')
      .option('--source-token <token>', 'bearer token for the MLflow server (MLflow’s MLFLOW_TRACKING_TOKEN)'),
  ).action(async (from: string, flags: TargetFlags & { sourceToken?: string }) => {
    const remote = /^https?:\/\//.test(from);
    const source: Source = remote ? new RestSource(from, flags.sourceToken) : FileStoreSource.open(from);
    const client = await connectTarget(flags, remote ? from : undefined);
    const line = new ProgressLine('import');
    let last = { runsDone: 0, runsTotal: 0, points: 0, bytes: 0 };
    try {
      const summary = await importMlflow(client, source, { onProgress: (p) => line.update((last = p)) });
      line.done(last);
      process.stdout.write(formatImportSummary(summary));
    } finally {
      await client.close();
    }
  });

  const exp = program.command('export').description('Write a Cairn workspace in another tool’s format.');
  targetOptions(
    exp
      .command('mlflow')
      .description('Export a workspace as an MLflow file store that MLflow reads (mlflow ui --backend-store-uri <dir>).')
      .argument('<dir>', 'a new or empty folder')
      .option('--experiment <name-or-id...>', 'only these experiments'),
  ).action(async (dir: string, flags: TargetFlags & { experiment?: string[] }) => {
    const client = await connectTarget(flags);
    const line = new ProgressLine('export');
    let last = { runsDone: 0, runsTotal: 0, points: 0, bytes: 0 };
    try {
      const s = await exportMlflow(client, dir, { experiments: flags.experiment ?? [], onProgress: (p) => line.update((last = p)) });
      line.done(last);
      process.stdout.write(
        [
          `exported     ${s.experiments} experiments, ${s.runs} runs, ${s.params} params, ${s.tags} tags, ${s.points} metric points, ${s.artifacts} artifacts (${formatBytes(s.bytes)}) to ${dir}`,
          ...formatSkips(s.skipped),
        ].join('\n') + '\n',
      );
    } finally {
      await client.close();
    }
  });
}

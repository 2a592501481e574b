import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnError, invalid } from '../../lib/domain';
import { parseParamArgs } from '../../lib/projects';
import { connect, type CairnClient } from '../../lib/sdk';
import { changedCodeWarning, requestFromRun } from '../projects/from-run';
import { prepareProject, type RunRequest } from '../projects/prepare';
import { executeProject } from '../projects/runner';
import { resolveTracking, type TrackingTarget } from '../projects/tracking';

interface RunFlags {
  entryPoint: string;
  param?: string[];
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  version?: string;
  envManager?: string;
  relay?: string;
  workspace?: string;
  token?: string;
  fromRun?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

async function connectRunner(t: TrackingTarget, dataDir: string): Promise<CairnClient> {
  const client = await connect({ relay: t.relay, workspace: t.workspace, ...(t.token ? { token: t.token } : {}), dataDir });
  if (client.status !== 'synced') {
    await client.close({ timeoutMs: 0 });
    throw new Error(`cannot reach the relay at ${t.relay} (${client.status})`);
  }
  return client;
}

/** The runner's SIGINT/SIGTERM/SIGHUP, while a run is open: forwarded to the child instead of ending this process. */
function onStopSignal(listener: (signal: NodeJS.Signals) => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handlers = signals.map((s) => [s, () => listener(s === 'SIGHUP' ? 'SIGTERM' : s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return () => {
    for (const [s, h] of handlers) process.off(s, h);
  };
}

async function runCommand(uri: string | undefined, flags: RunFlags): Promise<number> {
  if (!uri && !flags.fromRun) throw invalid('Give a project URI (a folder, file://, a .zip, or a git URL) or --from-run <run-id>');
  if (uri && flags.fromRun) throw invalid('Give a project URI or --from-run <run-id>, not both');
  if (flags.experimentId && flags.experimentName) throw invalid('Give --experiment-name or --experiment-id, not both');
  const params = parseParamArgs(flags.param ?? []);
  const target = resolveTracking(flags);
  const workDir = mkdtempSync(join(tmpdir(), 'cairn-run-'));
  let client: CairnClient | null = null;
  let keepWorkDir = false;
  try {
    const overrides: Partial<RunRequest> = {
      params,
      ...(flags.experimentName ? { experimentName: flags.experimentName } : {}),
      ...(flags.experimentId ? { experimentId: flags.experimentId } : {}),
      ...(flags.runName ? { runName: flags.runName } : {}),
      ...(flags.envManager ? { envManager: flags.envManager } : {}),
    };
    let request: RunRequest;
    let originalHash: string | undefined;
    if (flags.fromRun) {
      client = await connectRunner(target, join(workDir, 'runner-sdk'));
      const from = await requestFromRun(client, flags.fromRun, overrides);
      request = flags.version ? { ...from.request, version: flags.version } : from.request;
      originalHash = from.contentHash;
    } else {
      request = { uri: uri!, entryPoint: flags.entryPoint, ...overrides, params, ...(flags.version ? { version: flags.version } : {}) };
    }
    // Everything that can be refused is refused here, before a run exists (RUN-7).
    const prepared = await prepareProject(request, { storageDir: join(workDir, 'storage') });
    const warning = flags.fromRun ? changedCodeWarning(prepared, originalHash) : null;
    if (warning) process.stderr.write(`cairn run: warning: ${warning}\n`);
    client ??= await connectRunner(target, join(workDir, 'runner-sdk'));
    keepWorkDir = true;
    const result = await executeProject(prepared, client, target, { stdout: process.stdout, stderr: process.stderr, workDir, onStopSignal });
    keepWorkDir = false;
    return result.exitCode;
  } catch (e) {
    // A refused token: what the journal holds can never be sent with it, so it is not kept.
    if (e instanceof CairnError && (e.code === 'PERMISSION_DENIED' || e.code === 'UNAUTHENTICATED')) {
      keepWorkDir = false;
      throw new CairnError(e.code, `the relay refused the run: ${e.message}`);
    }
    throw e;
  } finally {
    await client?.close();
    if (!keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    else process.stderr.write(`cairn run: the run's files are kept in ${workDir}\n`);
  }
}

/** `cairn run <uri>`: MLflow's `mlflow run` against a Cairn relay (server/projects). */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run an MLflow project (a folder, file://, a .zip, or a git URL with #subdir) and log it as a run.')
    .argument('[uri]', 'the project: a folder, file:// URI, .zip (path or http(s) URL) or git URL; #subdir picks a folder in it')
    .option('-e, --entry-point <name>', 'the entry point of the MLproject, or a script file in the project', 'main')
    .option('-P, --param <name=value>', 'a parameter; repeatable. Undeclared ones are passed as --name value', collect)
    .option('--experiment-name <name>', 'the experiment (made if new; env MLFLOW_EXPERIMENT_NAME)')
    .option('--experiment-id <id>', 'the experiment by id (env MLFLOW_EXPERIMENT_ID)')
    .option('--run-name <name>', 'the new run’s name')
    .option('-v, --version <version>', 'git branch, tag or commit to run (git projects only)')
    .option('--env-manager <manager>', 'local (runs here), or virtualenv | uv | conda (recorded and refused: not built here)')
    .option('--relay <url>', 'the Cairn relay (env CAIRN_RELAY, then MLFLOW_TRACKING_URI; http://host/w/<ws> names the workspace)')
    .option('--workspace <id>', 'workspace (env CAIRN_WORKSPACE, default "default")')
    .option('--token <token>', 'a workspace token (env CAIRN_TOKEN, then MLFLOW_TRACKING_TOKEN)')
    .option('--from-run <run-id>', 're-run a project run: same source version, entry point and params, into its experiment')
    .action(async (uri: string | undefined, flags: RunFlags) => {
      const code = await runCommand(uri, flags);
      process.exit(code);
    });
}

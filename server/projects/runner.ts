/**
 * `cairn run`'s second half (RUN-8..RUN-12): the run is created with MLflow's project tags and Cairn's, every param
 * logged and the MLproject uploaded — all on the relay before the command starts, since the child writes the same run
 * from its own process (its own SDK journal, or the REST door). Then the command runs, its output streamed and kept,
 * and its end becomes the run's status: 0 → FINISHED, non-zero → FAILED, stopped by the runner's SIGINT/SIGTERM →
 * KILLED. The runner's SDK client has a data dir of its own (two processes must never append to one journal).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { CairnError, DEFAULT_EXPERIMENT_ID, notFound, type RunStatus } from '../../lib/domain';
import { PROJECT_ARTIFACTS, PROJECT_SOURCE_TYPE, PROJECT_TAGS } from '../../lib/projects';
import { fetchStateVector } from '../../lib/relay-client';
import { connect, type ActiveRun, type CairnClient } from '../../lib/sdk';
import { openLog, startChild, type ChildExit, type Sink } from './child';
import type { PreparedProject } from './prepare';
import { childTrackingEnv, type TrackingTarget } from './tracking';
import { nodeOptionsWithLoader, tsLoaderPath } from './ts-loader';

/** The run's end (status, output.log) must reach the relay within this long, or the runner says what is left where. */
const END_TIMEOUT_MS = 30_000;
/** The child's last writes (relayed to this client through the relay) are waited for at most this long. */
const CATCH_UP_MS = 3_000;
/** Under the work dir: the child's SDK journal (when the caller did not choose one with CAIRN_SDK_DATA_DIR). */
export const CHILD_SDK_DIR = 'child-sdk';

export interface RunIo {
  stdout: Sink;
  stderr: Sink;
  /** Where the runner keeps its per-run files (output.log; the child's SDK journal unless CAIRN_SDK_DATA_DIR is set). */
  workDir: string;
  /** Subscribes to the runner's own SIGINT/SIGTERM; returns the unsubscribe. */
  onStopSignal(listener: (signal: NodeJS.Signals) => void): () => void;
  /** Told the child's pid once it runs. */
  onChild?(pid: number): void;
  env?: NodeJS.ProcessEnv;
}

export interface ProjectRunResult {
  runId: string;
  experimentId: string;
  status: RunStatus;
  /** What `cairn run` exits with: the child's code, 130 / 143 when stopped by SIGINT / SIGTERM, 1 when refused. */
  exitCode: number;
}

/** The experiment the run goes to: --experiment-id (must exist), --experiment-name (made if new), MLflow's env, Default. */
async function experimentFor(client: CairnClient, p: PreparedProject): Promise<string> {
  const { experimentId, experimentName } = p.request;
  const byId = async (id: string) => {
    if (!(await client.getExperiment(id))) throw notFound(`No experiment with id '${id}'`);
    return id;
  };
  if (experimentId) return byId(experimentId);
  const name = experimentName ?? client.options.defaultExperimentName;
  if (name) return (await client.getExperimentByName(name))?.experimentId ?? (await client.createExperiment(name));
  return client.options.defaultExperimentId ? byId(client.options.defaultExperimentId) : DEFAULT_EXPERIMENT_ID;
}

/** MLflow's project tags (mlflow/projects/utils.py `_create_run`) and Cairn's `cairn.project.*` (lib/projects). */
export function projectTags(p: PreparedProject, env: NodeJS.ProcessEnv): Record<string, string> {
  const s = p.source;
  const tags: Record<string, string> = {
    [PROJECT_TAGS.sourceName]: s.sourceName,
    [PROJECT_TAGS.sourceType]: PROJECT_SOURCE_TYPE,
    [PROJECT_TAGS.entryPoint]: p.request.entryPoint,
    [PROJECT_TAGS.env]: p.plan.env,
    [PROJECT_TAGS.backend]: 'local',
    [PROJECT_TAGS.uri]: s.uri,
    [PROJECT_TAGS.envManager]: p.plan.manager,
    [PROJECT_TAGS.contentHash]: s.contentHash,
  };
  if (s.git) {
    tags[PROJECT_TAGS.gitCommit] = s.git.commit;
    if (s.git.repoUrl) tags[PROJECT_TAGS.gitRepoUrl] = s.git.repoUrl;
    if (s.git.branch) tags[PROJECT_TAGS.gitBranch] = s.git.branch;
  }
  if (s.version) tags[PROJECT_TAGS.version] = s.version;
  if (p.env.kind === 'docker') tags[PROJECT_TAGS.dockerImageUri] = p.env.image;
  if (p.request.reproducedFrom) tags[PROJECT_TAGS.reproducedFrom] = p.request.reproducedFrom;
  // A `cairn run` inside a run (a project step of a pipeline): MLflow nests it under the active run.
  const parent = env.MLFLOW_RUN_ID || env.CAIRN_RUN_ID;
  if (parent) tags[PROJECT_TAGS.parentRunId] = parent;
  return tags;
}

export async function executeProject(p: PreparedProject, client: CairnClient, target: TrackingTarget, io: RunIo): Promise<ProjectRunResult> {
  const env = io.env ?? process.env;
  const experimentId = await experimentFor(client, p);
  const run = await client.startRun({ experimentId, ...(p.request.runName ? { runName: p.request.runName } : {}), tags: projectTags(p, env) });
  let stop: NodeJS.Signals | undefined;
  let child: ReturnType<typeof startChild> | null = null;
  const off = io.onStopSignal((sig) => {
    stop ??= sig;
    child?.stop(sig);
  });
  mkdirSync(io.workDir, { recursive: true });
  const logPath = join(io.workDir, 'output.log');
  const log = openLog(logPath);
  let exit: ChildExit | null = null;
  let failure: unknown;
  try {
    run.logParams(p.logged);
    if (p.mlproject !== null) await run.logArtifact(PROJECT_ARTIFACTS.mlproject, new TextEncoder().encode(p.mlproject), { mediaType: 'application/yaml' });
    io.stderr.write(`cairn run: run ${run.id} in experiment ${experimentId} at ${target.restUrl}\n`);
    if (p.plan.refusal) {
      log.write(`cairn run: ${p.plan.refusal}\n`);
      io.stderr.write(`cairn run: ${p.plan.refusal}\n`);
    } else {
      // The child resumes this run through the relay: it must be there, tags and params included, before it starts.
      await run.flush({ timeoutMs: END_TIMEOUT_MS });
      if (!stop) {
        io.stderr.write(`=== Running command '${p.line}' in ${p.source.dir} ===\n`);
        child = startChild({ line: p.line, cwd: p.source.dir, env: childEnv(target, run.id, experimentId, io.workDir, env), logFd: log.fd, stdout: io.stdout, stderr: io.stderr });
        io.onChild?.(child.pid);
        exit = await child.exited;
      }
    }
  } catch (e) {
    // The run exists: whatever went wrong after it was made (the relay refusing it, a child that could not start)
    // ends it FAILED with the reason in its log, rather than leaving it RUNNING forever.
    failure = e;
    log.write(`cairn run: ${e instanceof Error ? e.message : String(e)}\n`);
  } finally {
    off();
    log.close();
  }
  const status: RunStatus = stop || exit?.stoppedBy ? 'KILLED' : exit && exit.code === 0 ? 'FINISHED' : 'FAILED';
  if (child && !env.CAIRN_SDK_DATA_DIR) await pushChildJournal(target, join(io.workDir, CHILD_SDK_DIR), io.stderr);
  await catchUp(client, target, run.id);
  await finishRun(run, logPath, status);
  if (failure) throw failure;
  const exitCode = stop === 'SIGTERM' ? 143 : stop ? 130 : exit ? (exit.code ?? 128 + signalNumber(exit.signal)) : 1;
  io.stderr.write(`=== Run (ID '${run.id}') ${status === 'FINISHED' ? 'succeeded' : status === 'KILLED' ? 'was killed' : 'failed'} ===\n`);
  return { runId: run.id, experimentId, status, exitCode };
}

function childEnv(target: TrackingTarget, runId: string, experimentId: string, workDir: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const merged: Record<string, string | undefined> = { ...base, ...childTrackingEnv(target, runId, experimentId) };
  // The child's own SDK journal: not the project folder (it would change the content hash), not the runner's.
  merged.CAIRN_SDK_DATA_DIR = base.CAIRN_SDK_DATA_DIR || join(workDir, CHILD_SDK_DIR);
  // Every child, not only node_env projects': a Python or shell entry point may start node too (`... && node
  // report.ts`). The loader changes nothing for JavaScript that resolves without it.
  const loader = tsLoaderPath();
  if (loader) merged.NODE_OPTIONS = nodeOptionsWithLoader(base.NODE_OPTIONS, loader);
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  return merged as NodeJS.ProcessEnv;
}

/**
 * A child stopped midway (killed, crashed) may have journaled writes its SDK never got acknowledged: they are sent now,
 * before the runner's end, so they are not lost with the work dir and do not land after the run's final status.
 */
async function pushChildJournal(target: TrackingTarget, dir: string, stderr: Sink): Promise<void> {
  if (!existsSync(dir)) return;
  try {
    const c = await connect({ relay: target.relay, workspace: target.workspace, ...(target.token ? { token: target.token } : {}), dataDir: dir });
    await c.close({ timeoutMs: END_TIMEOUT_MS });
  } catch (e) {
    stderr.write(`cairn run: the child's unsent writes stay in ${dir}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

/**
 * Waits (briefly) until this client holds everything the relay has of the run: the child's last writes (its own end,
 * a status it set) come before the runner's end, so the runner's status is the one that stays.
 */
async function catchUp(client: CairnClient, target: TrackingTarget, runId: string): Promise<void> {
  const d = client.openDoc(`run/${runId}`);
  if (!d) return;
  const deadline = Date.now() + CATCH_UP_MS;
  while (Date.now() < deadline) {
    const sv = await fetchStateVector(fetch, target.relay, `${target.workspace}/run/${runId}`, target.token ?? null).catch(() => null);
    if (!sv) return;
    const theirs = Y.decodeStateVector(sv);
    const ours = Y.decodeStateVector(Y.encodeStateVector(d));
    if ([...theirs].every(([c, clock]) => (ours.get(c) ?? 0) >= clock)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function finishRun(run: ActiveRun, logPath: string, status: RunStatus): Promise<void> {
  try {
    await run.logArtifact(PROJECT_ARTIFACTS.output, logPath, { mediaType: 'text/plain' });
    await run.end(status, { timeoutMs: END_TIMEOUT_MS });
  } catch (e) {
    if (e instanceof CairnError && e.code === 'DEADLINE_EXCEEDED') {
      throw new CairnError('DEADLINE_EXCEEDED', `the relay did not take the end of run ${run.id} within ${END_TIMEOUT_MS} ms; it stays in the runner's journal (kept in its work dir; a cairn/sdk client opened on it sends it)`);
    }
    throw e;
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const n: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
  return signal ? (n[signal] ?? 0) : 0;
}

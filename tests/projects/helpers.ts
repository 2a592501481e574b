/**
 * Helpers for the `cairn run` tests: the real CLI (bundled like dist/cli.cjs) run as a child process against a real
 * relay on loopback, with its own projects cache; small projects written into temp folders; real git repositories.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll } from 'vitest';
import { connect, type CairnClient } from '@/lib/sdk';
import { REPO_ROOT, buildCli, ensureSdkBuilt, startTestRelay, tempDir, type TestRelay } from '../sdk/helpers';

export { REPO_ROOT, tempDir, startTestRelay, type TestRelay };

/** The TypeScript loader (dist/projects/ts-{register,hooks}.mjs) as scripts/build-node.mjs builds it. */
export async function ensureLoaderBuilt(): Promise<void> {
  for (const [entry, out] of [['hooks', 'ts-hooks'], ['register', 'ts-register']] as const) {
    const r = await build({
      bundle: true,
      write: false,
      logLevel: 'silent',
      absWorkingDir: REPO_ROOT,
      target: 'es2022',
      entryPoints: [`server/projects/ts-loader/${entry}.ts`],
      outfile: `dist/projects/${out}.mjs`,
      platform: 'node',
      format: 'esm',
      external: ['esbuild'],
    });
    const f = r.outputFiles[0]!;
    if (existsSync(f.path) && createHash('sha256').update(readFileSync(f.path)).digest('hex') === createHash('sha256').update(f.contents).digest('hex')) continue;
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
}

/** Builds the CLI, the SDK (for node children) and the loader; returns the CLI bundle's path. */
export async function buildAll(): Promise<string> {
  await ensureSdkBuilt();
  await ensureLoaderBuilt();
  return buildCli();
}

export interface CairnRun {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The run id the runner announced on stderr (resolves once it did). */
  runId(): Promise<string>;
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** The environment a test's runner gets: none of the outer shell's tracking variables leak in. */
function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (/^(MLFLOW_|CAIRN_)/.test(k)) delete env[k];
  Object.assign(env, extra);
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

export function startCairn(cli: string, args: string[], o: { env?: Record<string, string | undefined>; cwd?: string } = {}): CairnRun {
  const proc = spawn(process.execPath, [cli, ...args], { cwd: o.cwd ?? REPO_ROOT, env: cleanEnv(o.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  const waitFor = async (re: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(out + err);
      if (m) return m;
      if (done || Date.now() > deadline) throw new Error(`cairn ${args.join(' ')}: no ${re} (${done ? 'exited' : 'timed out'})\nstdout:\n${out}\nstderr:\n${err}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor,
    runId: async () => (await waitFor(/cairn run: run ([0-9a-f]{32}) in experiment/))[1]!,
  };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  runId: string | undefined;
}

/** Runs `cairn ...args` to its end. */
export async function runCairn(cli: string, args: string[], o: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<Finished> {
  const r = startCairn(cli, args, o);
  const { code } = await r.exited;
  const id = /cairn run: run ([0-9a-f]{32}) in experiment/.exec(r.stderr())?.[1];
  return { code, stdout: r.stdout(), stderr: r.stderr(), runId: id };
}

/** Writes a project folder: file name → content. */
export function writeProject(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

/** An SDK client reading the relay (its own temp journal). */
export async function reader(relay: TestRelay, dir: string, workspace = 'default'): Promise<CairnClient> {
  return connect({ relay: relay.url, workspace, dataDir: join(dir, `reader-${workspace}`) });
}

export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

/** Text of an artifact of a run, through the REST door. */
export async function artifactText(relay: TestRelay, runId: string, path: string, workspace = 'default'): Promise<string> {
  const base = workspace === 'default' ? relay.url : `${relay.url}/w/${workspace}`;
  const res = await fetch(`${base}/get-artifact?run_id=${runId}&path=${encodeURIComponent(path)}`);
  if (!res.ok) throw new Error(`get-artifact ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.text();
}

/** One suite's parts: the built CLI, a relay, a reading client, a temp folder — set up before, torn down after. */
export interface ProjectSuite {
  cli: string;
  relay: TestRelay;
  client: CairnClient;
  tmp: ReturnType<typeof tempDir>;
}

/** Registers the suite's beforeAll/afterAll; the returned object's fields are set once beforeAll ran. */
export function projectSuite(prefix: string): ProjectSuite {
  const s = { tmp: tempDir(prefix) } as ProjectSuite;
  beforeAll(async () => {
    s.cli = await buildAll();
    s.relay = await startTestRelay();
    s.client = await reader(s.relay, s.tmp.path);
  });
  afterAll(async () => {
    await s.client?.close({ timeoutMs: 1_000 });
    await s.relay?.dispose();
    s.tmp.remove();
  });
  return s;
}

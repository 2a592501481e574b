import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { waitFor } from './wait';

/** Builds of older sources are pruned after this long; long enough that no running test file still uses one. */
const STALE_BUILD_MS = 60 * 60 * 1000;

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Bundles a Node entry point (CommonJS, as scripts/build-node.mjs does for dist/cli.cjs) under a content-hash name in
 * dist/.test-cli/, so test files building in parallel never run a half-written file; a reused file is touched, and
 * files of older sources are pruned. Lives under dist/ so `require('better-sqlite3')` resolves from node_modules.
 */
export async function buildTestBundle(entry: string, prefix: string): Promise<string> {
  const result = await build({
    bundle: true,
    write: false,
    logLevel: 'silent',
    alias: { '@': REPO_ROOT },
    absWorkingDir: REPO_ROOT,
    target: 'es2022',
    entryPoints: [entry],
    outfile: `dist/${prefix}.cjs`,
    platform: 'node',
    format: 'cjs',
    external: ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'onnxruntime-node'],
  });
  const code = result.outputFiles[0]!.contents;
  const dir = join(REPO_ROOT, 'dist', '.test-cli');
  const file = join(dir, `${prefix}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cjs`);
  if (existsSync(file)) utimesSync(file, new Date(), new Date());
  else {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  }
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    try {
      if (p !== file && Date.now() - statSync(p).mtimeMs > STALE_BUILD_MS) rmSync(p, { force: true });
    } catch {
      // Another test process pruned it first.
    }
  }
  return file;
}

/** The CLI alone (a broken SDK build elsewhere must not fail relay tests). */
export const buildCli = (): Promise<string> => buildTestBundle('server/cli/main.ts', 'cli');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(cli: string, args: string[], env: Record<string, string | undefined> = {}): CliResult {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface RelayProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  output(): string;
  /** SIGKILL: no shutdown code runs, as in a crash or OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
}

/** Spawns `node cli relay ...args` and resolves once it printed its URL. */
export function spawnRelay(cli: string, args: string[], env: Record<string, string | undefined> = {}): Promise<RelayProcess> {
  return spawnServer(cli, ['relay', ...args], /listening on (http:\/\/[^\s]+)/, env);
}

/**
 * `cairn relay` in a process whose files may not grow past `maxFileBytes` (RLIMIT_FSIZE, with SIGXFSZ ignored so a
 * write past it fails with EFBIG instead of killing the process): a disk that fills up, without mounting anything.
 * SQLite sees it when it appends to the WAL at COMMIT, which is where a full disk hits it.
 */
export function spawnRelayWithFileLimit(cli: string, args: string[], maxFileBytes: number): Promise<RelayProcess> {
  const blocks = Math.max(1, Math.floor(maxFileBytes / 1024));
  const quoted = [process.execPath, cli, 'relay', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawnServer(cli, ['relay', ...args], /listening on (http:\/\/[^\s]+)/, {}, ['bash', ['-c', `trap '' XFSZ; ulimit -f ${blocks}; exec ${quoted}`]]);
}

/** Spawns a long-running CLI command; `ready` must capture the URL from its output. */
export async function spawnServer(
  cli: string,
  argv: string[],
  ready: RegExp,
  env: Record<string, string | undefined> = {},
  command: [string, string[]] = [process.execPath, [cli, ...argv]],
): Promise<RelayProcess> {
  const proc = spawn(command[0], command[1], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const match = await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`${argv[0]} exited early (${proc.exitCode}):\n${out}`);
    return ready.exec(out);
  }, `${argv[0]} to print its URL`);
  const url = match[1]!;
  return {
    url,
    port: Number(new URL(url).port),
    proc,
    output: () => out,
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

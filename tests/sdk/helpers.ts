/**
 * Shared helpers for the SDK tests: real relays (in-process or as a `cairn relay` child process), real SDK clients in
 * temp data dirs, and `node` child processes that run fixtures importing `cairn/sdk` (the built package).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import * as Y from 'yjs';
import { CairnError, connect, type CairnClient } from '@/lib/sdk';
import { metricHistory, readRun, type HistoryPoint } from '@/lib/doc';
import type { Run } from '@/lib/domain';
import { REPO_ROOT, buildTestBundle } from '../relay/helpers/cli-process';
import { tempDir } from '../relay/helpers/in-process';
import { waitFor } from '../relay/helpers/wait';

export { buildCli, runCli, spawnRelay, type RelayProcess } from '../relay/helpers/cli-process';
export { startTestRelay, tempDir, type TestRelay } from '../relay/helpers/in-process';
export { waitFor } from '../relay/helpers/wait';
export { REPO_ROOT };

export const FIXTURES = join(REPO_ROOT, 'tests', 'sdk', 'fixtures');

/** A port nothing listens on right now (the OS picked it, we released it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Tracks what a test opened so `finally` can close it all: SDK clients first (while their relay still runs, so their
 * final flush is quick), then everything else in reverse order of creation.
 */
export class Closer {
  private clients: CairnClient[] = [];
  private items: (() => Promise<unknown> | unknown)[] = [];

  add<T>(value: T, close: (v: T) => Promise<unknown> | unknown): T {
    this.items.push(() => close(value));
    return value;
  }

  /** Registers a client opened elsewhere (closed before relays and dirs). */
  track(c: CairnClient): CairnClient {
    this.clients.push(c);
    return c;
  }

  /** An SDK client in a fresh temp data dir (removed afterwards). */
  async client(opts: Parameters<typeof connect>[0] = {}): Promise<CairnClient> {
    const dir = this.dir('cairn-sdk-');
    return this.track(await connect({ dataDir: dir, ...opts }));
  }

  dir(prefix = 'cairn-sdk-'): string {
    const d = tempDir(prefix);
    this.add(d, (x) => x.remove());
    return d.path;
  }

  async closeAll(): Promise<void> {
    const errors: unknown[] = [];
    const steps = [...this.clients.reverse().map((c) => () => closeQuietly(c)), ...this.items.reverse()];
    this.clients = [];
    this.items = [];
    for (const f of steps) {
      try {
        await f();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) throw errors[0];
  }
}

/** close() flushes first; a client whose relay is gone or refused it should still release everything quickly. */
export async function closeQuietly(c: CairnClient, timeoutMs = 1_000): Promise<void> {
  try {
    await c.close({ timeoutMs });
  } catch {
    // PERMISSION_DENIED / UNAUTHENTICATED from the final flush: the client is closed regardless.
  }
}

/** Asserts `fn` throws (or rejects with) a CairnError with `code`; returns it for message checks. */
export async function expectCairnError(fn: () => unknown, code: string): Promise<CairnError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  if (!(thrown instanceof CairnError)) throw new Error(`expected CairnError ${code}, got ${thrown === undefined ? 'no error' : String(thrown)}`);
  if (thrown.code !== code) throw new Error(`expected CairnError ${code}, got ${thrown.code}: ${thrown.message}`);
  return thrown;
}

/** The relay's copy of one room (`GET /docs/<room>`) as a Y.Doc, or null when the relay is unreachable or refuses. */
export async function fetchRoomDoc(relayUrl: string, room: string, token?: string): Promise<Y.Doc | null> {
  const res = await fetch(`${relayUrl}/docs/${room}`, token ? { headers: { authorization: `Bearer ${token}` } } : {}).catch(() => null);
  if (!res || !res.ok) return null;
  const d = new Y.Doc();
  Y.applyUpdate(d, new Uint8Array(await res.arrayBuffer()));
  return d;
}

/** The relay's copy of a run doc (`GET /docs/<ws>/run/<id>`: its fields, params, tags, summaries), or null. */
export const fetchRunDoc = (relayUrl: string, workspace: string, runId: string, token?: string): Promise<Y.Doc | null> =>
  fetchRoomDoc(relayUrl, `${workspace}/run/${runId}`, token);

/** The relay's copy of a run's metrics doc (`GET /docs/<ws>/run/<id>/metrics`: its points), or null. */
export const fetchMetricsDoc = (relayUrl: string, workspace: string, runId: string, token?: string): Promise<Y.Doc | null> =>
  fetchRoomDoc(relayUrl, `${workspace}/run/${runId}/metrics`, token);

/** The run as the relay's copy of its run doc reads (undefined: none there; null: relay unreachable). */
export async function relayRun(relayUrl: string, workspace: string, runId: string, token?: string): Promise<Run | undefined | null> {
  const d = await fetchRunDoc(relayUrl, workspace, runId, token);
  if (!d) return null;
  try {
    return readRun(runId, d);
  } finally {
    d.destroy();
  }
}

/** Points of one key in the relay's copy of a run's metrics doc (null if unreachable). */
export async function relayHistory(relayUrl: string, workspace: string, runId: string, key: string, token?: string): Promise<HistoryPoint[] | null> {
  const d = await fetchMetricsDoc(relayUrl, workspace, runId, token);
  if (!d) return null;
  try {
    return metricHistory(d, key);
  } finally {
    d.destroy();
  }
}

/** The relay's workspace doc. */
export async function fetchWorkspaceDoc(relayUrl: string, workspace: string, token?: string): Promise<Y.Doc | null> {
  const res = await fetch(`${relayUrl}/docs/${workspace}`, token ? { headers: { authorization: `Bearer ${token}` } } : {}).catch(() => null);
  if (!res || !res.ok) return null;
  const d = new Y.Doc();
  Y.applyUpdate(d, new Uint8Array(await res.arrayBuffer()));
  return d;
}

/** Steps 0..n-1 each exactly once, in order. */
export function expectSteps(points: HistoryPoint[], n: number): void {
  if (points.length !== n) throw new Error(`expected ${n} points, got ${points.length}`);
  for (let i = 0; i < n; i++) {
    if (points[i]!.step !== i) throw new Error(`point ${i} has step ${points[i]!.step}`);
  }
}

// ------------------------------------------------------------------------------------------------ child processes

export interface NodeChild {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` on stdout; rejects if the child exits first. */
  line(re: RegExp, what?: string, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `node <fixture> ...args` from tests/sdk/fixtures (ESM fixtures importing `cairn/sdk`). */
export function runFixture(fixture: string, args: string[] = [], env: Record<string, string | undefined> = {}): NodeChild {
  return runNode([join(FIXTURES, fixture), ...args], env);
}

export function runNode(argv: string[], env: Record<string, string | undefined> = {}): NodeChild {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  const proc = spawn(process.execPath, argv, { cwd: REPO_ROOT, env: merged as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = () => proc.exitCode === null && proc.signalCode === null;
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    line: (re, what = String(re), timeoutMs = 30_000) =>
      waitFor(
        () => {
          const m = re.exec(out);
          if (m) return m;
          if (!running()) throw new Error(`child exited (${proc.exitCode ?? proc.signalCode}) before ${what}\nstdout:\n${out}\nstderr:\n${err}`);
          return null;
        },
        what,
        timeoutMs,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nchild ${running() ? 'still running' : 'exited'}; stdout (tail):\n${out.slice(-2000)}\nstderr (tail):\n${err.slice(-2000)}`);
      }),
    kill: async (signal = 'SIGKILL') => {
      if (running()) proc.kill(signal);
      await exited;
    },
  };
}

/** Runs a fixture to completion; rejects with its output when it exits non-zero. */
export async function runFixtureToEnd(fixture: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<string> {
  const c = runFixture(fixture, args, env);
  const { code, signal } = await c.exited;
  if (code !== 0) throw new Error(`${fixture} exited ${code ?? signal}\nstdout:\n${c.stdout()}\nstderr:\n${c.stderr()}`);
  return c.stdout();
}

/** The last line of a fixture's stdout parsed as JSON (fixtures print their result that way). */
export function lastJson<T = Record<string, unknown>>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

// ------------------------------------------------------------------------------------------------ dist/sdk

/**
 * Makes `cairn/sdk` (dist/sdk/index.{mjs,cjs}) match the current source, as scripts/build-node.mjs builds it, so the
 * child-process tests exercise this tree even when vitest runs without `npm test`'s build step. Files are only written
 * when their content changed, each through a temp file and a rename, so parallel test files never see half a file.
 */
export async function ensureSdkBuilt(): Promise<void> {
  const external = ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'onnxruntime-node'];
  const nodeDeps = [...external, 'ws', 'yjs', 'y-websocket', 'y-protocols', 'y-protocols/*', 'lib0', 'lib0/*', 'zod', 'yaml'];
  for (const [format, ext] of [['esm', 'mjs'], ['cjs', 'cjs']] as const) {
    const result = await build({
      bundle: true,
      sourcemap: 'linked',
      logLevel: 'silent',
      alias: { '@': REPO_ROOT },
      absWorkingDir: REPO_ROOT,
      target: 'es2022',
      entryPoints: ['lib/sdk/index.ts'],
      outfile: `dist/sdk/index.${ext}`,
      platform: 'node',
      format,
      external: nodeDeps,
      write: false,
    });
    for (const f of result.outputFiles) writeIfChanged(f.path, f.contents);
  }
  const dts = join(REPO_ROOT, 'dist/sdk/index.d.ts');
  writeIfChanged(dts, new TextEncoder().encode("export * from '../../lib/sdk/index';\n"));
}

function writeIfChanged(path: string, contents: Uint8Array): void {
  if (existsSync(path)) {
    const old = readFileSync(path);
    if (old.length === contents.length && createHash('sha256').update(old).digest('hex') === createHash('sha256').update(contents).digest('hex')) return;
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * Bundles server/relay (startRelay) as a CommonJS module under dist/.test-cli/, content-hash named like buildCli, so a
 * child process can run a relay inside itself.
 */
export const buildRelayModule = (): Promise<string> => buildTestBundle('server/relay/index.ts', 'relay');

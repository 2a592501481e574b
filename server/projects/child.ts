/**
 * The project's command as a child process (RUN-10, RUN-11): `/bin/sh -c <line>` and nothing else interpreting it, in
 * its own process group (detached) so that a terminal's Ctrl-C reaches the runner alone and the runner decides: it
 * forwards the signal to the whole group (the shell and whatever it started), waits KILL_GRACE_MS, then SIGKILLs the
 * group. stdout and stderr stream to the runner's own while every chunk is also written, in arrival order, to the log
 * file that becomes `project/output.log`.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

/** How long a signalled child may take to exit (flush its own logging) before its process group is SIGKILLed. */
export const KILL_GRACE_MS = 5_000;
/** After the shell exits, its pipes get this long to deliver what is still in them (a grandchild may hold them open). */
const PIPE_DRAIN_MS = 1_000;

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The signal the runner forwarded (Ctrl-C / SIGTERM on the runner), when it did. */
  stoppedBy: NodeJS.Signals | undefined;
}

export interface ChildProcessRun {
  pid: number;
  exited: Promise<ChildExit>;
  /** Forwards `signal` to the child's process group; SIGKILLs the group if it is still there after the grace. */
  stop(signal: NodeJS.Signals): void;
}

export interface Sink {
  write(chunk: Uint8Array | string): unknown;
}

export interface ChildOptions {
  line: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The output log, already open for appending. */
  logFd: number;
  stdout: Sink;
  stderr: Sink;
  graceMs?: number;
}

/** An output log file: every write goes straight to the file, so a runner killed midway leaves what was shown. */
export function openLog(path: string): { fd: number; write(text: string | Uint8Array): void; close(): void } {
  const fd = openSync(path, 'a');
  return {
    fd,
    write: (text) => {
      const b = typeof text === 'string' ? Buffer.from(text) : text;
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off);
    },
    close: () => closeSync(fd),
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

export function startChild(o: ChildOptions): ChildProcessRun {
  const child = spawn('/bin/sh', ['-c', o.line], { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const tee = (sink: Sink) => (chunk: Buffer) => {
    let off = 0;
    while (off < chunk.length) off += writeSync(o.logFd, chunk, off, chunk.length - off);
    sink.write(chunk);
  };
  child.stdout!.on('data', tee(o.stdout));
  child.stderr!.on('data', tee(o.stderr));
  const pipesClosed = Promise.all([child.stdout!, child.stderr!].map((s) => new Promise<void>((r) => s.once('close', () => r()))));
  let stoppedBy: NodeJS.Signals | undefined;
  let killTimer: ReturnType<typeof setTimeout> | null = null;
  const exited = new Promise<ChildExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      // The shell is gone; anything it left running in its group goes with it when the run was stopped.
      if (stoppedBy) killGroup(child.pid!, 'SIGKILL');
      const drained = new Promise<void>((r) => setTimeout(r, PIPE_DRAIN_MS).unref());
      void Promise.race([pipesClosed, drained]).then(() => {
        child.stdout!.destroy();
        child.stderr!.destroy();
        resolve({ code, signal, stoppedBy });
      });
    });
  });
  if (child.pid === undefined) {
    // spawn failed synchronously enough that there is no pid: the 'error' event rejects `exited`.
    return { pid: -1, exited, stop: () => {} };
  }
  const pid = child.pid;
  return {
    pid,
    exited,
    stop(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stoppedBy ??= signal;
      killGroup(pid, signal);
      killTimer ??= setTimeout(() => killGroup(pid, 'SIGKILL'), o.graceMs ?? KILL_GRACE_MS);
    },
  };
}

/* global navigator -- the function passed to page.evaluate in laterVisit runs in the page */
// Small helpers shared by the benches: processes, timing, formatting, result lines for bench/run.mjs.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DATA, ROOT } from './bundle.mjs';

export { ROOT, DATA };

/** High-resolution wall clock in ms since the epoch: comparable between processes on one machine. */
export const wallMs = () => performance.timeOrigin + performance.now();

export function tempDir(prefix) {
  mkdirSync(DATA, { recursive: true });
  const path = mkdtempSync(join(DATA, `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Resident set size of a process in MB, from /proc/<pid>/status (VmRSS, or VmHWM for the peak). */
export function rssMb(pid, field = 'VmRSS') {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

/** Spawns `node ...argv` and collects its output; `line(re)` waits for a stdout match. */
export function spawnNode(argv, opts = {}) {
  const proc = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const line = (re, what, timeoutMs = 60_000) =>
    new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const check = () => {
        const m = re.exec(out);
        if (m) return resolve(m);
        if (proc.exitCode !== null || proc.signalCode !== null) return reject(new Error(`${what}: process exited (${proc.exitCode ?? proc.signalCode})\n${out}\n${err}`));
        if (Date.now() > deadline) return reject(new Error(`${what}: timed out after ${timeoutMs} ms\n${out}\n${err}`));
        setTimeout(check, 2);
      };
      check();
    });
  const kill = async (signal = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return { proc, line, exited, kill, stdout: () => out, stderr: () => err };
}

/** `node dist/cli.cjs relay --open --port 0 --data <dir>`; resolves with its URL once it listens. */
export async function startCliRelay(dataDir, timeoutMs = 20_000) {
  const relay = spawnNode([join(ROOT, 'dist', 'cli.cjs'), 'relay', '--open', '--port', '0', '--data', dataDir]);
  const m = await relay.line(/listening on (http:\/\/\S+)/, 'relay start', timeoutMs);
  return { ...relay, url: m[1] };
}

/** One machine-readable line per bench; bench/run.mjs collects them into the summary table. */
export function report(name, rows) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ name, rows })}\n`);
}

/** Ends the process if a bench overruns, so `npm run bench` always finishes. */
export function watchdog(ms, what) {
  setTimeout(() => {
    process.stderr.write(`${what}: gave up after ${ms / 1000} s\n`);
    process.exit(2);
  }, ms).unref();
}

/** One metric's columns for a bench: steps 0..n-1, timestamps `t0 + i * dt + jitter(i)`, values `value(i)`. */
export function syntheticColumns(n, { t0 = 1_700_000_000_000, dt = 37, jitter = () => 0, value }) {
  const steps = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = i;
    timestamps[i] = t0 + i * dt + jitter(i);
    values[i] = value(i);
  }
  return { steps, timestamps, values };
}

/**
 * Before a warm reload: what a later visit finds, i.e. the app's service worker installed and active (it registers
 * once the first page has settled, then precaches ~4 MB: a reload during that install measured the install, not the
 * visit) and `settleMs` more for the data worker's saves (its warm cache is written 2 s after it served a change).
 * Returns how long the service worker took, or null when none became active within `timeoutMs`.
 */
export async function laterVisit(page, { settleMs = 2_500, timeoutMs = 20_000 } = {}) {
  const t0 = Date.now();
  const active = await page
    .evaluate(
      (ms) =>
        'serviceWorker' in navigator
          ? Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))])
          : false,
      timeoutMs,
    )
    .catch(() => false);
  const swMs = active ? Date.now() - t0 : null;
  await new Promise((r) => setTimeout(r, settleMs));
  return swMs;
}

// `npm run bench`: builds dist/ (the npm script does that first), then runs each bench in its own Node process, one
// after another (so each starts with a clean heap and RSS), and prints a summary table. Figures are printed, not
// asserted. Run one bench alone: `node bench/run.mjs decode` (names: BENCHES below).
import { spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib/bundle.mjs';

/** `generate` first: it builds (or finds cached) the 100k-run workspace the later benches share (bench/lib/generate.mjs). */
const BENCHES = [
  'generate', 'ingest', 'decode', 'relay-rss', 'workspace', 'awareness-flood', 'search', 'sdk-connect', 'relay-index', 'browser',
  'table', 'charts', 'boards', 'manage', 'rest', 'predict', 'registry-search',
];
/**
 * decode measures decoding, not page faults: with glibc's defaults, freeing a round's ~40 MB of typed arrays can hand
 * the pages back to the OS, and touching fresh pages is slow in a VM (about 70 ms per round here). The cold figure it
 * prints still shows that cost once.
 */
const ENV = { decode: { GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=2000000000:glibc.malloc.mmap_threshold=2000000000' } };
/** Arguments per bench: `generate` also prepares the folder (the relay's first start), which later benches reuse. */
const ARGS = { generate: ['--prepared'] };
/** Every bench stops itself well before this (its own watchdog); the runner is the last line of defence. */
const BENCH_TIMEOUT_MS = 12 * 60_000;

const only = process.argv.slice(2);
const selected = only.length ? BENCHES.filter((b) => only.includes(b)) : BENCHES;
if (selected.length === 0) {
  console.error(`unknown bench: ${only.join(', ')} (known: ${BENCHES.join(', ')})`);
  process.exit(1);
}

const machine = `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
console.log(`Cairn benches: ${machine}\n`);

const results = [];
const failures = [];
for (const name of selected) {
  console.log(`━━ ${name}`);
  const t0 = Date.now();
  const { code, signal, out } = await new Promise((resolve) => {
    const p = spawn(process.execPath, ['--expose-gc', join(ROOT, 'bench', `${name}.mjs`), ...(ARGS[name] ?? [])], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...ENV[name] },
    });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      process.stdout.write(
        d
          .split('\n')
          .filter((l) => !l.startsWith('BENCH_RESULT '))
          .join('\n'),
      );
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), BENCH_TIMEOUT_MS);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const lines = out.split('\n').filter((l) => l.startsWith('BENCH_RESULT '));
  for (const l of lines) results.push(JSON.parse(l.slice('BENCH_RESULT '.length)));
  if (code !== 0 || lines.length === 0) failures.push(`${name} (${signal ?? `exit ${code}`})`);
  console.log(`━━ ${name}: ${code === 0 ? 'done' : `FAILED (${signal ?? `exit ${code}`})`} in ${seconds} s\n`);
}

const rows = results.flatMap((r) => r.rows.map(([k, v, note]) => [r.name, k, v, note]));
const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => String(r[i]).length), ['bench', 'measure', 'figure'][i].length));
const line = (r) => `${String(r[0]).padEnd(widths[0])}  ${String(r[1]).padEnd(widths[1])}  ${String(r[2]).padStart(widths[2])}  ${r[3] ?? ''}`.trimEnd();
console.log('Summary');
console.log(line(['bench', 'measure', 'figure', 'note']));
console.log(line(['-'.repeat(widths[0]), '-'.repeat(widths[1]), '-'.repeat(widths[2]), '----']));
let last = '';
for (const r of rows) {
  console.log(line([r[0] === last ? '' : r[0], r[1], r[2], r[3]]));
  last = r[0];
}
if (failures.length) {
  console.log(`\nfailed: ${failures.join(', ')}`);
  process.exit(1);
}

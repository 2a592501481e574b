// `npm test`: every check in order, stopping at the first failure. The last line of output is always
// `N passed, N failed` (tests counted from vitest's and Playwright's JSON reports; a failing step that is not a test
// run counts as one failure), and the exit code is non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const reports = join(root, 'test-results');
const VITEST_JSON = join(reports, 'vitest.json');
const PLAYWRIGHT_JSON = join(reports, 'playwright.json');
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0') };

mkdirSync(reports, { recursive: true });
rmSync(VITEST_JSON, { force: true });
rmSync(PLAYWRIGHT_JSON, { force: true });

/** True if some file below one of `dirs` has a name matching `re`. */
function hasFiles(dirs, re) {
  const walk = (dir) =>
    existsSync(dir) &&
    readdirSync(dir).some((name) => {
      if (name === 'node_modules') return false;
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : re.test(name);
    });
  return dirs.some((d) => walk(join(root, d)));
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const counts = { passed: 0, failed: 0 };

const vitestArgs = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${VITEST_JSON}`];
if (!hasFiles(['tests/unit', 'tests/relay', 'tests/sdk', 'tests/contract'], /\.test\.ts$/)) vitestArgs.push('--passWithNoTests');
const playwrightArgs = ['test', '--reporter=list,json'];
if (!hasFiles(['tests/e2e'], /\.(spec|test)\.[cm]?[jt]sx?$/)) playwrightArgs.push('--pass-with-no-tests');

const steps = [
  { name: 'typecheck', cmd: bin('tsc'), args: ['--noEmit'] },
  { name: 'lint', cmd: 'npm', args: ['run', '--silent', 'lint'] },
  { name: 'build node (CLI, SDK)', cmd: process.execPath, args: ['scripts/build-node.mjs'] },
  {
    name: 'unit, relay, sdk and contract tests (vitest)',
    cmd: bin('vitest'),
    args: vitestArgs,
    count: () => {
      const r = readJson(VITEST_JSON);
      if (!r) return undefined;
      // A file that fails to load has no failed test in it; count it as one failure.
      const brokenFiles = (r.testResults ?? []).filter(
        (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((t) => t.status === 'failed'),
      ).length;
      return { passed: r.numPassedTests ?? 0, failed: (r.numFailedTests ?? 0) + brokenFiles };
    },
  },
  { name: 'build app (next build + serwist)', cmd: 'npm', args: ['run', '--silent', 'build'] },
  { name: 'ensure chromium', cmd: process.execPath, args: ['scripts/ensure-chromium.mjs'] },
  {
    name: 'end-to-end tests (playwright)',
    cmd: bin('playwright'),
    args: playwrightArgs,
    env: { PLAYWRIGHT_JSON_OUTPUT_FILE: PLAYWRIGHT_JSON },
    count: () => {
      const s = readJson(PLAYWRIGHT_JSON)?.stats;
      return s && { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0 };
    },
  },
];

let ok = true;
const started = Date.now();
for (const step of steps) {
  console.log(`\n━━ ${step.name}: ${[step.cmd.startsWith(root) ? step.cmd.slice(root.length + 1) : step.cmd, ...step.args].join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(step.cmd, step.args, { cwd: root, stdio: 'inherit', env: { ...env, ...step.env } });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const stepOk = r.status === 0;
  const c = step.count?.();
  if (c) {
    counts.passed += c.passed;
    counts.failed += c.failed;
  }
  // A failed step whose report shows no failed test (a crash, a setup error, a non-test step) still counts as one.
  if (!stepOk && !(c && c.failed > 0)) counts.failed += 1;
  const why = r.error ? ` (${r.error.message})` : r.signal ? ` (killed by ${r.signal})` : stepOk ? '' : ` (exit code ${r.status})`;
  console.log(`━━ ${stepOk ? 'ok' : 'FAILED'}: ${step.name} in ${seconds}s${why}`);
  if (!stepOk) {
    ok = false;
    break;
  }
}
console.log(`\n${ok ? 'all steps passed' : 'stopped at the first failure'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(ok && counts.failed === 0 ? 0 : 1);

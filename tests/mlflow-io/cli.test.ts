import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../relay/helpers/cli-process';
import { startTestRelay, type TestRelay } from '../relay/helpers/in-process';
import { mlflowClient } from '../relay/helpers/mlflow';
import { waitFor } from '../relay/helpers/wait';
import { comparable, temp, workspaceState } from './helpers';
import { buildMlruns, runId, type FixtureRun } from './mlruns';

const RUNS = 80;
const POINTS = 5_000;

/** A store big enough that an import takes seconds: RUNS runs of POINTS points, a param, a tag and a file each. */
function bigStore(root: string): void {
  const runs: FixtureRun[] = Array.from({ length: RUNS }, (_, r) => ({
    id: runId(1000 + r),
    name: `run-${r}`,
    status: r % 7 === 0 ? 4 : 3,
    start: 1_700_000_000_000 + r,
    end: 1_700_000_100_000 + r,
    deleted: r % 13 === 5,
    params: { lr: String(r / 100) },
    tags: { idx: String(r) },
    metrics: { loss: Array.from({ length: POINTS }, (_, i): [number, string, number] => [1_700_000_000_000 + i, i === 3 ? 'nan' : String(Math.sin(i + r)), i]) },
    artifacts: { 'out.txt': `artifact ${r}` },
  }));
  buildMlruns(root, [{ id: '1', name: 'big', runs }]);
}

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

describe('cairn import mlflow (the built CLI)', () => {
  let cli: string;
  let relay: TestRelay;
  let clean: TestRelay;
  const store = temp('cairn-mio-big-');
  const sdk = temp('cairn-mio-cli-sdk-');
  beforeAll(async () => {
    [cli, relay, clean] = await Promise.all([buildCli(), startTestRelay(), startTestRelay()]);
    bigStore(store.path);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([relay?.dispose(), clean?.dispose()]);
    store.remove();
    sdk.remove();
  });

  /** `cairn import mlflow <store>` into `to`; `killWhen` SIGKILLs it once the relay holds that many runs. */
  const importCli = (to: string, dataDir: string, killWhen?: number): Promise<Done> =>
    cliRun(['import', 'mlflow', store.path, '--relay', to, '--sdk-data', dataDir], killWhen === undefined ? undefined : { relay: to, runs: killWhen });

  /** The CLI as a child process, without blocking this process (whose event loop serves the in-process relays). */
  function cliRun(args: string[], kill?: { relay: string; runs: number }): Promise<Done> {
    const proc = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<Done>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
    if (kill) {
      const door = mlflowClient(kill.relay);
      void waitFor(
        async () => {
          if (proc.exitCode !== null) return true;
          const r = await door.post('runs/search', { experiment_ids: ['1'], run_view_type: 'ALL', max_results: 1000 });
          return ((r.json?.runs as unknown[] | undefined)?.length ?? 0) >= kill.runs;
        },
        'the import to be under way',
        60_000,
      ).then(() => proc.kill('SIGKILL'));
    }
    return exited;
  }

  it('[MIO-7] [MIO-9] an import SIGKILLed midway (twice, resumed from its journal and then from another data dir) ends exactly as an uninterrupted one; progress on stderr, the summary on stdout', async () => {
    const killed = await importCli(relay.url, sdk.path, 10);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toBe('');
    // Resumed from the same journal, and killed again further on.
    const killedAgain = await importCli(relay.url, sdk.path, 30);
    expect(killedAgain.signal).toBe('SIGKILL');

    // Finished from another data dir: what the killed journal never sent is written again from the source.
    const other = temp('cairn-mio-cli-sdk3-');
    const again = await importCli(relay.url, other.path).finally(() => other.remove());
    expect(again.code, again.stderr).toBe(0);
    const lines = again.stderr.trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^import: runs \d+\/80, \d+ metric points, [\d.]+ (B|KiB|MiB) of artifacts$/);
    expect(lines.at(-1)).toMatch(/^import: runs 80\/80, /);
    expect(again.stdout).toMatch(/^experiments {2}0 created, 1 already present$/m);
    // The rerun found part of the store in the relay already: it created only the rest.
    const [created, completed, present] = /^runs {9}(\d+) created, (\d+) completed, (\d+) already present$/m.exec(again.stdout)!.slice(1).map(Number);
    expect(created).toBeLessThan(RUNS);
    expect(created! + completed! + present!).toBe(RUNS);
    expect(again.stdout).toMatch(/^skipped {6}nothing$/m);

    const sdk2 = temp('cairn-mio-cli-sdk2-');
    const uninterrupted = await importCli(clean.url, sdk2.path).finally(() => sdk2.remove());
    expect(uninterrupted.code).toBe(0);
    expect(uninterrupted.stdout).toMatch(/^metric points 400000 written, 0 already present$/m);
    const [a, b] = await Promise.all([workspaceState(relay.url), workspaceState(clean.url)]);
    expect(Object.keys(a.runs)).toHaveLength(RUNS);
    expect(a.experiments).toEqual(b.experiments);
    for (const id of Object.keys(b.runs)) expect(comparable(a.runs[id]!), id).toEqual(comparable(b.runs[id]!));
  }, 180_000);

  it('[MIO-8] a read token cannot import (a clear refusal, exit 1) but can export; a write token imports', async () => {
    const locked = await startTestRelay({ auth: 'tokens' });
    const dirs = [temp('cairn-mio-tok-a-'), temp('cairn-mio-tok-b-'), temp('cairn-mio-tok-c-'), temp('cairn-mio-tok-out-')];
    try {
      const token = (role: string) => spawnSync(process.execPath, [cli, 'token', 'create', '--data', locked.dataDir, '--workspace', 'default', '--role', role], { encoding: 'utf8' }).stdout.trim();
      const [read, write] = [token('read'), token('write')];
      const run = cliRun;
      const imported = await run(['import', 'mlflow', store.path, '--relay', locked.url, '--token', write, '--sdk-data', dirs[1]!.path]);
      expect(imported.code, imported.stderr).toBe(0);
      // Something new to write, with a token that may only read: refused as the relay refuses it.
      const small = temp('cairn-mio-small-');
      buildMlruns(small.path, [{ id: '7', name: 'small', runs: [{ id: runId(1), name: 'one', status: 3, start: 1, end: 2, params: { a: '1' } }] }]);
      const refused = await run(['import', 'mlflow', small.path, '--relay', locked.url, '--token', read, '--sdk-data', dirs[0]!.path]);
      small.remove();
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^cairn: read-only token/m);
      const exported = await run(['export', 'mlflow', `${dirs[3]!.path}/out`, '--relay', locked.url, '--token', read, '--sdk-data', dirs[2]!.path, '--experiment', 'big']);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toMatch(/^exported {5}1 experiments, 80 runs, 80 params, /m);
    } finally {
      await locked.dispose();
      for (const d of dirs) d.remove();
    }
  }, 180_000);

  it('[MIO-8] a missing store is one clear line on stderr and exit code 1', () => {
    const r = spawnSync(process.execPath, [cli, 'import', 'mlflow', `${store.path}/nope`, '--relay', relay.url], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`cairn: MLflow file store '${store.path}/nope' does not exist\n`);
    const noRelay = spawnSync(process.execPath, [cli, 'export', 'mlflow', store.path], { encoding: 'utf8', env: { ...process.env, CAIRN_RELAY: '', MLFLOW_TRACKING_URI: '' } });
    expect(noRelay.status).toBe(1);
    expect(noRelay.stderr).toMatch(/no relay to write to/);
  });
});

/**
 * `cairn run` end to end: the real CLI as a child process, a real relay on loopback, real children (node with the
 * TypeScript loader, python3 over plain HTTP, sh).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ARTIFACTS, PROJECT_TAGS } from '@/lib/projects';
import type { CairnClient } from '@/lib/sdk';
import { REPO_ROOT, artifactText, buildAll, reader, runCairn, startCairn, startTestRelay, tempDir, writeProject, type TestRelay } from './helpers';

let cli: string;
let relay: TestRelay;
const tmp = tempDir('cairn-run-test-');
let client: CairnClient;
let cache: string;

beforeAll(async () => {
  cli = await buildAll();
  relay = await startTestRelay();
  client = await reader(relay, tmp.path);
  cache = join(tmp.path, 'cache');
});

afterAll(async () => {
  await client?.close({ timeoutMs: 1_000 });
  await relay?.dispose();
  tmp.remove();
});

const env = () => ({ CAIRN_RELAY: relay.url, CAIRN_PROJECTS_CACHE: cache });
let n = 0;
const project = (files: Record<string, string>) => writeProject(join(tmp.path, `p${++n}`), files);

/** A python3 script printing its argv as JSON (one line), for checking what arrives in the child. */
const ARGV_PY = 'import json, sys\nprint("ARGV " + json.dumps(sys.argv[1:]), flush=True)\n';

describe('cairn run', () => {
  it('[RUN-9, RUN-14] the example TypeScript project logs its per-epoch loss into the run the runner made, through cairn/sdk', async () => {
    const r = await runCairn(cli, ['run', 'examples/linear-regression', '-P', 'lr=0.2', '-P', 'epochs=12', '--experiment-name', 'linreg'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`run ${r.runId}: fitting`);
    const run = (await client.getRun(r.runId!))!;
    expect(run.info.status).toBe('FINISHED');
    expect((await client.getExperiment(run.info.experimentId))?.name).toBe('linreg');
    expect(run.params).toEqual({ lr: '0.2', epochs: '12', noise: '0.1', seed: '7' });
    const loss = await client.getMetricHistory(r.runId!, 'loss');
    expect(loss.map((p) => p.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(loss[11]!.value).toBeLessThan(loss[0]!.value);
    expect(run.tags.fit).toMatch(/^y = /);
    expect(run.tags[PROJECT_TAGS.env]).toBe('node');
    expect(await artifactText(relay, r.runId!, PROJECT_ARTIFACTS.mlproject)).toBe(readFileSync(join(REPO_ROOT, 'examples/linear-regression/MLproject'), 'utf8'));
    expect(await artifactText(relay, r.runId!, PROJECT_ARTIFACTS.output)).toContain('epoch 12/12');
  });

  it('[RUN-9, RUN-8] a child speaking plain HTTP to MLFLOW_TRACKING_URI (the REST door, /w/<ws> for another workspace) logs into its run', async () => {
    const dir = project({
      MLproject: 'name: rest\nentry_points:\n  main:\n    parameters:\n      v: {type: float, default: 2.5}\n    command: "python3 log.py {v}"\n',
      'log.py': [
        'import json, os, sys, urllib.request',
        'uri = os.environ["MLFLOW_TRACKING_URI"]',
        'body = {"run_id": os.environ["MLFLOW_RUN_ID"], "key": "rest_metric", "value": float(sys.argv[1]), "timestamp": 1, "step": 3}',
        'req = urllib.request.Request(uri + "/api/2.0/mlflow/runs/log-metric", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})',
        'print(urllib.request.urlopen(req).status, uri, os.environ["MLFLOW_EXPERIMENT_ID"], os.environ["CAIRN_WORKSPACE"], flush=True)',
      ].join('\n'),
    });
    const r = await runCairn(cli, ['run', dir, '--workspace', 'team', '-P', 'v=4.5'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`200 ${relay.url}/w/team 0 team`);
    const team = await reader(relay, tmp.path, 'team');
    try {
      const run = (await team.getRun(r.runId!))!;
      expect(run.info.status).toBe('FINISHED');
      expect(await team.getMetricHistory(r.runId!, 'rest_metric')).toMatchObject([{ step: 3, value: 4.5 }]);
    } finally {
      await team.close({ timeoutMs: 1_000 });
    }
  });

  it('[RUN-11] a failing command marks the run FAILED, the runner exits with its code, and output.log holds its stdout and stderr in order', async () => {
    const dir = project({ MLproject: 'entry_points:\n  main:\n    command: "sh fail.sh"\n', 'fail.sh': 'echo first\necho "boom: no data" >&2\nsleep 0.1\necho third\nexit 3\n' });
    const r = await runCairn(cli, ['run', dir], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('first\nthird\n');
    expect(r.stderr).toContain('boom: no data');
    expect((await client.getRun(r.runId!))!.info.status).toBe('FAILED');
    expect(await artifactText(relay, r.runId!, PROJECT_ARTIFACTS.output)).toBe('first\nboom: no data\nthird\n');
    expect(r.stderr).toContain(`=== Run (ID '${r.runId}') failed ===`);
  });

  it('[RUN-12] SIGINT to the runner kills the child (its process gone), marks the run KILLED and exits 130', async () => {
    const dir = project({ MLproject: 'entry_points:\n  main:\n    command: "sh sleeper.sh"\n', 'sleeper.sh': 'echo "child $$"\nexec sleep 30\n' });
    const r = startCairn(cli, ['run', dir], { env: env() });
    const pid = Number((await r.waitFor(/child (\d+)/))[1]);
    const runId = await r.runId();
    expect(alive(pid)).toBe(true);
    const t0 = Date.now();
    r.proc.kill('SIGINT');
    expect((await r.exited).code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(alive(pid)).toBe(false);
    expect((await client.getRun(runId))!.info.status).toBe('KILLED');
    expect(r.stderr()).toContain(`=== Run (ID '${runId}') was killed ===`);
  });

  it('[RUN-12] SIGTERM to the runner does the same and exits 143', async () => {
    const dir = project({ MLproject: 'entry_points:\n  main:\n    command: "sh sleeper.sh"\n', 'sleeper.sh': 'echo "child $$"\nexec sleep 30\n' });
    const r = startCairn(cli, ['run', dir], { env: env() });
    const pid = Number((await r.waitFor(/child (\d+)/))[1]);
    const runId = await r.runId();
    r.proc.kill('SIGTERM');
    expect((await r.exited).code).toBe(143);
    expect(alive(pid)).toBe(false);
    expect((await client.getRun(runId))!.info.status).toBe('KILLED');
  });

  it('[RUN-12] a child that ignores SIGINT is SIGKILLed with its whole process group after the grace period', async () => {
    const dir = project({ MLproject: 'entry_points:\n  main:\n    command: "sh stubborn.sh"\n', 'stubborn.sh': "trap '' INT TERM\nsleep 30 &\necho \"grandchild $!\"\nwait\n" });
    const r = startCairn(cli, ['run', dir], { env: env() });
    const pid = Number((await r.waitFor(/grandchild (\d+)/))[1]);
    const runId = await r.runId();
    r.proc.kill('SIGINT');
    await new Promise((res) => setTimeout(res, 1_000));
    expect(alive(pid)).toBe(true); // still in its grace period
    expect((await r.exited).code).toBe(130);
    expect(alive(pid)).toBe(false);
    expect((await client.getRun(runId))!.info.status).toBe('KILLED');
  }, 20_000);

  it('[RUN-6] a missing required param is refused before anything runs: no run is created and the command never starts', async () => {
    const dir = project({
      MLproject: 'entry_points:\n  main:\n    parameters:\n      data: string\n      alpha: {type: float}\n      beta: {type: float, default: 1}\n    command: "touch ran"\n',
    });
    const r = await runCairn(cli, ['run', dir, '--workspace', 'norun'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data/);
    expect(r.stderr).toMatch(/alpha/);
    expect(r.runId).toBeUndefined();
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    const ws = await reader(relay, tmp.path, 'norun');
    try {
      expect((await ws.searchRuns()).runs).toEqual([]);
    } finally {
      await ws.close({ timeoutMs: 1_000 });
    }
  });

  it('[RUN-6] an unknown entry point, a bad --env-manager and a path naming nothing are refused before a run exists', async () => {
    const dir = project({ MLproject: 'entry_points:\n  main:\n    command: "touch ran"\n' });
    const a = await runCairn(cli, ['run', dir, '-e', 'nope'], { env: env() });
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("Could not find nope among entry points ['main']");
    const b = await runCairn(cli, ['run', dir, '--env-manager', 'pip'], { env: env() });
    expect(b.code).toBe(1);
    expect(b.stderr).toContain("Invalid --env-manager 'pip'");
    const withPath = project({ MLproject: 'entry_points:\n  main:\n    parameters:\n      data: path\n    command: "touch ran"\n' });
    const c = await runCairn(cli, ['run', withPath, '-P', 'data=no/such/file.csv'], { env: env() });
    expect(c.code).toBe(1);
    expect(c.stderr).toContain("Got value 'no/such/file.csv' for a path parameter, but no such file or directory was found");
    const d = await runCairn(cli, ['run', dir, '-P', 'x=1', '-P', 'x=2'], { env: env() });
    expect(d.code).toBe(1);
    expect(d.stderr).toContain("Repeated parameter: 'x'");
    expect(a.runId ?? b.runId ?? c.runId ?? d.runId).toBeUndefined();
    expect(existsSync(join(withPath, 'ran'))).toBe(false);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('[RUN-10] hostile param values arrive in the child verbatim and no shell interprets them; extras are appended as --key value', async () => {
    const dir = project({ MLproject: 'entry_points:\n  main:\n    parameters:\n      a: string\n      b: string\n    command: "python3 argv.py {a} --b={b}"\n', 'argv.py': ARGV_PY });
    const hostile = ['$(touch pwned)', "it's; rm -rf / #", 'two words\nand a newline', '`touch pwned2` "q" \\ *'];
    const r = await runCairn(cli, ['run', dir, '-P', `a=${hostile[0]}`, '-P', `b=${hostile[1]}`, '-P', `extra=${hostile[2]}`, '-P', `glob=${hostile[3]}`], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const argv = JSON.parse(/ARGV (.*)/.exec(r.stdout)![1]!) as string[];
    expect(argv).toEqual([hostile[0], `--b=${hostile[1]}`, '--extra', hostile[2], '--glob', hostile[3]]);
    expect(existsSync(join(dir, 'pwned')) || existsSync(join(dir, 'pwned2'))).toBe(false);
    expect((await client.getRun(r.runId!))!.params).toEqual({ a: hostile[0], b: hostile[1], extra: hostile[2], glob: hostile[3] });
  });

  it('[RUN-7, RUN-16] the run carries MLflow’s project tags and Cairn’s, every param (defaults filled), and a nested run names its parent', async () => {
    const dir = project({
      MLproject: 'name: tags\nentry_points:\n  main:\n    parameters:\n      x: {type: float, default: 0.5}\n      f: {type: path, default: data.csv}\n    command: "true"\n',
      'data.csv': 'a,b\n',
    });
    const parent = await client.startRun({ experimentName: 'parents' });
    await parent.flush();
    const r = await runCairn(cli, ['run', dir, '--run-name', 'tagged', '--experiment-name', 'tags-exp', '-P', 'k=v'], { env: { ...env(), MLFLOW_RUN_ID: parent.id } });
    expect(r.code, r.stderr).toBe(0);
    const run = (await client.getRun(r.runId!))!;
    expect(run.params).toEqual({ x: '0.5', f: join(dir, 'data.csv'), k: 'v' });
    expect(run.info.runName).toBe('tagged');
    expect(run.tags).toMatchObject({
      [PROJECT_TAGS.sourceType]: 'PROJECT',
      [PROJECT_TAGS.sourceName]: dir,
      [PROJECT_TAGS.entryPoint]: 'main',
      [PROJECT_TAGS.env]: 'local',
      [PROJECT_TAGS.backend]: 'local',
      [PROJECT_TAGS.uri]: dir,
      [PROJECT_TAGS.envManager]: 'local',
      [PROJECT_TAGS.parentRunId]: parent.id,
      [PROJECT_TAGS.runName]: 'tagged',
    });
    expect(run.tags[PROJECT_TAGS.user]).toBeTruthy();
    expect(run.tags[PROJECT_TAGS.contentHash]).toMatch(/^[0-9a-f]{64}$/);
    expect(run.tags[PROJECT_TAGS.gitCommit]).toBeUndefined();
    await parent.end();
  });

  it('[RUN-13] a conda_env project is recorded and refused with the reason (no conda here), and --env-manager local runs it in this environment', async () => {
    const dir = project({ MLproject: 'conda_env: conda.yaml\nentry_points:\n  main:\n    command: "echo ran-here"\n', 'conda.yaml': 'name: x\n' });
    const r = await runCairn(cli, ['run', dir], { env: { ...env(), PATH: '/usr/bin:/bin' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the conda env manager needs conda, which is not installed');
    expect(r.stdout).not.toContain('ran-here');
    const run = (await client.getRun(r.runId!))!;
    expect(run.info.status).toBe('FAILED');
    expect(run.tags[PROJECT_TAGS.env]).toBe('conda');
    expect(await artifactText(relay, r.runId!, PROJECT_ARTIFACTS.output)).toContain('needs conda, which is not installed');
    const local = await runCairn(cli, ['run', dir, '--env-manager', 'local'], { env: env() });
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout).toBe('ran-here\n');
    expect((await client.getRun(local.runId!))!.tags[PROJECT_TAGS.env]).toBe('local');
  });

  it('[RUN-13] a node project asking for a Node this is not is recorded and refused', async () => {
    const dir = project({ MLproject: 'node_env:\n  node: ">=99"\nentry_points:\n  main:\n    command: "node -e 0"\n' });
    const r = await runCairn(cli, ['run', dir], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`this project needs node >=99, and this is node ${process.version}`);
    const run = (await client.getRun(r.runId!))!;
    expect(run.info.status).toBe('FAILED');
    expect(run.tags[PROJECT_TAGS.env]).toBe('node');
  });

  it('[RUN-13] a docker_env project is refused honestly when docker is there too', async () => {
    const dir = project({ MLproject: 'docker_env:\n  image: python:3.12\nentry_points:\n  main:\n    command: "echo ran-here"\n' });
    const bin = join(tmp.path, 'fakebin');
    writeProject(bin, { docker: '#!/bin/sh\nexit 0\n' });
    const { chmodSync } = await import('node:fs');
    chmodSync(join(bin, 'docker'), 0o755);
    const r = await runCairn(cli, ['run', dir], { env: { ...env(), PATH: `${bin}:/usr/bin:/bin` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('docker is installed, but cairn run does not run docker_env projects (image python:3.12)');
    const run = (await client.getRun(r.runId!))!;
    expect(run.tags[PROJECT_TAGS.env]).toBe('docker');
    expect(run.tags[PROJECT_TAGS.dockerImageUri]).toBe('python:3.12');
  });
});

/** Whether `pid` is a live process: a zombie (killed, not yet reaped by the container's init) counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." — the state letter follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

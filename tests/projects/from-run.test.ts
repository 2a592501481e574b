/** `cairn run --from-run <id>`: a project run run again, into a new run of the same experiment. */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_TAGS } from '@/lib/projects';
import { gitIn, projectSuite, runCairn, writeProject } from './helpers';

const s = projectSuite('cairn-run-from-');
const env = () => ({ CAIRN_RELAY: s.relay.url, CAIRN_PROJECTS_CACHE: join(s.tmp.path, 'cache') });

const MLPROJECT =
  'entry_points:\n  main:\n    parameters:\n      lr: {type: float, default: 0.1}\n      tag: string\n    command: "sh echo.sh {lr} {tag}"\n  other:\n    command: "echo other"\n';

describe('--from-run', () => {
  it('[RUN-15] re-runs a project run with the same entry point and params into its experiment, tagged with the original', async () => {
    const dir = writeProject(join(s.tmp.path, 'p1'), { MLproject: MLPROJECT, 'echo.sh': 'echo "lr=$1 tag=$2"\n' });
    const first = await runCairn(s.cli, ['run', dir, '-P', 'tag=a b', '-P', 'extra=1', '--experiment-name', 'repro'], { env: env() });
    expect(first.code, first.stderr).toBe(0);
    const again = await runCairn(s.cli, ['run', '--from-run', first.runId!], { env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(again.runId).not.toBe(first.runId);
    expect(again.stdout).toBe(first.stdout);
    expect(again.stderr).not.toContain('warning');
    const [a, b] = [(await s.client.getRun(first.runId!))!, (await s.client.getRun(again.runId!))!];
    expect(b.params).toEqual(a.params);
    expect(b.params).toEqual({ lr: '0.1', tag: 'a b', extra: '1' });
    expect(b.info.experimentId).toBe(a.info.experimentId);
    expect(b.tags[PROJECT_TAGS.reproducedFrom]).toBe(first.runId);
    expect(b.tags[PROJECT_TAGS.entryPoint]).toBe('main');
    expect(b.tags[PROJECT_TAGS.uri]).toBe(dir);
  });

  it('[RUN-15] a run given a relative folder is found again from another working directory', async () => {
    writeProject(join(s.tmp.path, 'rel/proj'), { MLproject: MLPROJECT, 'echo.sh': 'echo "rel $2"\n' });
    const first = await runCairn(s.cli, ['run', 'proj', '-P', 'tag=r'], { env: env(), cwd: join(s.tmp.path, 'rel') });
    expect(first.code, first.stderr).toBe(0);
    expect((await s.client.getRun(first.runId!))!.tags[PROJECT_TAGS.uri]).toBe('proj');
    const again = await runCairn(s.cli, ['run', '--from-run', first.runId!], { env: env(), cwd: s.tmp.path });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('rel r\n');
  });

  it('[RUN-15] a folder whose files changed since is run as it is now, with a warning on stderr', async () => {
    const dir = writeProject(join(s.tmp.path, 'p2'), { MLproject: MLPROJECT, 'echo.sh': 'echo "v1 $2"\n' });
    const first = await runCairn(s.cli, ['run', dir, '-P', 'tag=t'], { env: env() });
    expect(first.code, first.stderr).toBe(0);
    appendFileSync(join(dir, 'echo.sh'), 'echo changed\n');
    const again = await runCairn(s.cli, ['run', '--from-run', first.runId!], { env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`cairn run: warning: the project's files at ${dir} changed since run ${first.runId}`);
    expect(again.stdout).toBe('v1 t\nchanged\n');
  });

  it('[RUN-15] a run given --version is reproduced at the commit it ran at, whatever the checkout holds now', async () => {
    const work = join(s.tmp.path, 'repo');
    writeProject(work, { MLproject: MLPROJECT, 'echo.sh': 'echo "first commit $2"\n' });
    gitIn(s.tmp.path, 'init', '--quiet', work);
    gitIn(work, 'add', '-A');
    gitIn(work, 'commit', '--quiet', '-m', 'one');
    const commit = gitIn(work, 'rev-parse', 'HEAD');
    const first = await runCairn(s.cli, ['run', work, '--version', 'main', '-P', 'tag=g'], { env: env() });
    expect(first.code, first.stderr).toBe(0);
    writeProject(work, { 'echo.sh': 'echo "second commit $2"\n' });
    gitIn(work, 'commit', '--quiet', '-am', 'two');
    const again = await runCairn(s.cli, ['run', '--from-run', first.runId!], { env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('first commit g\n');
    expect(again.stderr).not.toContain('warning');
    const run = (await s.client.getRun(again.runId!))!;
    expect(run.tags[PROJECT_TAGS.gitCommit]).toBe(commit);
    expect(run.tags[PROJECT_TAGS.version]).toBe(commit);
    // Run in place (no --version), the checkout is what it is now, and the changed files are said.
    const inPlace = await runCairn(s.cli, ['run', work, '-P', 'tag=h'], { env: env() });
    writeProject(work, { 'echo.sh': 'echo "edited $2"\n' });
    const edited = await runCairn(s.cli, ['run', '--from-run', inPlace.runId!], { env: env() });
    expect(edited.stdout).toBe('edited h\n');
    expect(edited.stderr).toContain('cairn run: warning:');
  });

  it('[RUN-15] a run that did not come from a project is refused, and so is an unknown run', async () => {
    const plain = await s.client.startRun({ experimentName: 'plain' });
    await plain.end();
    const r = await runCairn(s.cli, ['run', '--from-run', plain.id], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Run ${plain.id} is not a project run`);
    expect(r.runId).toBeUndefined();
    const unknown = await runCairn(s.cli, ['run', '--from-run', 'f'.repeat(32)], { env: env() });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('not found');
  }, 30_000);
});

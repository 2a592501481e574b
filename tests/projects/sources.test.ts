/**
 * Project sources through `cairn run`: git URIs against a bare repository made here (branch, tag, a commit no ref
 * names, #subdir), a local git checkout, file://, zips (local and over http), and --version refusals.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_TAGS } from '@/lib/projects';
import type { CairnClient } from '@/lib/sdk';
import { buildAll, gitIn, reader, runCairn, startTestRelay, tempDir, writeProject, type TestRelay } from './helpers';

let cli: string;
let relay: TestRelay;
let client: CairnClient;
const tmp = tempDir('cairn-run-src-');
const cache = join(tmp.path, 'cache');
const bare = join(tmp.path, 'remote.git');
const commits: Record<string, string> = {};

/** A project in `sub/` printing the VERSION file of the checkout it runs from. */
const MLPROJECT = 'name: versioned\nentry_points:\n  main:\n    command: "cat ../VERSION"\n';

beforeAll(async () => {
  cli = await buildAll();
  relay = await startTestRelay();
  client = await reader(relay, tmp.path);
  // main: c1 (tag v1) → c2 → c4; dev: c3 from c2. c2 is named by no branch or tag.
  const work = join(tmp.path, 'work');
  gitIn(tmp.path, 'init', '--quiet', '--bare', bare);
  gitIn(bare, 'config', 'uploadpack.allowReachableSHA1InWant', 'true');
  gitIn(tmp.path, 'init', '--quiet', work);
  const commit = (name: string, version: string) => {
    writeProject(work, { 'sub/MLproject': MLPROJECT, VERSION: `${version}\n` });
    gitIn(work, 'add', '-A');
    gitIn(work, 'commit', '--quiet', '-m', name);
    commits[name] = gitIn(work, 'rev-parse', 'HEAD');
  };
  commit('c1', 'one');
  gitIn(work, 'tag', 'v1');
  commit('c2', 'two');
  gitIn(work, 'checkout', '--quiet', '-b', 'dev');
  commit('c3', 'three');
  gitIn(work, 'checkout', '--quiet', 'main');
  commit('c4', 'four');
  gitIn(work, 'remote', 'add', 'origin', bare);
  gitIn(work, 'push', '--quiet', 'origin', 'main', 'dev', 'v1');
});

afterAll(async () => {
  await client?.close({ timeoutMs: 1_000 });
  await relay?.dispose();
  tmp.remove();
});

const env = () => ({ CAIRN_RELAY: relay.url, CAIRN_PROJECTS_CACHE: cache });

async function runOk(args: string[]) {
  const r = await runCairn(cli, ['run', ...args], { env: env() });
  expect(r.code, r.stderr).toBe(0);
  return { ...r, run: (await client.getRun(r.runId!))! };
}

describe('git sources', () => {
  it('[RUN-3] a branch: shallow clone at its tip, commit, branch and repo URL recorded, #subdir is where it runs', async () => {
    const uri = `${pathToFileURL(bare).href}#sub`;
    const { stdout, run } = await runOk([uri, '--version', 'dev']);
    expect(stdout).toBe('three\n');
    expect(run.tags).toMatchObject({
      [PROJECT_TAGS.gitCommit]: commits.c3,
      [PROJECT_TAGS.gitBranch]: 'dev',
      [PROJECT_TAGS.version]: 'dev',
      [PROJECT_TAGS.uri]: uri,
    });
    expect(run.tags[PROJECT_TAGS.gitRepoUrl]).toBe(bare);
    // The checkout is shallow: one commit.
    const checkouts = execFileSync('ls', [cache], { encoding: 'utf8' }).trim().split('\n');
    const counts = checkouts.map((d) => gitIn(join(cache, d), 'rev-list', '--count', 'HEAD'));
    expect(counts).toContain('1');
  });

  it('[RUN-3] a tag runs its commit and records no branch; no version runs the default branch', async () => {
    const tag = await runOk([`${bare}#sub`, '--version', 'v1']);
    expect(tag.stdout).toBe('one\n');
    expect(tag.run.tags[PROJECT_TAGS.gitCommit]).toBe(commits.c1);
    expect(tag.run.tags[PROJECT_TAGS.gitBranch]).toBeUndefined();
    const head = await runOk([`${bare}#sub`]);
    expect(head.stdout).toBe('four\n');
    expect(head.run.tags[PROJECT_TAGS.gitCommit]).toBe(commits.c4);
    expect(head.run.tags[PROJECT_TAGS.version]).toBeUndefined();
  });

  it('[RUN-3] a commit no branch or tag names is fetched by itself (depth 1) and run', async () => {
    const { stdout, run } = await runOk([`${bare}#sub`, '--version', commits.c2!]);
    expect(stdout).toBe('two\n');
    expect(run.tags[PROJECT_TAGS.gitCommit]).toBe(commits.c2);
    expect(run.tags[PROJECT_TAGS.gitBranch]).toBeUndefined();
    // Its cache folder (sha256 of URI and version) holds that one commit, not the repository's history.
    const dir = join(cache, createHash('sha256').update(`${bare}\0${commits.c2}`).digest('hex'));
    expect(gitIn(dir, 'rev-list', '--count', 'HEAD')).toBe('1');
  });

  it('[RUN-3] an unknown version and a subdir with .. are refused before a run exists', async () => {
    const a = await runCairn(cli, ['run', `${bare}#sub`, '--version', 'no-such-branch'], { env: env() });
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("'no-such-branch' is not a branch, tag or commit");
    const b = await runCairn(cli, ['run', `${bare}#../sub`], { env: env() });
    expect(b.code).toBe(1);
    expect(a.runId ?? b.runId).toBeUndefined();
  });

  it('[RUN-4] a folder in a git checkout runs in place with its commit and origin URL; --version clones the checkout at that version', async () => {
    const work = join(tmp.path, 'work');
    const inPlace = await runOk([join(work, 'sub')]);
    expect(inPlace.stdout).toBe('four\n');
    expect(inPlace.run.tags).toMatchObject({ [PROJECT_TAGS.gitCommit]: commits.c4, [PROJECT_TAGS.gitRepoUrl]: bare, [PROJECT_TAGS.sourceName]: bare });
    const atTag = await runOk([`${work}#sub`, '--version', 'v1']);
    expect(atTag.stdout).toBe('one\n');
    expect(atTag.run.tags).toMatchObject({ [PROJECT_TAGS.gitCommit]: commits.c1, [PROJECT_TAGS.gitRepoUrl]: bare, [PROJECT_TAGS.version]: 'v1' });
    // MLflow's rule: --version needs the checkout's top (or a repository), not a folder inside it.
    const inner = await runCairn(cli, ['run', join(work, 'sub'), '--version', 'v1'], { env: env() });
    expect(inner.code).toBe(1);
    expect(inner.stderr).toContain('is not the top of a git checkout');
  });

  it('[RUN-4] --version on a folder that is not in git is refused', async () => {
    const dir = writeProject(join(tmp.path, 'plain'), { MLproject: 'entry_points:\n  main:\n    command: "true"\n' });
    const r = await runCairn(cli, ['run', dir, '--version', 'main'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Setting a version is only supported for git project URIs');
    expect(r.runId).toBeUndefined();
  });
});

describe('folders and zips', () => {
  let server: Server;
  let zipUrl: string;
  const zipFile = join(tmp.path, 'project.zip');

  beforeAll(async () => {
    // A deflated zip as `zip` writes it, its files under one top folder (as GitHub's archives are).
    const src = writeProject(join(tmp.path, 'zipsrc'), {
      'proj-main/MLproject': 'entry_points:\n  main:\n    parameters:\n      who: {type: string, default: zip}\n    command: "sh hello.sh {who}"\n',
      'proj-main/hello.sh': 'echo "hello from $1"\n',
      'proj-main/pad.txt': 'x'.repeat(5000),
    });
    execFileSync('zip', ['-q', '-r', zipFile, 'proj-main'], { cwd: src });
    server = createServer((req, res) => {
      if (req.url === '/data/train.csv') return void res.writeHead(200).end('x,y\n1,2\n');
      if (req.url !== '/p.zip') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/zip' }).end(readFileSync(zipFile));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    zipUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/p.zip`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('[RUN-2] a local zip (deflated, one top folder) is extracted into the cache and run', async () => {
    const { stdout, run } = await runOk([zipFile, '-P', 'who=local zip']);
    expect(stdout).toBe('hello from local zip\n');
    expect(run.tags[PROJECT_TAGS.sourceName]).toBe(zipFile);
    expect(run.tags[PROJECT_TAGS.gitCommit]).toBeUndefined();
  });

  it('[RUN-2] a zip over http(s) is downloaded and run; --version on a zip is refused', async () => {
    const { stdout, run } = await runOk([zipUrl]);
    expect(stdout).toBe('hello from zip\n');
    expect(run.tags[PROJECT_TAGS.uri]).toBe(zipUrl);
    const r = await runCairn(cli, ['run', zipUrl, '--version', 'v1'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--version is only supported for git project URIs');
  });

  it('[RUN-6] a path param given as an http URL is downloaded and the child gets the local file; an s3 URI is refused before a run', async () => {
    const dir = writeProject(join(tmp.path, 'paths'), { MLproject: 'entry_points:\n  main:\n    parameters:\n      data: path\n    command: "cat {data} && echo {data}"\n' });
    const url = zipUrl.replace('/p.zip', '/data/train.csv');
    const { stdout, run } = await runOk([dir, '-P', `data=${url}`]);
    const [content, path] = [stdout.slice(0, stdout.lastIndexOf('\n', stdout.length - 2) + 1), stdout.trim().split('\n').pop()!];
    expect(content).toBe('x,y\n1,2\n');
    expect(path).toMatch(/\/storage\/train\.csv$/);
    // The run records the URI (the download is gone after the run; --from-run fetches it again).
    expect(run.params.data).toBe(url);
    const s3 = await runCairn(cli, ['run', dir, '-P', 'data=s3://bucket/train.csv'], { env: env() });
    expect(s3.code).toBe(1);
    expect(s3.stderr).toContain("Cannot download 's3://bucket/train.csv' for a path parameter");
    expect(s3.runId).toBeUndefined();
  });

  it('[RUN-1] a folder runs in place, a file:// URI the same, #subdir picks a folder, a missing one is refused', async () => {
    const dir = writeProject(join(tmp.path, 'folder'), {
      'MLproject': 'entry_points:\n  main:\n    command: "echo top"\n',
      'inner/MLproject': 'entry_points:\n  main:\n    command: "pwd"\n',
    });
    expect((await runOk([dir])).stdout).toBe('top\n');
    const sub = await runOk([`${pathToFileURL(dir).href}#inner`]);
    expect(sub.stdout.trim()).toBe(join(dir, 'inner'));
    expect(sub.run.tags[PROJECT_TAGS.sourceName]).toBe(dir);
    const missing = await runCairn(cli, ['run', `${dir}#nope`], { env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No folder 'nope'");
    const none = await runCairn(cli, ['run', join(tmp.path, 'no-such-dir')], { env: env() });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No project folder at');
  });

  it('[RUN-1] without an MLproject the entry point is a script file of the project', async () => {
    const dir = writeProject(join(tmp.path, 'scripts'), { 'go.sh': 'echo "script ran with $# args"\n', 'go.py': 'import sys\nprint("py", sys.argv[1:])\n' });
    writeFileSync(join(dir, 'unused.txt'), 'x');
    expect((await runOk([dir, '-e', 'go.sh'])).stdout).toBe('script ran with 0 args\n');
    expect((await runOk([dir, '-e', 'go.py', '-P', 'n=1'])).stdout).toBe("py ['--n', '1']\n");
    const r = await runCairn(cli, ['run', dir], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Could not find main among entry points []');
  });
});

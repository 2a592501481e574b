import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import {
  PROJECT_SOURCE_TYPE,
  PROJECT_TAGS,
  checkGitVersion,
  fromRunCommand,
  localFolderKind,
  parseParamArgs,
  parseProjectUri,
  projectRunInfo,
  reproduceCommand,
  shellQuote,
} from '@/lib/projects';

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    expect((e as CairnError).code).toBe('INVALID_PARAMETER_VALUE');
    return (e as CairnError).message;
  }
  throw new Error('not refused');
}

/** The argv `sh` makes of a command line (after its first word). */
function words(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const T = PROJECT_TAGS;

describe('lib/projects project URIs', () => {
  it('[PROJ-U1] #subdir is split off at the first #, normalised, and may not hold . or .. segments', () => {
    expect(parseProjectUri('https://github.com/mlflow/mlflow-example.git#examples/sklearn')).toMatchObject({
      base: 'https://github.com/mlflow/mlflow-example.git',
      subdir: 'examples/sklearn',
      kind: 'git',
    });
    expect(parseProjectUri('./proj#a//b/').subdir).toBe('a/b');
    expect(parseProjectUri('./proj#').subdir).toBe('');
    expect(parseProjectUri('./proj#a#b').subdir).toBe('a#b');
    // Cairn allows dots inside names (v1.2); MLflow refuses any '.', which is coarser than the escape it guards against.
    expect(parseProjectUri('./proj#v1.2/src').subdir).toBe('v1.2/src');
    for (const sub of ['..', '../x', 'a/../../b', './a', 'a/.']) {
      expect(refused(() => parseProjectUri(`./proj#${sub}`)), sub).toBe(`'.' and '..' are not allowed in project subdirectory paths ('${sub}')`);
    }
    expect(refused(() => parseProjectUri('./proj#/etc'))).toBe("Project subdirectory '/etc' must be a relative path with '/' separators");
    expect(refused(() => parseProjectUri('./proj#a\\..\\b'))).toMatch(/must be a relative path/);
    expect(refused(() => parseProjectUri('#sub'))).toBe("No project URI given ('#sub')");
    expect(parseProjectUri('examples/x#sub').uri).toBe('examples/x#sub');
  });

  it('[PROJ-U2] a URI is a local folder, a zip (local or http[s]) or git, from its text', () => {
    const kind = (u: string) => {
      const p = parseProjectUri(u);
      return [p.kind, p.path, p.remote];
    };
    expect(kind('.')).toEqual(['local', '.', false]);
    expect(kind('examples/iris')).toEqual(['local', 'examples/iris', false]);
    expect(kind('/abs/proj')).toEqual(['local', '/abs/proj', false]);
    expect(kind('./has:colon')).toEqual(['local', './has:colon', false]);
    expect(kind('C:\\work\\proj')).toEqual(['local', 'C:\\work\\proj', false]);
    expect(kind('file:///tmp/my%20proj')).toEqual(['local', '/tmp/my proj', false]);
    expect(kind('file:///srv/repos/proj.git')).toEqual(['local', '/srv/repos/proj.git', false]);
    expect(kind('file://relative/dir')).toEqual(['local', 'relative/dir', false]);
    expect(kind('file:/abs')).toEqual(['local', '/abs', false]);
    expect(kind('proj.zip')).toEqual(['zip', 'proj.zip', false]);
    expect(kind('file:///tmp/proj.zip')).toEqual(['zip', '/tmp/proj.zip', false]);
    expect(kind('https://example.com/p.zip')).toEqual(['zip', undefined, true]);
    expect(kind('http://127.0.0.1:9/p.zip')).toEqual(['zip', undefined, true]);
    for (const g of ['https://github.com/mlflow/mlflow-example', 'https://h/x.git', 'ssh://git@h/x.git', 'git://h/x', 'git@github.com:mlflow/mlflow-example.git', 'host:repo']) {
      expect(kind(g), g).toEqual(['git', undefined, false]);
    }
    // MLflow's test_is_zip_uri, case for case.
    for (const z of ['http://foo.bar/moo.zip', 'https://foo.bar/moo.zip', 'file:///moo.zip', 'file://C:/moo.zip', '/moo.zip', 'C:/moo.zip']) {
      expect(parseProjectUri(z).kind, z).toBe('zip');
    }
    for (const z of ['http://foo.bar/moo', 'https://foo.bar/moo', 'file:///moo', 'file://C:/moo', '/moo', 'C:/moo']) {
      expect(parseProjectUri(z).kind, z).not.toBe('zip');
    }
    expect(parseProjectUri('file://C:/moo.zip').path).toBe('C:/moo.zip');
    expect(refused(() => parseProjectUri('s3://bucket/p.zip'))).toBe("Cannot fetch a zip project from 's3:' (http, https or a local file)");
    expect(refused(() => parseProjectUri('s3://bucket/proj'))).toMatch(/^Cannot fetch a project from 's3:' URIs/);
    expect(refused(() => parseProjectUri('git@h:p.zip'))).toMatch(/^Cannot fetch a zip project from 'git@h:p.zip'/);
    expect(refused(() => parseProjectUri('file:///bad%zz'))).toBe("'file:///bad%zz' is not a valid file URI (bad %-escape)");
  });

  it('[PROJ-U3] a local folder is a bare repo, a git working tree or plain; a --version is one safe git argument', () => {
    expect(localFolderKind(['HEAD', 'objects', 'refs', 'config'])).toBe('git-bare');
    expect(localFolderKind(['.git', 'MLproject'])).toBe('git-worktree');
    expect(localFolderKind(['MLproject', 'HEAD'])).toBe('plain');
    for (const v of ['main', 'v1.2.0', 'feature/x', 'a'.repeat(40), 'abc1234', 'release-2024_01']) expect(checkGitVersion(v)).toBe(v);
    for (const v of ['', '--upload-pack=touch /tmp/x', '-b', 'a..b', 'a b', 'x~1', 'x^', 'a:b', 'x.lock', 'x/', 'a@{1}', 'a\nb', 'x*', '[x']) {
      expect(refused(() => checkGitVersion(v)), JSON.stringify(v)).toBe(`'${v}' is not a git branch, tag or commit`);
    }
  });
});

describe('lib/projects reproduce', () => {
  const base = {
    [T.sourceType]: PROJECT_SOURCE_TYPE,
    [T.sourceName]: 'https://github.com/acme/proj.git',
    [T.uri]: 'https://github.com/acme/proj.git#train',
    [T.entryPoint]: 'main',
    [T.gitCommit]: 'c'.repeat(40),
    [T.version]: 'main',
    [T.gitBranch]: 'main',
    [T.env]: 'node',
  };

  it('[PROJ-R1] projectRunInfo reads a project run back from its tags; any other run is null', () => {
    const info = projectRunInfo(base, { alpha: '0.5' }, '7')!;
    expect(info).toEqual({
      uri: 'https://github.com/acme/proj.git#train',
      entryPoint: 'main',
      version: 'c'.repeat(40),
      requestedVersion: 'main',
      sourceName: 'https://github.com/acme/proj.git',
      gitRepoUrl: undefined,
      gitBranch: 'main',
      env: 'node',
      params: { alpha: '0.5' },
      experimentId: '7',
      reproducedFrom: undefined,
    });
    expect(projectRunInfo({ [T.sourceType]: 'LOCAL', [T.uri]: 'x' }, {})).toBeNull();
    expect(projectRunInfo({ [T.sourceType]: PROJECT_SOURCE_TYPE }, {})).toBeNull();
    // A run MLflow's own `mlflow run` made: no cairn.* tags; the source name is the URI, the entry point defaults to main.
    const mlflow = projectRunInfo({ [T.sourceType]: PROJECT_SOURCE_TYPE, [T.sourceName]: 'git@github.com:a/b.git' }, {})!;
    expect([mlflow.uri, mlflow.entryPoint, mlflow.version]).toEqual(['git@github.com:a/b.git', 'main', undefined]);
    expect(projectRunInfo({ ...base, [T.reproducedFrom]: 'r1' }, {})!.reproducedFrom).toBe('r1');
  });

  it('[PROJ-R2] reproduceCommand: same URI with #subdir, entry point, pinned commit, params by name, experiment', () => {
    const params = { zeta: 'two words', alpha: '0.5', data: '/abs/data dir/x.csv', evil: "$(touch x)'; rm -rf /" };
    const line = reproduceCommand(projectRunInfo(base, params, '7')!);
    expect(line).toBe(
      `cairn run 'https://github.com/acme/proj.git#train' -e main --version ${'c'.repeat(40)} -P alpha=0.5 -P 'data=/abs/data dir/x.csv' ` +
        `-P 'evil=$(touch x)'\\''; rm -rf /' -P 'zeta=two words' --experiment-id 7`,
    );
    // Every value arrives as one word, untouched, when a shell reads the line.
    expect(words(line)).toEqual([
      'cairn', 'run', 'https://github.com/acme/proj.git#train', '-e', 'main', '--version', 'c'.repeat(40),
      '-P', 'alpha=0.5', '-P', 'data=/abs/data dir/x.csv', '-P', "evil=$(touch x)'; rm -rf /", '-P', 'zeta=two words',
      '--experiment-id', '7',
    ]);
    // The CLI reads the -P words back into exactly the params the run logged.
    const argv = words(line);
    const pArgs = argv.flatMap((w, i) => (argv[i - 1] === '-P' ? [w] : []));
    expect(parseParamArgs(pArgs)).toEqual(params);
    // A git run without a recorded commit falls back to the version it asked for.
    expect(reproduceCommand(projectRunInfo({ ...base, [T.gitCommit]: '' }, {})!)).toContain('--version main');
  });

  it('[PROJ-R2] a local folder is pinned only when the run was given a version; a zip never', () => {
    const local = { ...base, [T.uri]: 'examples/iris#sub', [T.sourceName]: '/repo/examples/iris' };
    const noVersion = { ...local };
    delete (noVersion as Record<string, string>)[T.version];
    expect(reproduceCommand(projectRunInfo(noVersion, {})!)).toBe("cairn run 'examples/iris#sub' -e main");
    expect(reproduceCommand(projectRunInfo(local, {})!)).toBe(`cairn run 'examples/iris#sub' -e main --version ${'c'.repeat(40)}`);
    const zip = { ...noVersion, [T.uri]: 'https://h/p.zip' };
    expect(reproduceCommand(projectRunInfo(zip, { a: '1' })!)).toBe('cairn run https://h/p.zip -e main -P a=1');
    // A URI that does not parse is still reproduced as recorded.
    expect(reproduceCommand(projectRunInfo({ ...base, [T.uri]: 's3://b/x' }, {})!)).toContain(`--version ${'c'.repeat(40)}`);
  });

  it('[PROJ-R3] fromRunCommand is the short form, quoted', () => {
    expect(fromRunCommand('0a1b2c')).toBe('cairn run --from-run 0a1b2c');
    expect(fromRunCommand('odd id')).toBe(`cairn run --from-run ${shellQuote('odd id')}`);
    expect(words(fromRunCommand("x'$(y)"))).toEqual(['cairn', 'run', '--from-run', "x'$(y)"]);
  });
});

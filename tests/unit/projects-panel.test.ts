import { describe, expect, it } from 'vitest';
import { ARTIFACT_PARAM, runArtifactHref, withArtifact } from '@/components/artifacts/artifact-link';
import { viewerKind } from '@/components/artifacts/viewer-kind';
import { mlprojectArtifact, projectVersion, sourceHref, sourceText, trackingEnv } from '@/components/projects/project-view';
import { asSha256, type ArtifactRef } from '@/lib/domain';
import { PROJECT_ARTIFACTS, PROJECT_TAGS } from '@/lib/projects';

/* components/projects/SPEC.md: the project panels' pure logic (the panels themselves: tests/e2e/projects-panel.spec.ts). */

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

describe('project panels: pure logic', () => {
  it('[PROJUI-1] the version is the git commit (short and whole), with the branch and a --version that is not the commit itself', () => {
    expect(projectVersion({ [PROJECT_TAGS.gitCommit]: COMMIT, [PROJECT_TAGS.gitBranch]: 'main', [PROJECT_TAGS.version]: 'v1.2' })).toEqual({
      commit: { short: '0123456789', full: COMMIT },
      requested: 'v1.2',
      branch: 'main',
      contentHash: null,
    });
    // `--version <commit>`: the commit is shown once, not again as the version asked for.
    expect(projectVersion({ [PROJECT_TAGS.gitCommit]: COMMIT, [PROJECT_TAGS.version]: COMMIT }).requested).toBeNull();
    // A local folder: no git, no version; what it ran as is its content hash.
    const hash = 'c0ffee'.repeat(10) + 'abcd';
    expect(projectVersion({ [PROJECT_TAGS.contentHash]: hash })).toEqual({ commit: null, requested: null, branch: null, contentHash: { short: hash.slice(0, 10), full: hash } });
    // Empty tag values read as absent, not as an empty commit.
    expect(projectVersion({ [PROJECT_TAGS.gitCommit]: '', [PROJECT_TAGS.gitBranch]: '', [PROJECT_TAGS.contentHash]: '' })).toEqual({ commit: null, requested: null, branch: null, contentHash: null });
  });

  it('[PROJUI-2] only an https source links; credentials are left out of the link and the text', () => {
    const repo = 'https://github.com/example/demo.git';
    expect(sourceHref({ gitRepoUrl: repo, sourceName: repo })).toBe(repo);
    // The git repo URL first; the source name when there is none.
    expect(sourceHref({ gitRepoUrl: undefined, sourceName: repo })).toBe(repo);
    expect(sourceHref({ gitRepoUrl: 'git@github.com:example/demo.git', sourceName: repo })).toBe(repo);
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'http://example.com/demo.git', 'git@github.com:example/demo.git', '/home/me/demo', 'examples/iris', 'data:text/html,<b>x</b>']) {
      expect(sourceHref({ gitRepoUrl: bad, sourceName: bad }), bad).toBeNull();
    }
    expect(sourceHref({ gitRepoUrl: undefined, sourceName: undefined })).toBeNull();
    const withToken = 'https://ci-bot:s3cret@github.com/example/demo.git';
    expect(sourceHref({ gitRepoUrl: withToken, sourceName: withToken })).toBe(repo);
    expect(sourceText(withToken)).toBe(repo);
    expect(sourceText('http://tok@git.internal/demo.git#sub')).toBe('http://git.internal/demo.git#sub');
    // Not URLs, or URLs without credentials: as they are.
    expect(sourceText('examples/iris#train')).toBe('examples/iris#train');
    expect(sourceText('git@github.com:example/demo.git')).toBe('git@github.com:example/demo.git');
    expect(sourceText('file:///home/me/demo')).toBe('file:///home/me/demo');
  });

  it('[PROJUI-3] the tracking environment names this relay: the REST door (/w/<workspace> unless Default) or CAIRN_RELAY + CAIRN_WORKSPACE, shell-quoted', () => {
    expect(trackingEnv('http://127.0.0.1:5000/', 'default')).toEqual({
      mlflow: 'MLFLOW_TRACKING_URI=http://127.0.0.1:5000',
      cairn: 'CAIRN_RELAY=http://127.0.0.1:5000',
    });
    expect(trackingEnv('https://relay.example.com', 'team-a')).toEqual({
      mlflow: 'MLFLOW_TRACKING_URI=https://relay.example.com/w/team-a',
      cairn: 'CAIRN_RELAY=https://relay.example.com CAIRN_WORKSPACE=team-a',
    });
    // A workspace name with a space: one shell word either way.
    expect(trackingEnv('http://h:1', 'my ws')).toEqual({
      mlflow: 'MLFLOW_TRACKING_URI=http://h:1/w/my%20ws',
      cairn: "CAIRN_RELAY=http://h:1 CAIRN_WORKSPACE='my ws'",
    });
    expect(trackingEnv(null, 'default')).toBeNull();
  });

  it('[PROJUI-5] project/MLproject is found among the artifacts, opens as text, and its link puts it in the run page URL', () => {
    const ref = (path: string): ArtifactRef => ({ path, sha256: asSha256('a'.repeat(64)), size: 10, mediaType: 'application/octet-stream', loggedAt: 1 });
    expect(mlprojectArtifact([ref('model/MLmodel'), ref(PROJECT_ARTIFACTS.mlproject), ref(PROJECT_ARTIFACTS.output)])?.path).toBe('project/MLproject');
    // An MLproject elsewhere in the run (the code's own copy under another folder) is not the one cairn run logged.
    expect(mlprojectArtifact([ref('src/MLproject'), ref('project/output.log')])).toBeNull();
    expect(viewerKind(PROJECT_ARTIFACTS.mlproject, 'application/octet-stream')).toBe('text');
    expect(viewerKind(PROJECT_ARTIFACTS.mlproject, '')).toBe('text');

    const href = runArtifactHref('run 1&x', PROJECT_ARTIFACTS.mlproject);
    const url = new URL(href, 'http://app');
    expect(url.pathname).toBe('/run/');
    expect(url.searchParams.get('id')).toBe('run 1&x');
    expect(url.searchParams.get(ARTIFACT_PARAM)).toBe('project/MLproject');
    expect(url.hash).toBe('#run-artifacts');
    // Choosing a file keeps the page's other parameters; null clears the choice.
    const q = new URLSearchParams(withArtifact('id=abc&artifact=old.txt', 'logs/a b.log'));
    expect([q.get('id'), q.get(ARTIFACT_PARAM)]).toEqual(['abc', 'logs/a b.log']);
    expect(new URLSearchParams(withArtifact('id=abc&artifact=old.txt', null)).has(ARTIFACT_PARAM)).toBe(false);
  });
});

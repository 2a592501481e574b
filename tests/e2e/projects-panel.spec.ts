import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { PROJECT_ARTIFACTS, PROJECT_TAGS, fromRunCommand, projectRunInfo, reproduceCommand } from '../../lib/projects';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { ProjectPanel } from './pages/project-panel';
import { RunPage } from './pages/run-page';

/*
 * components/projects/SPEC.md in the real app: runs logged by the Node SDK with the tags, params and artifacts
 * `cairn run` gives a project run (lib/projects PROJECT_TAGS / PROJECT_ARTIFACTS), read by the run page against a real
 * relay: the Project panel, the Reproduce panel's commands and their Copy buttons (the real clipboard), the MLproject
 * in the artifact viewer, and no panel on a run that did not come from a project.
 */

const COMMIT = '4f2c9a1b7e3d5f60718293a4b5c6d7e8f9012345';
const CONTENT_HASH = '9e107d9d372bb6826bd81d3542a419d6e277d4d731479571562b82f74494341f';
const REPO = 'https://github.com/example/cairn-demo.git';
const MLPROJECT = `name: iris-demo
node_env:
  node: ">=20"
entry_points:
  train:
    parameters:
      lr: {type: float, default: 0.1}
      data: path
    command: "node train.ts --lr {lr} --data {data}"
`;
/** A value a shell would act on: the command must quote it, the panel must show it as it is. */
const HOSTILE = `it's $(touch /tmp/pwned) a "file"`;
const bytes = (s: string) => new TextEncoder().encode(s);

function projectTags(extra: Record<string, string> = {}): Record<string, string> {
  return {
    [PROJECT_TAGS.sourceName]: REPO,
    [PROJECT_TAGS.sourceType]: 'PROJECT',
    [PROJECT_TAGS.entryPoint]: 'train',
    [PROJECT_TAGS.env]: 'node',
    [PROJECT_TAGS.backend]: 'local',
    [PROJECT_TAGS.gitCommit]: COMMIT,
    [PROJECT_TAGS.gitRepoUrl]: REPO,
    [PROJECT_TAGS.gitBranch]: 'main',
    [PROJECT_TAGS.uri]: `${REPO}#examples/iris`,
    [PROJECT_TAGS.version]: 'v1.2',
    [PROJECT_TAGS.envManager]: 'local',
    [PROJECT_TAGS.contentHash]: CONTENT_HASH,
    ...extra,
  };
}

test('[PROJUI-1][PROJUI-3][PROJUI-4][PROJUI-5] a project run shows its source, version, entry point and params, the exact reproduce commands with working Copy buttons, and its MLproject in the viewer; a plain run shows no panel', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const relay = new URL(baseURL!).origin;
  const data = tempDir('cairn-projui-');
  const context = await browser.newContext({ baseURL });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const pageErrors = collectPageErrors(context);
  try {
    const client = await connect({ relay, workspace: 'default', dataDir: data.path });
    const experimentId = await client.createExperiment(`projui-${Date.now()}`);
    const params = { lr: '0.01', data: HOSTILE, epochs: '3' };
    const original = await client.startRun({ experimentId, runName: 'first-train', tags: projectTags() });
    original.logParams(params);
    await original.end();
    const tags = projectTags({ [PROJECT_TAGS.reproducedFrom]: original.id });
    const run = await client.startRun({ experimentId, runName: 'train-again', tags });
    run.logParams(params);
    await run.logArtifact(PROJECT_ARTIFACTS.mlproject, bytes(MLPROJECT));
    await run.logArtifact(PROJECT_ARTIFACTS.output, bytes('epoch 1 loss 0.5\n'));
    await run.end();
    const plain = await client.startRun({ experimentId, runName: 'plain', tags: { 'mlflow.source.name': 'train.py', 'mlflow.source.type': 'LOCAL' } });
    plain.logParam('lr', '0.5');
    await plain.end();
    await client.flush();
    await client.close();

    const page = await context.newPage();
    const rp = new RunPage(page);
    const pp = new ProjectPanel(page);
    await rp.goto(run.id);
    await expect(rp.name).toHaveText('train-again', { timeout: FIRST_LOAD_TIMEOUT });

    // PROJUI-1: source (linked: https), version, entry point, env, URI as given, params, reproduced-from.
    await expect(pp.source).toContainText('Source');
    await expect(pp.source.getByRole('link', { name: REPO })).toHaveAttribute('href', REPO);
    await expect(pp.source.getByRole('link', { name: REPO })).toHaveAttribute('rel', /noopener/);
    await expect(pp.commit).toContainText('Git Commit');
    await expect(pp.commit.getByTitle(COMMIT)).toHaveText(COMMIT.slice(0, 10));
    await expect(pp.branch).toContainText('main');
    await expect(pp.version).toContainText('v1.2');
    await expect(pp.contentHash.getByTitle(`sha256 ${CONTENT_HASH}`)).toHaveText(CONTENT_HASH.slice(0, 10));
    await expect(pp.entryPoint).toContainText('Entry Point');
    await expect(pp.entryPoint).toContainText('train');
    await expect(pp.env).toContainText('node');
    await expect(pp.uri).toContainText(`${REPO}#examples/iris`);
    await expect(pp.param('lr')).toHaveText('0.01');
    await expect(pp.param('epochs')).toHaveText('3');
    await expect(pp.param('data')).toHaveText(HOSTILE);

    // PROJUI-3: the command is lib/projects' for these tags, params and experiment, character for character.
    const expected = reproduceCommand(projectRunInfo(tags, params, experimentId)!);
    expect(expected).toContain(`--experiment-id ${experimentId}`);
    await expect(pp.command).toHaveText(expected);
    await expect(pp.fromRun).toHaveText(fromRunCommand(run.id));
    await expect(pp.envLine).toContainText(`MLFLOW_TRACKING_URI=${relay}`);
    await expect(pp.envLine).toContainText(`CAIRN_RELAY=${relay}`);

    // PROJUI-4: each Copy button puts exactly its text on the clipboard and says so; keyboard: focus + Enter.
    await pp.copyButton('Copy reproduce command').click();
    await expect(pp.copyButton('Copy reproduce command')).toHaveText('Copied');
    expect(await pp.clipboard()).toBe(expected);
    await expect(pp.copyButton('Copy reproduce command')).toHaveText('Copy', { timeout: 5_000 });
    await pp.copyButton('Copy from-run command').focus();
    await page.keyboard.press('Enter');
    await expect(pp.copyButton('Copy from-run command')).toHaveText('Copied');
    expect(await pp.clipboard()).toBe(fromRunCommand(run.id));
    await pp.copyButton('Copy git commit').click();
    await expect(pp.copyButton('Copy git commit')).toHaveText('Copied');
    expect(await pp.clipboard()).toBe(COMMIT);

    // PROJUI-5: "View MLproject" opens it in the text viewer; again after another file was picked; the URL reopens it.
    await pp.viewMLproject.click();
    await expect(rp.viewer).toHaveAttribute('data-kind', 'text');
    await expect(rp.viewer).toContainText(PROJECT_ARTIFACTS.mlproject);
    await expect(page.getByTestId('artifact-text')).toHaveText(MLPROJECT);
    await expect(page).toHaveURL(/[?&]artifact=project%2FMLproject/);
    await rp.openArtifact('output.log');
    await expect(page.getByTestId('artifact-text')).toHaveText('epoch 1 loss 0.5\n');
    await pp.viewMLproject.click();
    await expect(page.getByTestId('artifact-text')).toHaveText(MLPROJECT);
    await page.reload();
    await expect(page.getByTestId('artifact-text')).toHaveText(MLPROJECT, { timeout: FIRST_LOAD_TIMEOUT });
    // Among the artifacts too: the tree's own button opens it.
    await rp.openArtifact('output.log');
    await rp.openArtifact('MLproject');
    await expect(page.getByTestId('artifact-text')).toHaveText(MLPROJECT);

    // PROJUI-1: "Reproduced from" links the original run, whose page has the panel but no such line.
    await pp.reproducedFrom.getByRole('link', { name: original.id }).click();
    await expect(rp.name).toHaveText('first-train', { timeout: FIRST_LOAD_TIMEOUT });
    await expect(pp.command).toHaveText(reproduceCommand(projectRunInfo(projectTags(), params, experimentId)!));
    await expect(pp.reproducedFrom).toHaveCount(0);
    await expect(pp.viewMLproject).toHaveCount(0);

    // A run that did not come from a project: no panel, and its overview still shows its source.
    await rp.goto(plain.id);
    await expect(rp.name).toHaveText('plain', { timeout: FIRST_LOAD_TIMEOUT });
    await expect(rp.overview.getByTestId('run-source')).toContainText('train.py');
    await expect(rp.params).toContainText('0.5');
    await expect(pp.root).toHaveCount(0);
    await expect(pp.reproduce).toHaveCount(0);
    expect(pageErrors()).toEqual([]);
  } finally {
    await context.close();
    data.remove();
  }
});

test('[PROJUI-2][PROJUI-4] a remote with a token is shown and linked without it; where the browser has no clipboard the command is selected to copy by hand', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const relay = new URL(baseURL!).origin;
  const data = tempDir('cairn-projui-');
  const context = await browser.newContext({ baseURL });
  // An http origin other than localhost has no navigator.clipboard at all; this page is made the same.
  await context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
  });
  const pageErrors = collectPageErrors(context);
  try {
    const client = await connect({ relay, workspace: 'default', dataDir: data.path });
    const experimentId = await client.createExperiment(`projui-token-${Date.now()}`);
    const secretRepo = 'https://ci-bot:s3cret-token@git.example.com/team/demo.git';
    const tags = projectTags({ [PROJECT_TAGS.sourceName]: secretRepo, [PROJECT_TAGS.gitRepoUrl]: secretRepo, [PROJECT_TAGS.uri]: 'javascript:alert(1)' });
    const run = await client.startRun({ experimentId, runName: 'token-run', tags });
    await run.end();
    await client.flush();
    await client.close();

    const page = await context.newPage();
    const rp = new RunPage(page);
    const pp = new ProjectPanel(page);
    await rp.goto(run.id);
    await expect(rp.name).toHaveText('token-run', { timeout: FIRST_LOAD_TIMEOUT });
    const clean = 'https://git.example.com/team/demo.git';
    await expect(pp.source.getByRole('link', { name: clean })).toHaveAttribute('href', clean);
    await expect(pp.source).not.toContainText('s3cret');
    // The URI as given is text, never a link, whatever it says.
    await expect(pp.uri).toContainText('javascript:alert(1)');
    await expect(pp.uri.getByRole('link')).toHaveCount(0);
    await expect(pp.params).toHaveCount(0);
    await expect(pp.root).toContainText('No project params.');

    await pp.copyButton('Copy reproduce command').click();
    await expect(pp.reproduce).toContainText('The browser refused the clipboard: the text is selected');
    await expect(pp.copyButton('Copy reproduce command')).toHaveText('Copy');
    expect(await page.evaluate(() => window.getSelection()?.toString())).toBe(reproduceCommand(projectRunInfo(tags, {}, experimentId)!));
    expect(pageErrors()).toEqual([]);
  } finally {
    await context.close();
    data.remove();
  }
});

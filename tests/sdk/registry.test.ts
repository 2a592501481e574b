import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Closer, expectCairnError, startTestRelay, type TestRelay } from './helpers';

describe('SDK model registry', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.dispose();
  });

  it('[SDK-25] registerModel creates the model and a version numbered by the relay; stages, aliases and tags reach another client; errors are MLflow’s', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: 'reg' });
      const run = await a.startRun({ experimentName: 'reg-exp' });
      await run.end();
      const v1 = await a.registry.registerModel(`runs:/${run.id}/model`, 'sdk-model');
      expect(v1).toMatchObject({ name: 'sdk-model', version: 1, status: 'READY', runId: run.id, source: `runs:/${run.id}/model` });
      const v2 = await a.registry.registerModel(`runs:/${run.id}/model2`, 'sdk-model');
      expect(v2.version).toBe(2);
      await a.registry.transitionModelVersionStage('sdk-model', 1, 'production');
      await a.registry.transitionModelVersionStage('sdk-model', 2, 'Production', true);
      await a.registry.setRegisteredModelAlias('sdk-model', 'champion', 2);
      await a.registry.setModelVersionTag('sdk-model', '2', 'validated', 'true');
      await expectCairnError(() => a.registry.setRegisteredModelAlias('sdk-model', 'latest', 1), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(() => a.registry.getModelVersion('sdk-model', 9), 'RESOURCE_DOES_NOT_EXIST');
      // A refused registration writes nothing: not even the model it would have created.
      await expectCairnError(() => a.registry.registerModel(`runs:/${run.id}/model`, 'refused-model', { tags: { 'bad key!': 'x' } }), 'INVALID_PARAMETER_VALUE');
      expect((await a.registry.listRegisteredModels()).map((m) => m.name)).toEqual(['sdk-model']);
      await a.flush();

      const b = await t.client({ relay: relay.url, workspace: 'reg' });
      expect((await b.registry.getModelVersionByAlias('sdk-model', 'champion')).version).toBe(2);
      expect((await b.registry.getLatestVersions('sdk-model')).map((v) => [v.version, v.stage])).toEqual([
        [1, 'Archived'],
        [2, 'Production'],
      ]);
      expect((await b.registry.getModelVersion('sdk-model', 2)).tags).toEqual({ validated: 'true' });
      expect(b.registry.resolveModelUri('models:/sdk-model@champion')).toMatchObject({ runId: run.id, artifactPath: 'model2' });
      const history = await b.registry.history('sdk-model', 1);
      expect(history.map((e) => e.kind)).toEqual(['version.create', 'version.number', 'version.stage', 'version.stage']);
      expect(history.filter((e) => e.kind === 'version.stage').map((e) => [e.from, e.to])).toEqual([
        ['None', 'Production'],
        ['Production', 'Archived'],
      ]);
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-25] offline, a registered version answers pending — never an invented number', async () => {
    const t = new Closer();
    try {
      const gone = await startTestRelay();
      const url = gone.url;
      await gone.dispose();
      const c = await t.client({ relay: url, workspace: 'reg-off' });
      const v = await c.registry.registerModel('runs:/f129209dad4a438aa17a8813ab8e00cc/model', 'offline', { awaitRegistrationFor: 300 });
      expect(v).toMatchObject({ version: null, status: 'PENDING_REGISTRATION' });
      const local = await t.client({ workspace: 'reg-local' });
      expect((await local.registry.registerModel('runs:/f129209dad4a438aa17a8813ab8e00cc/model', 'local-only')).version).toBeNull();
    } finally {
      await t.closeAll();
    }
  });
});

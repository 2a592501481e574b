import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { SEP, memoryCtx } from '@/lib/doc';
import { CairnError } from '@/lib/domain';
import * as reg from '@/lib/registry';

const RUN = 'f129209dad4a438aa17a8813ab8e00cc';

function setup(actor = 'alice', clock = { t: 1_000 }) {
  const ws = new Y.Doc();
  const c = memoryCtx(ws, actor, () => clock.t++);
  return { ws, c, clock };
}

function expectCode(f: () => unknown, code: string, message?: string | RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    expect((e as CairnError).code).toBe(code);
    if (message) expect((e as CairnError).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${code}`);
}

/** Versions created and numbered as the relay would (REG-N1). */
function version(c: ReturnType<typeof setup>['c'], name: string, extra: Partial<Parameters<typeof reg.createModelVersion>[1]> = {}) {
  const v = reg.createModelVersion(c, { name, source: `runs:/${RUN}/model`, runId: RUN, ...extra });
  reg.assignVersionNumbers(c);
  return reg.readRegistry(c.ws).versionById(v.versionId)!;
}

describe('lib/registry commands', () => {
  it('[REG-M1] [REG-M2] names: blank, too long or with / refused; a taken name RESOURCE_ALREADY_EXISTS; a missing one RESOURCE_DOES_NOT_EXIST, in MLflow words', () => {
    const { c } = setup();
    expectCode(() => reg.createRegisteredModel(c, { name: '' }), 'INVALID_PARAMETER_VALUE', /cannot be empty/);
    expectCode(() => reg.createRegisteredModel(c, { name: '   ' }), 'INVALID_PARAMETER_VALUE', /cannot be empty/);
    expectCode(() => reg.createRegisteredModel(c, { name: 'a/b' }), 'INVALID_PARAMETER_VALUE', /cannot contain '\/'/);
    expectCode(() => reg.createRegisteredModel(c, { name: 'x'.repeat(257) }), 'INVALID_PARAMETER_VALUE');
    const m = reg.createRegisteredModel(c, { name: 'oracle-model', description: 'd', tags: { owner: 'me' } });
    expect(m).toMatchObject({ name: 'oracle-model', description: 'd', tags: { owner: 'me' }, aliases: [], latestVersions: [], nameConflict: false });
    expectCode(() => reg.createRegisteredModel(c, { name: 'oracle-model' }), 'RESOURCE_ALREADY_EXISTS', 'Registered Model (name=oracle-model) already exists.');
    expectCode(() => reg.requireModel(c, 'nope'), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
    expectCode(() => reg.createModelVersion(c, { name: 'nope', source: 'runs:/x/y' }), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
  });

  it('[REG-V1] [REG-N1] [REG-N2] a version is pending until numbered; numbers are max+1 in creation order, deleted ones counted, never reused [REG-V2]', () => {
    const { c, ws } = setup();
    reg.createRegisteredModel(c, { name: 'm' });
    const a = reg.createModelVersion(c, { name: 'm', source: `runs:/${RUN}/model`, runId: RUN, description: 'first', tags: { v: 'one' } });
    expect(a).toMatchObject({ version: null, status: 'PENDING_REGISTRATION', stage: 'None', description: 'first', tags: { v: 'one' }, runLink: '' });
    const b = reg.createModelVersion(c, { name: 'm', source: 'mlflow-artifacts:/7/' + RUN + '/artifacts/model' });
    expect(reg.readRegistry(ws).pending.map((v) => v.versionId)).toEqual([a.versionId, b.versionId]);
    // The relay's cheap check (no view built) agrees, and follows numbers arriving from another replica too.
    expect(reg.mayHavePendingVersions(ws)).toBe(true);
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(ws));
    expect(reg.mayHavePendingVersions(other)).toBe(true);
    expect(reg.assignVersionNumbers(c)).toBe(2);
    expect(reg.assignVersionNumbers(c)).toBe(0);
    expect(reg.mayHavePendingVersions(ws)).toBe(false);
    Y.applyUpdate(other, Y.encodeStateAsUpdate(ws));
    expect(reg.mayHavePendingVersions(other)).toBe(false);
    const view = reg.readRegistry(ws);
    expect(view.versionById(a.versionId)).toMatchObject({ version: 1, status: 'READY' });
    expect(view.versionById(b.versionId)).toMatchObject({ version: 2, status: 'READY' });
    reg.deleteModelVersion(c, { name: 'm', version: '2' });
    expectCode(() => reg.requireVersion(c, 'm', 2), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=m, version=2) not found');
    expect(version(c, 'm').version).toBe(3);
    expectCode(() => reg.requireVersion(c, 'm', 'abc'), 'INVALID_PARAMETER_VALUE', /must be an integer/);
  });

  it('[REG-V3] a pending version is staged, described, tagged, aliased and deleted by its id before it has a number', () => {
    const { c, ws } = setup();
    reg.createRegisteredModel(c, { name: 'm' });
    const p = reg.createModelVersion(c, { name: 'm', source: `runs:/${RUN}/model` });
    const ref = { versionId: p.versionId };
    reg.transitionModelVersionStage(c, { name: 'm', version: ref, stage: 'Staging' });
    reg.updateModelVersion(c, { name: 'm', version: ref, description: 'offline' });
    reg.setModelVersionTag(c, { name: 'm', version: ref, key: 'k', value: 'v' });
    reg.setRegisteredModelAlias(c, { name: 'm', alias: 'next', version: ref });
    expect(reg.readRegistry(ws).versionById(p.versionId)).toMatchObject({ version: null, stage: 'Staging', description: 'offline', tags: { k: 'v' }, aliases: ['next'] });
    expectCode(() => reg.updateModelVersion(c, { name: 'm', version: { versionId: 'f'.repeat(32) }, description: 'x' }), 'RESOURCE_DOES_NOT_EXIST');
    // Numbered later, it keeps all of it; deleted by id, it is gone (and its number stays used).
    reg.assignVersionNumbers(c);
    expect(reg.requireVersion(c, 'm', 1).version).toMatchObject({ stage: 'Staging', description: 'offline', aliases: ['next'] });
    reg.deleteModelVersion(c, { name: 'm', version: ref });
    expectCode(() => reg.requireVersion(c, 'm', 1), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('[REG-S1] [REG-S2] stages in any case, stored canonical; archive_existing moves the others in that stage; refused for None; bad stage in MLflow words', () => {
    const { c } = setup();
    reg.createRegisteredModel(c, { name: 'm' });
    const [v1, v2, v3] = [version(c, 'm'), version(c, 'm'), version(c, 'm')];
    expect(reg.transitionModelVersionStage(c, { name: 'm', version: 1, stage: 'production' }).stage).toBe('Production');
    reg.transitionModelVersionStage(c, { name: 'm', version: 3, stage: 'Production' });
    reg.transitionModelVersionStage(c, { name: 'm', version: 2, stage: 'PRODUCTION', archiveExistingVersions: true });
    const view = reg.readRegistry(c.ws);
    expect([v1, v2, v3].map((v) => view.versionById(v.versionId)!.stage)).toEqual(['Archived', 'Production', 'Archived']);
    expectCode(
      () => reg.transitionModelVersionStage(c, { name: 'm', version: 1, stage: 'Bogus' }),
      'INVALID_PARAMETER_VALUE',
      'Invalid Model Version stage: Bogus. Value must be one of None, Staging, Production, Archived.',
    );
    expectCode(() => reg.transitionModelVersionStage(c, { name: 'm', version: 1, stage: 'None', archiveExistingVersions: true }), 'INVALID_PARAMETER_VALUE', /not an Active stage/);
    expect(reg.latestVersions(c, 'm').map((v) => [v.version, v.stage])).toEqual([
      [2, 'Production'],
      [3, 'Archived'],
    ]);
    expect(reg.latestVersions(c, 'm', ['production']).map((v) => v.version)).toEqual([2]);
  });

  it('[REG-A1] [REG-A2] [REG-A3] aliases: reserved names refused in MLflow words, set moves, a deleted version loses its aliases; a missing alias is INVALID_PARAMETER_VALUE', () => {
    const { c } = setup();
    reg.createRegisteredModel(c, { name: 'm' });
    version(c, 'm');
    version(c, 'm');
    expectCode(() => reg.setRegisteredModelAlias(c, { name: 'm', alias: 'latest', version: '1' }), 'INVALID_PARAMETER_VALUE', "'latest' alias name (case insensitive) is reserved.");
    expectCode(() => reg.setRegisteredModelAlias(c, { name: 'm', alias: 'LaTeSt', version: '1' }), 'INVALID_PARAMETER_VALUE', /reserved/);
    expectCode(() => reg.setRegisteredModelAlias(c, { name: 'm', alias: 'v1', version: '1' }), 'INVALID_PARAMETER_VALUE', "Version alias name 'v1' is reserved.");
    expectCode(() => reg.setRegisteredModelAlias(c, { name: 'm', alias: 'a b', version: '1' }), 'INVALID_PARAMETER_VALUE');
    expectCode(() => reg.setRegisteredModelAlias(c, { name: 'm', alias: 'x', version: '9' }), 'RESOURCE_DOES_NOT_EXIST');
    reg.setRegisteredModelAlias(c, { name: 'm', alias: 'champion', version: '1' });
    expect(reg.requireAlias(c, 'm', 'champion').version).toBe(1);
    reg.setRegisteredModelAlias(c, { name: 'm', alias: 'champion', version: '2' });
    expect(reg.requireAlias(c, 'm', 'champion').version).toBe(2);
    expect(reg.requireModel(c, 'm').aliases).toEqual([{ alias: 'champion', versionId: expect.any(String), version: 2 }]);
    expect(reg.requireVersion(c, 'm', 2).version.aliases).toEqual(['champion']);
    reg.deleteModelVersion(c, { name: 'm', version: 2 });
    expect(reg.requireModel(c, 'm').aliases).toEqual([]);
    expectCode(() => reg.requireAlias(c, 'm', 'champion'), 'INVALID_PARAMETER_VALUE', 'Registered model alias champion not found.');
  });

  it('[REG-M4] [REG-M5] [REG-M6] rename keeps versions and aliases and touches them; delete frees the name; last-updated moves as MLflow’s does', () => {
    const { c, clock } = setup();
    const m = reg.createRegisteredModel(c, { name: 'm' });
    const v = version(c, 'm');
    reg.setRegisteredModelAlias(c, { name: 'm', alias: 'champion', version: 1 });
    const before = reg.requireModel(c, 'm').lastUpdatedTime;
    reg.setRegisteredModelTag(c, { name: 'm', key: 'k', value: 'v' });
    reg.setRegisteredModelAlias(c, { name: 'm', alias: 'other', version: 1 });
    expect(reg.requireModel(c, 'm').lastUpdatedTime).toBe(before);
    reg.updateModelVersion(c, { name: 'm', version: 1, description: 'v1' });
    expect(reg.requireModel(c, 'm').lastUpdatedTime).toBe(before);
    clock.t += 100;
    reg.renameRegisteredModel(c, { name: 'm', newName: 'm2' });
    const r = reg.requireModel(c, 'm2');
    expect(r.modelId).toBe(m.modelId);
    expect(r.lastUpdatedTime).toBeGreaterThan(before);
    expect(reg.requireVersion(c, 'm2', 1).version).toMatchObject({ versionId: v.versionId, name: 'm2', lastUpdatedTime: r.lastUpdatedTime, description: 'v1' });
    expect(r.aliases.map((a) => a.alias)).toEqual(['champion', 'other']);
    expectCode(() => reg.requireModel(c, 'm'), 'RESOURCE_DOES_NOT_EXIST');
    reg.createRegisteredModel(c, { name: 'taken' });
    expectCode(() => reg.renameRegisteredModel(c, { name: 'm2', newName: 'taken' }), 'RESOURCE_ALREADY_EXISTS', 'Registered Model (name=taken) already exists.');
    reg.deleteRegisteredModel(c, { name: 'm2' });
    expectCode(() => reg.requireModel(c, 'm2'), 'RESOURCE_DOES_NOT_EXIST');
    const again = reg.createRegisteredModel(c, { name: 'm2' });
    expect(again.modelId).not.toBe(m.modelId);
    expect(version(c, 'm2').version).toBe(1);
  });

  it('[REG-M3] two replicas creating the same name offline both keep their model and versions; the earliest owns the name, the other is marked', () => {
    const a = setup('alice', { t: 1_000 });
    const b = setup('bob', { t: 2_000 });
    reg.createRegisteredModel(a.c, { name: 'shared' });
    reg.createModelVersion(a.c, { name: 'shared', source: 'runs:/' + RUN + '/a' });
    reg.createRegisteredModel(b.c, { name: 'shared' });
    reg.createModelVersion(b.c, { name: 'shared', source: 'runs:/' + RUN + '/b' });
    Y.applyUpdate(a.ws, Y.encodeStateAsUpdate(b.ws));
    Y.applyUpdate(b.ws, Y.encodeStateAsUpdate(a.ws));
    for (const d of [a.ws, b.ws]) {
      const view = reg.readRegistry(d);
      expect(view.models.map((m) => [m.name, m.nameConflict]).sort()).toEqual([
        ['shared', false],
        ['shared', true],
      ]);
      // The owner is alice's (created first), on both replicas.
      expect(view.modelByName('shared')!.creationTime).toBe(1_000);
      expect(view.models.find((m) => m.nameConflict)!.creationTime).toBe(2_000);
      expect(view.versionsOf(view.modelByName('shared')!.modelId).map((v) => v.source)).toEqual([`runs:/${RUN}/a`]);
      expect(view.versions).toHaveLength(2);
    }
  });

  it('[REG-C1] [REG-H1] [REG-H2] concurrent offline alias and stage moves converge on both replicas in either order; the loser’s intent stays in the history as lost', () => {
    const base = setup('relay', { t: 1_000 });
    reg.createRegisteredModel(base.c, { name: 'm' });
    for (let i = 0; i < 4; i++) version(base.c, 'm');
    reg.setRegisteredModelAlias(base.c, { name: 'm', alias: 'champion', version: 1 });
    const start = Y.encodeStateAsUpdate(base.ws);
    const a = setup('alice', { t: 5_000 });
    const b = setup('bob', { t: 5_001 });
    Y.applyUpdate(a.ws, start);
    Y.applyUpdate(b.ws, start);
    reg.setRegisteredModelAlias(a.c, { name: 'm', alias: 'champion', version: 3 });
    reg.transitionModelVersionStage(a.c, { name: 'm', version: 2, stage: 'Production' });
    reg.setRegisteredModelAlias(b.c, { name: 'm', alias: 'champion', version: 4 });
    reg.transitionModelVersionStage(b.c, { name: 'm', version: 2, stage: 'Staging' });
    const ua = Y.encodeStateAsUpdate(a.ws);
    const ub = Y.encodeStateAsUpdate(b.ws);
    // Either order of exchange.
    const x = new Y.Doc();
    Y.applyUpdate(x, ua);
    Y.applyUpdate(x, ub);
    const y = new Y.Doc();
    Y.applyUpdate(y, ub);
    Y.applyUpdate(y, ua);
    Y.applyUpdate(a.ws, ub);
    Y.applyUpdate(b.ws, ua);
    const summary = (d: Y.Doc) => {
      const view = reg.readRegistry(d);
      const m = view.modelByName('m')!;
      return { aliases: m.aliases.map((al) => [al.alias, al.version]), stage: view.version(m.modelId, 2)!.stage };
    };
    const s = summary(x);
    for (const d of [y, a.ws, b.ws]) expect(summary(d)).toEqual(s);
    expect([3, 4]).toContain(s.aliases[0]![1]);
    expect(['Production', 'Staging']).toContain(s.stage);

    const view = reg.readRegistry(x);
    const m = view.modelByName('m')!;
    const history = view.history(m.modelId);
    const aliasEvents = history.filter((e) => e.kind === 'alias.set' && e.key === 'champion');
    expect(aliasEvents.map((e) => e.actor)).toEqual(['relay', 'alice', 'bob']);
    const winnerId = m.aliases[0]!.versionId;
    expect(aliasEvents.find((e) => e.to === winnerId)!.outcome).toBe('current');
    expect(aliasEvents.find((e) => e.to !== winnerId && e.actor !== 'relay')!.outcome).toBe('lost');
    expect(aliasEvents[0]!.outcome).toBe('superseded');
    const stageEvents = history.filter((e) => e.kind === 'version.stage');
    expect(stageEvents.map((e) => [e.actor, e.outcome]).sort()).toEqual(
      [
        ['alice', s.stage === 'Production' ? 'current' : 'lost'],
        ['bob', s.stage === 'Staging' ? 'current' : 'lost'],
      ].sort(),
    );
    // Who, when, from, to.
    expect(stageEvents[0]).toMatchObject({ at: expect.any(Number), from: 'None', versionId: view.version(m.modelId, 2)!.versionId });
    expect(history.filter((e) => e.kind === 'version.number')).toHaveLength(4);
  });

  it('[REG-L1] the registry is flat plain data under random ids: no nested Yjs type, no name in a key', () => {
    const { c, ws } = setup();
    reg.createRegisteredModel(c, { name: 'flat-model', tags: { a: 'b' } });
    version(c, 'flat-model', { tags: { t: 'u' } });
    reg.setRegisteredModelAlias(c, { name: 'flat-model', alias: 'champion', version: 1 });
    for (const root of ['regModels', 'regModelTags', 'regVersions', 'regVersionTags', 'regAliases']) {
      const m = ws.getMap(root);
      expect(m.size, root).toBeGreaterThan(0);
      m.forEach((v, k) => {
        const [id, rest, ...more] = k.split(SEP);
        expect(id, root).toMatch(/^[0-9a-f]{32}$/);
        expect(rest && more.length === 0, root).toBe(true);
        expect(k.includes('flat-model')).toBe(false);
        expect(v instanceof Y.AbstractType, `${root} ${k}`).toBe(false);
      });
    }
    for (const e of ws.getArray('regHistory').toArray()) expect(e instanceof Y.AbstractType).toBe(false);
  });

  it('[REG-H1] every event records who: the writer’s actor and, when the host knows it, the person', () => {
    const ws = new Y.Doc();
    const c = { ...memoryCtx(ws, 'device-1'), userId: 'ana' };
    reg.createRegisteredModel(c, { name: 'who' });
    reg.setRegisteredModelTag(c, { name: 'who', key: 'k', value: 'v' });
    const anon = memoryCtx(ws, 'device-2');
    reg.updateRegisteredModel(anon, { name: 'who', description: 'd' });
    const h = reg.readRegistry(ws).history(reg.requireModel(c, 'who').modelId);
    expect(h.map((e) => [e.kind, e.actor, e.userId])).toEqual([
      ['model.create', 'device-1', 'ana'],
      ['model.tag', 'device-1', 'ana'],
      ['model.description', 'device-2', undefined],
    ]);
  });

  it('[REG-R1] the view is rebuilt only after the doc changed', () => {
    const { c, ws } = setup();
    reg.createRegisteredModel(c, { name: 'm' });
    const v1 = reg.readRegistry(ws);
    expect(reg.readRegistry(ws)).toBe(v1);
    reg.setRegisteredModelTag(c, { name: 'm', key: 'k', value: 'v' });
    const v2 = reg.readRegistry(ws);
    expect(v2).not.toBe(v1);
    expect(v2.modelByName('m')!.tags).toEqual({ k: 'v' });
  });
});

describe('model URIs', () => {
  it('[REG-U1] the MLflow forms parse; anything else is INVALID_PARAMETER_VALUE naming them', () => {
    expect(reg.parseModelUri(`runs:/${RUN}/model`)).toEqual({ kind: 'run', runId: RUN, artifactPath: 'model' });
    expect(reg.parseModelUri(`runs:/${RUN}/a/b/`)).toEqual({ kind: 'run', runId: RUN, artifactPath: 'a/b' });
    expect(reg.parseModelUri('models:/m/3')).toEqual({ kind: 'version', name: 'm', version: 3 });
    expect(reg.parseModelUri('models:/m@champion')).toEqual({ kind: 'alias', name: 'm', alias: 'champion' });
    expect(reg.parseModelUri('models:/m/production')).toEqual({ kind: 'stage', name: 'm', stage: 'Production' });
    expect(reg.parseModelUri('models:/m/Latest')).toEqual({ kind: 'latest', name: 'm' });
    expect(reg.parseModelUri('models:/m-7910bc611d3a48ccafc44e41c634c5c9')).toEqual({ kind: 'logged-model', modelId: 'm-7910bc611d3a48ccafc44e41c634c5c9' });
    for (const bad of ['models:/m', 'models:/m/bogus', 'runs:/', 's3://x', `runs:/${RUN}`]) expectCode(() => reg.parseModelUri(bad), 'INVALID_PARAMETER_VALUE', /use runs:\//);
  });

  it('[REG-U2] URIs resolve to the run artifacts of the version; stage and latest pick the highest; missing ones in MLflow words', () => {
    const { c, ws } = setup();
    reg.createRegisteredModel(c, { name: 'm' });
    version(c, 'm');
    version(c, 'm', { source: `mlflow-artifacts:/7/${RUN}/artifacts/model2` });
    version(c, 'm', { source: `file:///tmp/mlruns/7/${RUN}/artifacts/deep/model` });
    reg.transitionModelVersionStage(c, { name: 'm', version: 1, stage: 'Staging' });
    reg.setRegisteredModelAlias(c, { name: 'm', alias: 'champion', version: 2 });
    expect(reg.resolveModelUri(ws, 'models:/m/1')).toMatchObject({ runId: RUN, artifactPath: 'model', version: { version: 1 } });
    expect(reg.resolveModelUri(ws, 'models:/m@champion')).toMatchObject({ runId: RUN, artifactPath: 'model2' });
    expect(reg.resolveModelUri(ws, 'models:/m/staging')).toMatchObject({ artifactPath: 'model' });
    expect(reg.resolveModelUri(ws, 'models:/m/latest')).toMatchObject({ artifactPath: 'deep/model', version: { version: 3 } });
    expect(reg.resolveModelUri(ws, `runs:/${RUN}/x`)).toEqual({ runId: RUN, artifactPath: 'x' });
    expectCode(() => reg.resolveModelUri(ws, 'models:/m/Production'), 'RESOURCE_DOES_NOT_EXIST');
    expectCode(() => reg.resolveModelUri(ws, 'models:/m/9'), 'RESOURCE_DOES_NOT_EXIST');
    expectCode(() => reg.resolveModelUri(ws, 'models:/m@nope'), 'INVALID_PARAMETER_VALUE', 'Registered model alias nope not found.');
    expectCode(() => reg.resolveModelUri(ws, 'models:/zz/1'), 'RESOURCE_DOES_NOT_EXIST');
  });
});

import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../lib/domain';
import * as doc from '../../lib/doc';
import * as reg from '../../lib/registry';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);

function registry() {
  const ws = new Y.Doc();
  let t = 1000;
  const c = { ws, actor: 't', now: () => t++, runDoc: () => new Y.Doc() };
  reg.createRegisteredModel(c, { name: 'alpha', tags: { team: 'ml', 'odd key': 'x' } });
  reg.createRegisteredModel(c, { name: 'Beta', tags: { team: 'ops' } });
  reg.createRegisteredModel(c, { name: 'gamma' });
  reg.createRegisteredModel(c, { name: 'prompt-1', tags: { 'mlflow.prompt.is_prompt': 'true' } });
  for (const [name, run] of [['alpha', RUN_A], ['alpha', RUN_B], ['alpha', RUN_A], ['Beta', RUN_B]] as const) {
    reg.createModelVersion(c, { name, source: `runs:/${run}/model`, runId: run, tags: { k: name } });
  }
  reg.assignVersionNumbers(c);
  // One pending version (not numbered yet).
  reg.createModelVersion(c, { name: 'gamma', source: `mlflow-artifacts:/1/${RUN_A}/artifacts/m` });
  return { c, view: () => reg.readRegistry(ws) };
}

function refused(f: () => unknown, message: string | RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    expect((e as CairnError).code).toBe('INVALID_PARAMETER_VALUE');
    expect((e as CairnError).message).toMatch(message);
    return;
  }
  throw new Error('not refused');
}

const models = (view: reg.RegistryView, req: reg.RegistrySearchRequest) => reg.searchRegisteredModels(view, req).models.map((m) => m.name);
const versions = (view: reg.RegistryView, req: reg.RegistrySearchRequest) => reg.searchModelVersions(view, req).versions.map((v) => `${v.name}/${v.version ?? 'pending'}`);

describe('registry search (REG-Q)', () => {
  it('[REG-Q1] models: name = != LIKE ILIKE, tags with quoted/backticked keys, the prompt clause keeps untagged models, AND in any case', () => {
    const { view } = registry();
    const v = view();
    expect(models(v, {})).toEqual(['Beta', 'alpha', 'gamma', 'prompt-1']);
    expect(models(v, { filter: "name = 'alpha'" })).toEqual(['alpha']);
    expect(models(v, { filter: "name != 'alpha'" })).toEqual(['Beta', 'gamma', 'prompt-1']);
    expect(models(v, { filter: "name LIKE '%a'" })).toEqual(['Beta', 'alpha', 'gamma']);
    expect(models(v, { filter: "name LIKE 'b%'" })).toEqual([]);
    expect(models(v, { filter: "name ILIKE 'b%'" })).toEqual(['Beta']);
    expect(models(v, { filter: "tags.team = 'ml'" })).toEqual(['alpha']);
    expect(models(v, { filter: 'tags.`odd key` = "x"' })).toEqual(['alpha']);
    expect(models(v, { filter: "tags.team != 'ml'" })).toEqual(['Beta', 'gamma', 'prompt-1']);
    expect(models(v, { filter: "tags.team LIKE 'o%'" })).toEqual(['Beta']);
    expect(models(v, { filter: "name LIKE '%' and tag.`mlflow.prompt.is_prompt` != 'true'" })).toEqual(['Beta', 'alpha', 'gamma']);
    refused(() => models(v, { filter: "name === 'x' AND tag.`mlflow.prompt.is_prompt` != 'true'" }), /^Invalid comparator for attribute: ===$/);
    refused(() => models(v, { filter: "tags.team > 'x'" }), /^Invalid comparator for tag: >$/);
    refused(() => models(v, { filter: "name = 'a' OR name = 'b'" }), "Invalid clause(s) in filter string: 'OR'");
    refused(() => models(v, { filter: "owner = 'x'" }), "Invalid attribute key 'owner' specified");
    refused(() => models(v, { filter: 'name = alpha' }), /quoted strings/);
    refused(() => models(v, { filter: "foo.name = 'x'" }), /Invalid entity type 'foo'/);
  });

  it('[REG-Q2] versions: name, version_number (numeric; pending never matches), run_id = != IN, source_path, tags', () => {
    const { view } = registry();
    const v = view();
    expect(versions(v, { filter: "name = 'alpha'", orderBy: ['version_number ASC'] })).toEqual(['alpha/1', 'alpha/2', 'alpha/3']);
    expect(versions(v, { filter: "name = 'alpha' AND version_number >= 2", orderBy: ['version_number'] })).toEqual(['alpha/2', 'alpha/3']);
    expect(versions(v, { filter: 'version_number != 1', orderBy: ['name', 'version_number'] })).toEqual(['alpha/2', 'alpha/3']);
    expect(versions(v, { filter: `run_id = '${RUN_B}'`, orderBy: ['name'] })).toEqual(['Beta/1', 'alpha/2']);
    expect(versions(v, { filter: `run_id IN ('${RUN_B}', 'zzz')`, orderBy: ['name'] })).toEqual(['Beta/1', 'alpha/2']);
    expect(versions(v, { filter: `run_id != '${RUN_A}'`, orderBy: ['name'] })).toEqual(['Beta/1', 'alpha/2']);
    expect(versions(v, { filter: "source_path LIKE 'mlflow-artifacts:%'" })).toEqual(['gamma/pending']);
    expect(versions(v, { filter: "tags.k = 'Beta'" })).toEqual(['Beta/1']);
    refused(() => versions(v, { filter: 'run_id LIKE "a%"' }), /^Invalid comparator for attribute: LIKE$/);
    refused(() => versions(v, { filter: "version_number = 'x'" }), /expected an integer value for version_number/);
  });

  it('[REG-Q3] order_by: keys, directions, MLflow defaults and tie-breakers; pending versions last; a bad key refused', () => {
    const { c, view } = registry();
    expect(models(view(), { orderBy: ['last_updated_timestamp DESC'] })[0]).toBe('gamma'); // its pending version touched it last
    expect(models(view(), { orderBy: ['timestamp DESC'] })).toEqual(['prompt-1', 'gamma', 'Beta', 'alpha']);
    expect(models(view(), { orderBy: ['attribute.`creation_timestamp` ASC'] })).toEqual(['alpha', 'Beta', 'gamma', 'prompt-1']);
    // Default for versions: last updated first; equal times → name ASC, version DESC.
    reg.transitionModelVersionStage(c, { name: 'alpha', version: '1', stage: 'Production' });
    expect(versions(view(), {})[0]).toBe('alpha/1');
    expect(versions(view(), { orderBy: ['version_number DESC'] })).toEqual(['alpha/3', 'alpha/2', 'Beta/1', 'alpha/1', 'gamma/pending']);
    expect(versions(view(), { orderBy: ['name DESC'] })).toEqual(['gamma/pending', 'alpha/3', 'alpha/2', 'alpha/1', 'Beta/1']);
    refused(() => models(view(), { orderBy: ['version_number'] }), /Invalid order by key 'version_number'/);
    refused(() => versions(view(), { orderBy: ['name SIDEWAYS'] }), /Invalid order by key/);
  });

  it('[REG-Q4] max_results bounds and defaults in MLflow words', () => {
    const { view } = registry();
    expect(reg.searchRegisteredModels(view(), { maxResults: 1000 }).models).toHaveLength(4);
    refused(() => reg.searchRegisteredModels(view(), { maxResults: 1001 }), 'Invalid value for max_results. It must be at most 1000, but got value 1001');
    refused(() => reg.searchRegisteredModels(view(), { maxResults: 0 }), 'It must be a positive integer');
    expect(reg.searchModelVersions(view(), { maxResults: 200_000 }).versions).toHaveLength(5);
    refused(() => reg.searchModelVersions(view(), { maxResults: 200_001 }), 'It must be at most 200000');
    expect(reg.MODEL_SEARCH_DEFAULT).toBe(100);
    expect(reg.VERSION_SEARCH_DEFAULT).toBe(10_000);
  });

  it('[REG-Q5] offset page tokens in MLflow form, only while more follow; bad tokens refused', () => {
    const { view } = registry();
    const p1 = reg.searchRegisteredModels(view(), { maxResults: 3 });
    expect(p1.models.map((m) => m.name)).toEqual(['Beta', 'alpha', 'gamma']);
    expect(JSON.parse(atob(p1.nextPageToken!))).toEqual({ offset: 3 });
    const p2 = reg.searchRegisteredModels(view(), { maxResults: 3, pageToken: p1.nextPageToken! });
    expect(p2.models.map((m) => m.name)).toEqual(['prompt-1']);
    expect(p2.nextPageToken).toBeNull();
    // MLflow's own token text (with the space) reads the same.
    expect(reg.searchRegisteredModels(view(), { pageToken: 'eyJvZmZzZXQiOiAyfQ==' }).models.map((m) => m.name)).toEqual(['gamma', 'prompt-1']);
    refused(() => reg.searchRegisteredModels(view(), { pageToken: 'not base64!' }), 'Invalid page token');
    refused(() => reg.searchRegisteredModels(view(), { pageToken: btoa('{"offset": -1}') }), 'Invalid page token');
  });

  it('[REG-R1] the cached view is rebuilt after a registry change, not after an experiment change of the same doc', () => {
    const { c, view } = registry();
    const v1 = view();
    expect(view()).toBe(v1);
    doc.createExperiment(c, { name: 'unrelated' });
    expect(view()).toBe(v1);
    reg.setRegisteredModelTag(c, { name: 'alpha', key: 'fresh', value: '1' });
    const v2 = view();
    expect(v2).not.toBe(v1);
    expect(v2.modelByName('alpha')!.tags.fresh).toBe('1');
  });
});

describe('registry import (REG-I1)', () => {
  it('[REG-I1] a whole model with its numbers in one transaction; the numbering step leaves them and continues above; refusals write nothing', () => {
    const ws = new Y.Doc();
    const c = { ws, actor: 'importer', runDoc: () => new Y.Doc() };
    let txs = 0;
    ws.on('update', () => txs++);
    reg.importRegisteredModel(c, {
      name: 'imp',
      description: 'd',
      tags: { t: '1' },
      versions: [
        { number: 2, source: `runs:/${RUN_A}/m`, stage: 'production', tags: { k: 'v' } },
        { number: 5, source: `runs:/${RUN_B}/m`, runId: RUN_B },
      ],
      aliases: { best: 5 },
    });
    expect(txs).toBe(1);
    const view = reg.readRegistry(ws);
    const m = view.modelByName('imp')!;
    expect(view.versionsOf(m.modelId).map((v) => [v.version, v.stage, v.status])).toEqual([[2, 'Production', 'READY'], [5, 'None', 'READY']]);
    expect(m.aliases.map((a) => [a.alias, a.version])).toEqual([['best', 5]]);
    expect(view.pending).toEqual([]);
    const v = reg.createModelVersion(c, { name: 'imp', source: `runs:/${RUN_A}/n` });
    expect(reg.assignVersionNumbers(c)).toBe(1);
    expect(reg.readRegistry(ws).versionById(v.versionId)!.version).toBe(6);
    const before = Y.encodeStateVector(ws);
    refused(() => reg.importRegisteredModel(c, { name: 'dup', versions: [{ number: 1, source: 's:/a' }, { number: 1, source: 's:/b' }] }), 'given twice');
    refused(() => reg.importRegisteredModel(c, { name: 'dup', versions: [{ number: 1, source: 's:/a' }], aliases: { a: 2 } }), 'not imported');
    expect(() => reg.importRegisteredModel(c, { name: 'imp', versions: [] })).toThrow(/already exists/);
    expect(Y.encodeStateVector(ws)).toEqual(before);
    expect(reg.checkImportedVersion({ number: 1, source: '' })).toMatch(/source/);
  });
});

describe('numbering order (REG-N2)', () => {
  it('[REG-N2] versions one replica registers in the same millisecond are numbered in the order they were made', () => {
    const ws = new Y.Doc();
    const c = { ws, actor: 'r', now: () => 1000, runDoc: () => new Y.Doc() };
    reg.createRegisteredModel(c, { name: 'same-ms' });
    const ids = Array.from({ length: 12 }, (_, i) => reg.createModelVersion(c, { name: 'same-ms', source: `runs:/${RUN_A}/m${i}` }).versionId);
    reg.assignVersionNumbers(c);
    expect(ids.map((id) => reg.readRegistry(ws).versionById(id)!.version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });
});

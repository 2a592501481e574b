import { describe, expect, it } from 'vitest';
import { modelFolders } from '@/components/artifacts/artifact-tree';
import { valueRows } from '@/components/registry/CompareVersionsView';
import { compareVersionsHref, modelHref, versionHref, versionLabel, versionRefOf } from '@/components/registry/links';
import { schemaDiff, schemaRows } from '@/components/registry/signature-rows';
import type { ArtifactRef } from '@/lib/domain';
import type { Signature, VersionCompareEntry } from '@/lib/react';
import { parseMLmodel } from '@/lib/models';
import { readFileSync } from 'node:fs';

/* components/registry/SPEC.md: the registry pages' pure logic (the pages themselves: tests/e2e/registry.spec.ts). */

/** MLmodel files MLflow 3.6 wrote (tests/unit/fixtures/README.md). */
const sample = (name: string) => readFileSync(`tests/unit/fixtures/mlmodel-samples/${name}/MLmodel`, 'utf8');
const params = (q: string) => new URLSearchParams(q);

describe('registry pages: pure logic', () => {
  it('[REGUI-7] a numbered version links by number, a pending one by id; labels say vN or pending; the query is read back either way', () => {
    const id = 'ab'.repeat(16);
    expect(versionHref({ name: 'my model', version: 3, versionId: id })).toBe('/model-version/?name=my%20model&version=3');
    expect(versionHref({ name: 'm&x', version: null, versionId: id })).toBe(`/model-version/?name=m%26x&id=${id}`);
    expect(versionLabel({ version: 3 })).toBe('v3');
    expect(versionLabel({ version: null })).toBe('pending');
    expect(versionRefOf(params('version=3'))).toBe(3);
    expect(versionRefOf(params(`id=${id}`))).toEqual({ versionId: id });
    expect(versionRefOf(params(`version=0&id=${id}`))).toEqual({ versionId: id });
    expect(versionRefOf(params('version=x'))).toBeNull();
    expect(versionRefOf(params('id=nothex'))).toBeNull();
    expect(modelHref('a b')).toBe('/model/?name=a%20b');
    expect(compareVersionsHref('m', [1, 2])).toBe('/compare-versions/?name=m&versions=1,2');
  });

  it("[REGUI-5] signature rows: columns with MLflow's type names and optional, tensors with dtype and shape, unnamed ones by position", () => {
    const sk = parseMLmodel(sample('sklearn-logreg')).signature!;
    expect(schemaRows(sk.inputs)).toEqual([
      { name: 'f1', type: 'double', shape: '', optional: false },
      { name: 'f2', type: 'double', shape: '', optional: false },
    ]);
    expect(schemaRows(sk.outputs)).toEqual([{ name: '[0]', type: 'Tensor (int64)', shape: '(-1)', optional: false }]);
    expect(schemaRows(null)).toEqual([]);
    expect(
      schemaRows({ kind: 'columns', columns: [{ name: 'tags', type: { kind: 'array', items: { kind: 'scalar', type: 'string' } }, required: false }] }),
    ).toEqual([{ name: 'tags', type: 'Array(string)', shape: '', optional: true }]);
  });

  it('[REGUI-8] schema diff aligns inputs and outputs by name across versions; compare rows mark values that differ', () => {
    const a: Signature = { inputs: { kind: 'columns', columns: [{ name: 'x', type: { kind: 'scalar', type: 'double' }, required: true }] }, outputs: null, params: null };
    const b: Signature = {
      inputs: {
        kind: 'columns',
        columns: [
          { name: 'x', type: { kind: 'scalar', type: 'float' }, required: true },
          { name: 'y', type: { kind: 'scalar', type: 'long' }, required: false },
        ],
      },
      outputs: null,
      params: null,
    };
    expect(schemaDiff([a, a])).toEqual([{ side: 'inputs', name: 'x', cells: ['double', 'double'], same: true }]);
    expect(schemaDiff([a, b, null])).toEqual([
      { side: 'inputs', name: 'x', cells: ['double', 'float', null], same: false },
      { side: 'inputs', name: 'y', cells: [null, 'long (optional)', null], same: false },
    ]);
    const entry = (p: Record<string, string>) => ({ run: { params: p } }) as unknown as VersionCompareEntry;
    expect(valueRows([entry({ lr: '0.1', d: '3' }), entry({ lr: '0.2', d: '3' })], (e) => e.run?.params)).toEqual([
      { key: 'd', cells: ['3', '3'], differs: false },
      { key: 'lr', cells: ['0.1', '0.2'], differs: true },
    ]);
  });

  it('[REGUI-9] a folder holding MLmodel directly is a model folder; deeper files, look-alikes and a root MLmodel are not', () => {
    const ref = (path: string) => ({ path, size: 1, sha256: 'a'.repeat(64), mediaType: 'text/plain', loggedAt: 1 }) as ArtifactRef;
    const got = modelFolders(['model/MLmodel', 'model/model.onnx', 'a/b/clf/MLmodel', 'MLmodel', 'notes/MLmodel.txt', 'x/MLmodel/y'].map(ref));
    expect([...got].sort()).toEqual(['a/b/clf', 'model']);
  });
});

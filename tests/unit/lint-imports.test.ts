import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * scripts/check-deps.mjs (dependency-cruiser with the layer table of scripts/layers.json) run against a small tree in a
 * temp folder: one file per case, so each reported edge names its case. The tree has its own node_modules with stub
 * packages, so package rules resolve as they do in the repo.
 */
const root = join(__dirname, '..', '..');
let dir = '';
let output = '';
let status: number | null = null;

const files: Record<string, string> = {
  'lib/sync/index.ts': `export const sync = 1;\n`,
  'lib/domain/ids.ts': `export type RunId = string & { readonly brand: 'RunId' };\nexport const ID = 1;\n`,
  // Forbidden: lib/domain → zod only.
  'lib/domain/static.ts': `import { sync } from '../sync';\nexport const s = sync;\n`,
  'lib/domain/dynamic.ts': `export async function load() {\n  return (await import('../sync')).sync;\n}\n`,
  'lib/domain/template.ts':
    'export async function label() {\n  return `sync ${(await import(\'../sync/index\')).sync} loaded`;\n}\n',
  'lib/domain/nested-template.ts': 'export const f = async () => `a ${`b ${await import("../sync")}`}`;\n',
  'lib/domain/required.ts': `export const r = require('../sync');\n`,
  'lib/domain/type-only.ts': `import type { sync } from '../sync';\nexport type S = typeof sync;\n`,
  'lib/domain/node.ts': `import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n`,
  'lib/domain/package.ts': `import * as Y from 'yjs';\nexport const doc = Y;\n`,
  'lib/domain/zod-ok.ts': `import { z } from 'zod';\nexport const schema = z;\n`,
  // Allowed: lib/doc → domain, yjs.
  'lib/doc/ok.ts': `import { ID } from '../domain/ids';\nimport * as Y from 'yjs';\nexport const ok = [ID, Y];\n`,
  // lib/react may import workers/ with `import type` only.
  'workers/api.ts': `export interface Api { ping(): void }\nexport const api = 1;\n`,
  'lib/react/types-ok.ts': `import type { Api } from '../../workers/api';\nexport type A = Api;\n`,
  'lib/react/value-bad.ts': `import { api } from '../../workers/api';\nexport const a = api;\n`,
  'components/Chart.tsx': `import * as Y from 'yjs';\nexport const C = Y;\n`,
  // A folder no layer covers.
  'lib/stray/x.ts': `export const x = 1;\n`,
  // A runtime cycle, and a cycle of type-only edges (erased by the compiler, so no cycle).
  'lib/search/a.ts': `import { b } from './b';\nexport const a = () => b;\n`,
  'lib/search/b.ts': `import { a } from './a';\nexport const b = () => a;\n`,
  'lib/search/ta.ts': `import type { TB } from './tb';\nexport interface TA { b: TB }\nexport const ta = 1;\n`,
  'lib/search/tb.ts': `import type { TA } from './ta';\nexport interface TB { a: TA }\nexport const tb = 1;\n`,
  'node_modules/yjs/package.json': `{ "name": "yjs", "version": "0.0.0", "main": "index.js" }\n`,
  'node_modules/yjs/index.js': `module.exports = {};\n`,
  'node_modules/zod/package.json': `{ "name": "zod", "version": "0.0.0", "main": "index.js" }\n`,
  'node_modules/zod/index.js': `module.exports = { z: {} };\n`,
  'package.json': `{ "name": "fixture", "private": true, "dependencies": { "yjs": "0.0.0", "zod": "0.0.0" } }\n`,
};

/** The reported edges from `from`, as `rule: from → to`. */
const reported = (from: string) =>
  output
    .split('\n')
    .filter((line) => line.includes(`: ${from}`))
    .map((line) => line.trim());

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-lint-imports-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'check-deps.mjs'), dir], { encoding: 'utf8' });
  output = r.stdout + r.stderr;
  status = r.status;
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('import check (dependency-cruiser + scripts/layers.json)', () => {
  it('fails when there are violations', () => {
    expect(status, output).toBe(1);
  });

  it('reports a forbidden static import, a require and an `import type` in lib/domain', () => {
    expect(reported('lib/domain/static.ts')).toEqual(['layer:lib/domain: lib/domain/static.ts → lib/sync/index.ts']);
    expect(reported('lib/domain/required.ts')).toEqual(['layer:lib/domain: lib/domain/required.ts → lib/sync/index.ts']);
    expect(reported('lib/domain/type-only.ts')).toEqual(['layer:lib/domain: lib/domain/type-only.ts → lib/sync/index.ts']);
  });

  it('reports a dynamic import() in lib/domain', () => {
    expect(reported('lib/domain/dynamic.ts')).toEqual(['layer:lib/domain: lib/domain/dynamic.ts → lib/sync/index.ts']);
  });

  it('reports an import() inside a template literal, also in a nested one', () => {
    expect(reported('lib/domain/template.ts')).toEqual(['layer:lib/domain: lib/domain/template.ts → lib/sync/index.ts']);
    expect(reported('lib/domain/nested-template.ts')).toEqual([
      'layer:lib/domain: lib/domain/nested-template.ts → lib/sync/index.ts',
    ]);
  });

  it('reports forbidden packages and Node built-ins, not allowed ones', () => {
    expect(reported('lib/domain/node.ts')).toEqual(['layer:lib/domain:node: lib/domain/node.ts → fs']);
    expect(reported('lib/domain/package.ts')).toEqual([
      'layer:lib/domain:packages: lib/domain/package.ts → node_modules/yjs/index.js',
    ]);
    expect(reported('components/Chart.tsx')).toEqual([
      'layer:components:packages: components/Chart.tsx → node_modules/yjs/index.js',
    ]);
    expect(reported('lib/domain/zod-ok.ts')).toEqual([]);
  });

  it('does not report allowed imports', () => {
    expect(reported('lib/doc/ok.ts')).toEqual([]);
    expect(reported('lib/domain/ids.ts')).toEqual([]);
  });

  it('lets lib/react import workers/ with `import type` only', () => {
    expect(reported('lib/react/types-ok.ts')).toEqual([]);
    expect(reported('lib/react/value-bad.ts')).toEqual([
      'layer:lib/react:type-only: lib/react/value-bad.ts → workers/api.ts',
    ]);
  });

  it('reports a file in no layer', () => {
    expect(reported('lib/stray/x.ts')).toEqual(['not-in-a-layer: lib/stray/x.ts']);
  });

  it('reports a runtime cycle, not a cycle of type-only imports', () => {
    expect(output).toMatch(/no-cycles: import cycle\n\s+lib\/search\/a\.ts\n\s+→ lib\/search\/b\.ts\n\s+→ lib\/search\/a\.ts/);
    expect(output).not.toMatch(/lib\/search\/t[ab]\.ts/);
  });
});

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { dataWorkerBuild } from '../../scripts/worker-build.mjs';

/** Every page of the app (and the root layout every page loads). */
function pageEntries(dir = 'app'): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...pageEntries(p));
    else if (name === 'page.tsx' || (dir === 'app' && name === 'layout.tsx')) out.push(p);
  }
  return out.sort();
}

/** The modules a page's bundle holds (what Next would load with it, React and the lazily imported libraries aside). */
async function modulesOf(entry: string): Promise<string[]> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    jsx: 'automatic',
    outdir: 'page-bundle-test',
    alias: { '@': '.' },
    external: ['react', 'react-dom', 'react/*', 'next', 'next/*', 'echarts', 'echarts/*'],
    loader: { '.css': 'empty', '.svg': 'empty' },
    logLevel: 'silent',
  });
  return Object.keys(r.metafile.inputs);
}

describe('[CHART-19] the pages load no zod', () => {
  it('[CHART-19] no exported page (nor the root layout) bundles zod: lib/domain schemas are built in the worker only', async () => {
    const entries = pageEntries();
    expect(entries.length).toBeGreaterThan(8);
    for (const entry of entries) {
      const modules = await modulesOf(entry);
      expect(modules.filter((m) => m.includes('node_modules/zod/')).length, `${entry} bundles zod`).toBe(0);
      // lib/domain's index builds every schema at import: a page may use its errors, never the index.
      expect(modules.filter((m) => m === 'lib/domain/index.ts' || m === 'lib/domain/schemas.ts'), entry).toEqual([]);
    }
  }, 60_000);
});

/** The data worker built with scripts/build-node.mjs's own options (scripts/worker-build.mjs), with the metafile of
 * every output chunk. */
async function dataWorkerChunks() {
  const r = await build({ ...dataWorkerBuild(), bundle: true, write: false, metafile: true, outdir: 'worker-bundle-test', logLevel: 'silent' });
  return r.metafile.outputs;
}

describe('[WRK-13] the data worker starts without the YAML parser', () => {
  it('[WRK-13] neither its first module nor its main module (and their static imports) holds yaml; the MLmodel chunk does', async () => {
    const outputs = await dataWorkerChunks();
    const entry = Object.keys(outputs).find((o) => outputs[o]!.entryPoint === 'workers/data.worker.ts');
    expect(entry).toBeDefined();
    const main = outputs[entry!]!.imports.find((i) => i.kind === 'dynamic-import' && i.path.includes('data-main'));
    expect(main, 'data.worker.ts loads data-main.ts as its own chunk').toBeDefined();
    // What a page's worker loads at start: both modules and everything they import statically.
    const start = new Set<string>();
    const visit = (o: string) => {
      if (start.has(o)) return;
      start.add(o);
      for (const i of outputs[o]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
    };
    visit(entry!);
    visit(main!.path);
    const yamlAt = [...start].filter((o) => Object.keys(outputs[o]!.inputs).some((m) => m.includes('node_modules/yaml/')));
    expect(yamlAt).toEqual([]);
    // The parser is still there, one dynamic import away (the registry's model files read it).
    const lazy = Object.keys(outputs).filter((o) => !start.has(o) && Object.keys(outputs[o]!.inputs).some((m) => m.includes('node_modules/yaml/')));
    expect(lazy.length).toBeGreaterThan(0);
  }, 60_000);
});

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

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

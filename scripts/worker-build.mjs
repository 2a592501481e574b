// The data worker's esbuild options, shared by scripts/build-node.mjs (which writes public/data-worker.js) and
// tests/unit/page-bundles.test.ts (WRK-13: which modules its first chunks hold), so the test checks the build as it is.
import { dirname, join } from 'node:path';

/** Where the data worker's split chunks go, under its outdir (public/: precached with the rest of out/). */
export const WORKER_CHUNKS = 'data-worker-chunks';

/**
 * zod's namespace export pulls every locale (~260 KB minified) into a bundle; Cairn's messages are English, so browser
 * bundles get a `locales` holding `en` only (what zod itself configures at start).
 */
export const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (args) => {
      if (!/[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: join(dirname(args.importer), '..', 'locales', 'en-only.js'), namespace: 'zod-locales' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};\n`,
      resolveDir: dirname(args.path),
    }));
  },
};

/** The data worker, split (CHART-18): its first module (workers/boot.ts) starts a cold page's doc fetches while the
 * main one loads. The caller adds the outdir and the shared options (bundle, alias, target). */
export function dataWorkerBuild() {
  return {
    entryPoints: { 'data-worker': 'workers/data.worker.ts' },
    splitting: true,
    chunkNames: `${WORKER_CHUNKS}/[name]-[hash]`,
    platform: 'browser',
    format: 'esm',
    minify: true,
    sourcemap: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [zodEnglishOnly],
  };
}

// Builds what plain Node (and notebooks on other origins) load without a TypeScript loader:
//   dist/cli.cjs          the `cairn` CLI (relay, start, token), bin of the package
//   dist/sdk/index.{mjs,cjs}  `cairn/sdk` for Node
//   public/sdk/cairn.mjs  the browser ESM bundle, served by the app at /sdk/cairn.mjs
//   public/data-worker.js the app's data worker as ES modules (its main module and shared code in
//                         public/data-worker-chunks/), started by an inline script in the page's <head> before
//                         Next's runtime loads (lib/react/DataProvider.tsx adopts it)
//   dist/projects/ts-{register,hooks}.mjs  the TypeScript loader `cairn run` gives node projects' children
//                         (NODE_OPTIONS=--import=…/ts-register.mjs; esbuild's transform, server/projects/ts-loader)
//   public/model-worker.js the model worker (onnxruntime-web, wasm from public/ort/: scripts/copy-ort-wasm.mjs),
//                         started on demand by lib/react/model-client.ts
// Runs as `prepare`, so `npm install`/`npm ci` leave a usable CLI and SDK behind.
import { build } from 'esbuild';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKER_CHUNKS, dataWorkerBuild, zodEnglishOnly } from './worker-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Native addons stay Node's to resolve: onnxruntime-node is loaded (lib/sdk/onnx-node.ts) only when a model is.
const external = ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'onnxruntime-node'];
const alias = { '@': root };
// The Node SDK leaves its npm dependencies to Node's resolver (one copy of Yjs for the caller and us).
const nodeDeps = [...external, 'ws', 'yjs', 'y-websocket', 'y-protocols', 'y-protocols/*', 'lib0', 'lib0/*', 'zod', 'yaml'];
const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', alias, absWorkingDir: root, target: 'es2022' };

const jobs = [];
if (existsSync(join(root, 'server/cli/main.ts'))) {
  jobs.push(
    build({
      ...common,
      entryPoints: ['server/cli/main.ts'],
      outfile: 'dist/cli.cjs',
      platform: 'node',
      format: 'cjs',
      external,
      banner: { js: '#!/usr/bin/env node' },
    }),
  );
}
if (existsSync(join(root, 'server/projects/ts-loader/hooks.ts'))) {
  // Two files: register.ts points module.register at './ts-hooks.mjs' beside it. esbuild stays Node's to resolve.
  for (const [entry, out] of [['hooks', 'ts-hooks'], ['register', 'ts-register']]) {
    jobs.push(
      build({ ...common, entryPoints: [`server/projects/ts-loader/${entry}.ts`], outfile: `dist/projects/${out}.mjs`, platform: 'node', format: 'esm', external: ['esbuild'] }),
    );
  }
}
if (existsSync(join(root, 'lib/sdk/index.ts'))) {
  for (const [format, ext] of [['esm', 'mjs'], ['cjs', 'cjs']]) {
    jobs.push(
      build({ ...common, entryPoints: ['lib/sdk/index.ts'], outfile: `dist/sdk/index.${ext}`, platform: 'node', format, external: nodeDeps }),
    );
  }
  jobs.push(
    build({
      ...common,
      entryPoints: ['lib/sdk/index.ts'],
      outfile: 'public/sdk/cairn.mjs',
      platform: 'browser',
      format: 'esm',
      minify: true,
      sourcemap: false,
      // Node-only modules are reached through dynamic imports guarded by runtime checks; keep them out of the bundle.
      external: ['ws', 'node:*', 'onnxruntime-node'],
      plugins: [zodEnglishOnly],
    }),
  );
}
if (existsSync(join(root, 'workers/data.worker.ts'))) {
  // Split (CHART-18): the first module (workers/boot.ts) starts a cold page's doc fetches while the main one loads.
  rmSync(join(root, 'public', WORKER_CHUNKS), { recursive: true, force: true });
  jobs.push(
    build({ ...common, ...dataWorkerBuild(), outdir: 'public' }),
  );
}
if (existsSync(join(root, 'workers/model.worker.ts'))) {
  jobs.push(
    build({
      ...common,
      entryPoints: ['workers/model.worker.ts'],
      outfile: 'public/model-worker.js',
      platform: 'browser',
      format: 'esm',
      minify: true,
      sourcemap: false,
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [zodEnglishOnly],
    }),
  );
}
await Promise.all(jobs);
if (existsSync(join(root, 'lib/sdk/index.ts'))) {
  mkdirSync(join(root, 'dist/sdk'), { recursive: true });
  // Types for `cairn/sdk` consumers: re-export the source declarations.
  writeFileSync(join(root, 'dist/sdk/index.d.ts'), "export * from '../../lib/sdk/index';\n");
}

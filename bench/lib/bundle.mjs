// Bundles TypeScript sources of this repo (lib/doc, lib/search, server/relay) into one ESM/CJS file under
// bench/.data/bundles/ that plain Node can import. npm dependencies stay external, so the bundle and `cairn/sdk` share
// node_modules' Yjs. Files are named by content hash: a rebuild of unchanged sources reuses the file.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DATA = join(ROOT, 'bench', '.data');

const EXTERNAL = ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'onnxruntime-node', 'ws', 'yjs', 'y-websocket', 'y-protocols', 'y-protocols/*', 'lib0', 'lib0/*', 'zod', 'yaml'];

/**
 * `contents` is a TypeScript module whose imports are resolved from the repo root (e.g.
 * `export * from './lib/doc/index.ts'`). Returns the bundle's path; `importBundle` loads it.
 */
export async function bundle(name, contents, format = 'esm') {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: `${name}.ts` },
    bundle: true,
    write: false,
    logLevel: 'warning',
    alias: { '@': ROOT },
    absWorkingDir: ROOT,
    target: 'es2022',
    platform: 'node',
    format,
    external: EXTERNAL,
  });
  const code = result.outputFiles[0].contents;
  const dir = join(DATA, 'bundles');
  const file = join(dir, `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 12)}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  }
  return file;
}

export async function importBundle(name, contents) {
  return import(pathToFileURL(await bundle(name, contents)).href);
}

/** lib/doc (layout, commands, chunk codec, readSeries) plus lib/search's bucketing. */
export const DOC_AND_SEARCH = `export * from './lib/doc/index.ts';\nexport { bucketSeries } from './lib/search/bucket.ts';\n`;
/** server/relay: startRelay, openRelayDatabase, SqliteDocStore. */
export const RELAY = `export * from './server/relay/index.ts';\n`;

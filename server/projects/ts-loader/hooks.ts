/**
 * Module hooks that let Node 20 run a TypeScript project (`node train.ts`, RUN-13): `.ts` / `.mts` files are compiled
 * by esbuild's `transform` (types stripped, no type check — as `tsx` and Node 22's type stripping do), relative imports
 * may leave the extension off or name the `.js` twin (`./model` and `./model.js` find `./model.ts`), and `cairn/sdk`
 * resolves to this package's built SDK when the project does not have its own (a project outside this repository).
 * Built to dist/projects/ts-hooks.mjs by scripts/build-node.mjs; registered by ts-register.mjs via NODE_OPTIONS.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { LoadHook, ResolveHook } from 'node:module';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const TS_FILE = /\.(m?ts)$/;
/** This package's SDK, next to this file once built (dist/projects/ → dist/sdk/). */
const OWN_SDK = new URL('../sdk/index.mjs', import.meta.url).href;

const isFile = (url: URL) => {
  try {
    return statSync(fileURLToPath(url)).isFile();
  } catch {
    return false;
  }
};

/** TypeScript's own resolution of a relative import: the `.ts` twin of `.js`, or the extension left off. */
function tsCandidates(specifier: string): string[] {
  if (/\.m?js$/.test(specifier)) return [specifier.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts')];
  if (/\.[cm]?[jt]sx?$|\.json$/.test(specifier)) return [];
  return [`${specifier}.ts`, `${specifier}.mts`, `${specifier}/index.ts`];
}

export const resolve: ResolveHook = async (specifier, context, next) => {
  try {
    return await next(specifier, context);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && code !== 'ERR_UNSUPPORTED_DIR_IMPORT') throw e;
    if (specifier === 'cairn/sdk' && existsSync(fileURLToPath(OWN_SDK))) return { url: OWN_SDK, shortCircuit: true };
    const parent = context.parentURL;
    if (parent?.startsWith('file:') && /^\.{1,2}\/|^\//.test(specifier)) {
      for (const c of tsCandidates(specifier)) {
        const url = new URL(c, parent);
        if (isFile(url)) return { url: url.href, shortCircuit: true };
      }
    }
    throw e;
  }
};

export const load: LoadHook = async (url, context, next) => {
  if (!url.startsWith('file:') || !TS_FILE.test(new URL(url).pathname)) return next(url, context);
  const path = fileURLToPath(url);
  const { code } = await transform(readFileSync(path, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: path,
  });
  return { format: 'module', source: code, shortCircuit: true };
};

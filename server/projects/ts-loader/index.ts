/**
 * Where the built TypeScript loader is (dist/projects/ts-register.mjs), found from the package root so the CLI finds it
 * whether it runs as dist/cli.cjs or as a test bundle elsewhere under dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

function packageRoot(from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cairn') return dir;
      } catch {
        // not ours
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

/** The loader's path, or null when the package was not built (`npm run build:node`). */
export function tsLoaderPath(from: string = __dirname): string | null {
  const root = packageRoot(from);
  const p = root ? join(root, 'dist', 'projects', 'ts-register.mjs') : null;
  return p && existsSync(p) ? p : null;
}

/** NODE_OPTIONS for a node project's child: the loader (a file URL, so a path with spaces stays one option) and
 * source maps, so a stack trace names the .ts file and line. */
export function nodeOptionsWithLoader(existing: string | undefined, loader: string): string {
  return [existing, `--import=${pathToFileURL(loader).href}`, '--enable-source-maps'].filter(Boolean).join(' ');
}

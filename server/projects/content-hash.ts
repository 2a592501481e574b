import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Folders that are not the project's code: git's own store, installed packages, and the SDK journal a child writes. */
const SKIPPED = new Set(['.git', 'node_modules', '.cairn-sdk']);

/**
 * `cairn.project.contentHash`: sha256 over the project folder's files in sorted relative-path order, each as
 * `path NUL size NUL bytes` (a symlink as its target text), so a renamed, edited, added or removed file changes it and
 * nothing else does (times, permissions, the order the OS lists a folder in).
 */
export function contentHash(dir: string): string {
  const files: { rel: string; abs: string }[] = [];
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs)) {
      if (SKIPPED.has(name)) continue;
      const a = join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(a);
      if (st.isDirectory()) walk(a, r);
      else if (st.isFile() || st.isSymbolicLink()) files.push({ rel: r, abs: a });
    }
  };
  walk(dir, '');
  files.sort((x, y) => (x.rel < y.rel ? -1 : x.rel > y.rel ? 1 : 0));
  const h = createHash('sha256');
  for (const f of files) {
    const bytes = lstatSync(f.abs).isSymbolicLink() ? Buffer.from(readlinkSync(f.abs)) : readFileSync(f.abs);
    h.update(f.rel).update('\0').update(String(bytes.length)).update('\0').update(bytes);
  }
  return h.digest('hex');
}

// The exported pages of a static export folder (out/): every .html file under it, depth first. Shared by the post-build
// steps (hoist-early-scripts.mjs, compile-hints.mjs).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function* htmlFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* htmlFiles(p);
    else if (e.name.endsWith('.html')) yield p;
  }
}

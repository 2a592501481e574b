// After `next build`, before `serwist build` (which hashes the files): puts V8's explicit compile hint
// `//# allFunctionsCalledOnLoad` at the top of every chunk an exported page loads with a <script src> (the framework,
// the router and the page's own code), so Chromium compiles their functions eagerly on a background thread while the
// file streams in, instead of lazily on the main thread at first call. On a cold profile that lazy compile was most of
// the 80–140 ms main-thread task at load (bench/browser.mjs "main-thread long tasks"). Chunks loaded later on demand
// (ECharts, viewers) are left as they are: most of their functions are not called at load. Browsers without the hint
// read a comment.
//
//   node scripts/compile-hints.mjs [outDir]     (default: out/)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { htmlFiles } from './out-files.mjs';

export const HINT = '//# allFunctionsCalledOnLoad\n';

/** The chunk paths (as in `src`, from the site root) a page loads with a script tag, `noModule` fallbacks left out. */
export function loadedChunks(html) {
  const out = new Set();
  for (const m of html.matchAll(/<script\b([^>]*)>/g)) {
    const attrs = m[1];
    if (/\bnoModule\b/i.test(attrs)) continue;
    const src = /\bsrc="(\/_next\/static\/chunks\/[^"?#]+\.js)"/.exec(attrs);
    if (src) out.add(src[1]);
  }
  return out;
}

/** The script with the hint as its first line (V8 reads it only there); unchanged when it has it. */
export function withHint(js) {
  return js.startsWith(HINT) ? js : HINT + js;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'out');
  const chunks = new Set();
  for (const f of htmlFiles(out)) for (const c of loadedChunks(readFileSync(f, 'utf8'))) chunks.add(c);
  let bytes = 0;
  for (const c of chunks) {
    const file = join(out, c);
    const js = readFileSync(file, 'utf8');
    const next = withHint(js);
    if (next !== js) writeFileSync(file, next);
    bytes += next.length;
  }
  console.log(`compile-hints: ${chunks.size} chunks loaded by the pages (${Math.round(bytes / 1024)} KB) compile eagerly`);
}

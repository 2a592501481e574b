// After `next build`, before `serwist build` (which hashes the files): moves every inline
// `<script data-cairn-early="">` of the exported pages to the very start of <head>, before Next's stylesheet link and
// its async chunks. An inline script after a stylesheet waits for that stylesheet, and the async chunks that arrive
// meanwhile run first; hoisted, the data worker starts (and the theme is set) as soon as the HTML is parsed
// (components/charts/SPEC.md CHART-14). React always puts the stylesheet links it manages ahead of the head's own
// children, so this cannot be said in app/layout.tsx itself.
//
//   node scripts/hoist-early-scripts.mjs [outDir]     (default: out/)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { htmlFiles } from './out-files.mjs';

const EARLY = /<script data-cairn-early="">[\s\S]*?<\/script>/g;
const HEAD_START = /<head>(\s*<meta charSet="utf-8"\/>)?/;

/** The page with its early scripts moved to the start of <head> (after the charset); unchanged when it has none. */
export function hoistEarlyScripts(html) {
  const scripts = html.match(EARLY);
  if (!scripts) return html;
  const head = HEAD_START.exec(html);
  if (!head) throw new Error('hoist-early-scripts: a page with early scripts but no <head>');
  const without = html.replace(EARLY, '');
  const at = head.index + head[0].length;
  return without.slice(0, at) + scripts.join('') + without.slice(at);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'out');
  let n = 0;
  for (const f of htmlFiles(out)) {
    const html = readFileSync(f, 'utf8');
    const next = hoistEarlyScripts(html);
    if (next !== html) {
      writeFileSync(f, next);
      n++;
    }
  }
  console.log(`hoist-early-scripts: ${n} page(s) start their early scripts first`);
}

// Import rules of DESIGN.md ("Layout and dependency direction"), checked on resolved paths, plus "no cycles".
//
//   node scripts/check-imports.mjs        exits 1 and prints every forbidden import and every cycle
//
// LAYERS below is the one table of who may import what. eslint.config.mjs imports it and turns it into
// `no-restricted-imports` rules for editor feedback; this script is the exact check (it resolves `@/` and relative
// paths, and also sees dynamic `import()` and `require()`, which ESLint's rule does not).
// Cycles are runtime cycles: `import type` / `export type` edges are erased by the compiler, so they are left out of the
// cycle search (two classes of one folder may name each other's types). The direction rules apply to them all the same.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Who may import what. A file may always import files of its own folder.
 * - folders:  other folders it may import (by path from the repo root; a folder covers everything below it).
 * - typeOnly: folders it may import with `import type` / `export type` only.
 * - packages: the npm packages it may import ('node:*' = Node built-ins, 'react' also covers 'react/jsx-runtime'),
 *             or '*' = any package except those in `deny`.
 * The most specific `dir` wins (lib/doc before lib). Every scanned file must fall in one of the dirs.
 */
const CORE = ['lib/domain', 'lib/doc', 'lib/search', 'lib/store', 'lib/relay-client', 'lib/sync', 'lib/sdk'];
const FEATURE = ['lib/models', 'lib/registry', 'lib/projects', 'lib/deploy'];
const ALL_LIB = [...CORE, ...FEATURE, 'lib/react'];
const BROWSER_ONLY = ['react', 'react-dom', 'next', 'dexie', 'comlink', 'echarts', 'zrender', 'y-indexeddb'];
const SYNC_PACKAGES = ['yjs', 'y-websocket', 'y-protocols', 'lib0', 'y-indexeddb'];

export const LAYERS = [
  { dir: 'lib/domain', folders: [], packages: ['zod'] },
  { dir: 'lib/doc', folders: ['lib/domain'], packages: ['zod', 'yjs', 'lib0'] },
  { dir: 'lib/search', folders: ['lib/domain'], packages: ['zod'] },
  { dir: 'lib/store', folders: ['lib/domain'], packages: ['zod', 'dexie'] },
  // The websocket client for relay rooms, shared by lib/sync (browser) and lib/sdk (browser and Node).
  { dir: 'lib/relay-client', folders: ['lib/domain'], packages: ['zod', 'yjs', 'y-websocket', 'y-protocols', 'lib0'] },
  {
    dir: 'lib/sync',
    folders: ['lib/domain', 'lib/doc', 'lib/store', 'lib/relay-client'],
    packages: ['zod', 'yjs', 'y-websocket', 'y-protocols', 'lib0'],
  },
  {
    dir: 'lib/sdk',
    folders: ['lib/domain', 'lib/doc', 'lib/search', 'lib/relay-client'],
    packages: ['zod', 'yjs', 'y-websocket', 'y-protocols', 'lib0', 'ws', 'node:*'],
  },
  ...FEATURE.map((dir) => ({ dir, folders: ['lib/domain', 'lib/doc'], packages: ['zod', 'yjs', 'lib0'] })),
  {
    dir: 'lib/react',
    folders: ALL_LIB.filter((d) => d !== 'lib/react'),
    typeOnly: ['workers'],
    packages: ['react', 'react-dom', 'next', 'comlink', 'zod', 'yjs'],
  },
  {
    dir: 'workers',
    folders: ALL_LIB.filter((d) => d !== 'lib/react'),
    packages: '*',
    deny: ['react', 'react-dom', 'next', 'echarts', 'zrender', 'ws', 'better-sqlite3', 'node:*'],
  },
  {
    dir: 'components',
    folders: ['lib/react', 'lib/domain'],
    packages: '*',
    deny: ['dexie', 'comlink', ...SYNC_PACKAGES, 'ws', 'better-sqlite3', 'node:*'],
  },
  {
    dir: 'app',
    folders: ['components', 'lib/react', 'lib/domain'],
    packages: '*',
    deny: ['dexie', 'comlink', 'echarts', 'zrender', ...SYNC_PACKAGES, 'ws', 'better-sqlite3', 'node:*'],
  },
  {
    dir: 'server',
    folders: ALL_LIB.filter((d) => d !== 'lib/store' && d !== 'lib/react'),
    packages: '*',
    deny: BROWSER_ONLY,
  },
];

/** Folders whose .ts/.tsx files are checked. */
export const SCANNED = ['lib', 'workers', 'components', 'app', 'server'];
const EXTS = ['.ts', '.tsx', '.mts', '.cts'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const toPosix = (p) => p.split(sep).join('/');

export function layerOf(relPath) {
  let best;
  for (const l of LAYERS) {
    if ((relPath === l.dir || relPath.startsWith(l.dir + '/')) && (!best || l.dir.length > best.dir.length)) best = l;
  }
  return best;
}

/** 'react/jsx-runtime' → 'react', '@a/b/c' → '@a/b', 'fs' / 'node:fs/promises' → 'node:fs'. */
export function packageName(spec) {
  if (spec.startsWith('node:')) return 'node:' + spec.slice(5).split('/')[0];
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? 'node:' + name : name;
}

function packageAllowed(layer, name) {
  const matches = (list) => (list ?? []).some((p) => p === name || (p === 'node:*' && name.startsWith('node:')));
  if (layer.packages === '*') return !matches(layer.deny);
  return matches(layer.packages);
}

function folderAllowed(layer, target, typeOnly) {
  if (target === layer.dir || target.startsWith(layer.dir + '/')) return true;
  const under = (dirs) => (dirs ?? []).some((d) => target === d || target.startsWith(d + '/'));
  return under(layer.folders) || (typeOnly && under(layer.typeOnly));
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing: blank out comments and template literals, replace string literals by placeholders, then match statements.

/** Returns { code, strings } where every '…' / "…" literal in `code` is `"\u0000<n>"` and strings[n] is its text. */
function mask(src) {
  let out = '';
  const strings = [];
  let i = 0;
  let lastSignificant = '';
  const regexAllowedAfter = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && n === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out += ' ' + '\n'.repeat(src.slice(i, stop).split('\n').length - 1); // keep line numbers
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c && src[j] !== '\n') {
        if (src[j] === '\\') j++;
        text += src[j] ?? '';
        j++;
      }
      strings.push(text);
      out += `"\u0000${strings.length - 1}"`;
      i = j + 1;
      lastSignificant = '"';
    } else if (c === '`') {
      // Template literal: skipped whole, including `${…}` (nested templates are rare in import-bearing code).
      let j = i + 1;
      let depth = 0;
      while (j < src.length) {
        if (src[j] === '\\') j += 2;
        else if (depth === 0 && src[j] === '`') break;
        else if (src[j] === '$' && src[j + 1] === '{') {
          depth++;
          j += 2;
        } else if (depth > 0 && src[j] === '}') {
          depth--;
          j++;
        } else j++;
      }
      out += '``' + '\n'.repeat(src.slice(i, j).split('\n').length - 1);
      i = j + 1;
      lastSignificant = '`';
    } else if (c === '/' && (regexAllowedAfter.has(lastSignificant) || /\b(return|typeof|case|do|else|in|of|void|yield|await)$/.test(out))) {
      // Regex literal: skip to the closing slash outside a character class.
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== '\n') {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        else if (src[j] === '/' && !inClass) break;
        j++;
      }
      out += '/r/';
      i = j + 1;
      lastSignificant = '/';
    } else {
      out += c;
      if (!/\s/.test(c)) lastSignificant = /[\w$)\]]/.test(c) ? 'x' : c;
      i++;
    }
  }
  return { code: out, strings };
}

const S = '"\\u0000(\\d+)"';
const STATEMENT_PATTERNS = [
  // import x from '…', import { a, type b } from '…', import type X from '…', import * as n from '…'
  { re: new RegExp(`(?:^|[;}\\s])import\\s+(type\\s+)?([\\w$*{}\\s,]+?)\\s+from\\s*${S}`, 'g'), kind: 'import' },
  // import '…' (side effect)
  { re: new RegExp(`(?:^|[;}\\s])import\\s*${S}`, 'g'), kind: 'side-effect' },
  // export * from '…', export { a } from '…', export type { A } from '…'
  { re: new RegExp(`(?:^|[;}\\s])export\\s+(type\\s+)?(\\*(?:\\s+as\\s+[\\w$]+)?|\\{[^}]*\\})\\s*from\\s*${S}`, 'g'), kind: 'export' },
  // import('…'), require('…'), import x = require('…')
  { re: new RegExp(`(?<![\\w$.])(?:import|require)\\s*\\(\\s*${S}\\s*\\)`, 'g'), kind: 'dynamic' },
];

/** @returns {{ spec: string, typeOnly: boolean, line: number, kind: string }[]} */
export function parseImports(src) {
  const { code, strings } = mask(src);
  const found = [];
  for (const { re, kind } of STATEMENT_PATTERNS) {
    for (const m of code.matchAll(re)) {
      const idx = Number(m[m.length - 1]);
      let typeOnly = false;
      if (kind === 'import' || kind === 'export') {
        const clause = m[2] ?? '';
        const named = clause.match(/\{([^}]*)\}/);
        const allTypeNamed =
          named !== null &&
          !/^\s*[\w$]+\s*,/.test(clause) &&
          named[1].split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '));
        typeOnly = Boolean(m[1]) || (allTypeNamed && named[1].trim() !== '');
      }
      const line = code.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
      found.push({ spec: strings[idx], typeOnly, line, kind });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution

function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of an internal import's target file, or a descriptive path if it does not exist; null for packages. */
export function resolveSpecifier(fromFile, spec) {
  let base;
  if (spec.startsWith('@/')) base = join(root, spec.slice(2));
  else if (spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../')) base = join(dirname(fromFile), spec);
  else return null;
  const jsToTs = base.replace(/\.(m|c)?jsx?$/, (e) => e.replace('js', 'ts'));
  const candidates = [
    base,
    jsToTs,
    jsToTs.replace(/\.tsx?$/, '.tsx'),
    ...EXTS.map((e) => base + e),
    base + '.d.ts',
    ...EXTS.map((e) => join(base, 'index' + e)),
  ];
  for (const c of candidates) if (isFile(c)) return { file: c, exists: true };
  return { file: base, exists: false };
}

function walk(dir, acc) {
  if (!existsSync(dir)) return acc;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, acc);
    else if (EXTS.some((e) => name.endsWith(e))) acc.push(p);
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------------------------

/** Strongly connected components (Tarjan) with more than one file, or one file importing itself. */
function findCycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const comps = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!idx.has(to)) {
        strong(to);
        low.set(v, Math.min(low.get(v), low.get(to)));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v), idx.get(to)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).some((e) => e.to === v)) comps.push(comp);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return comps;
}

/** One concrete cycle inside a strongly connected component, as a list of edges (BFS from the first file back to it). */
function cycleIn(comp, graph) {
  const inComp = new Set(comp);
  const start = [...comp].sort()[0];
  const prev = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const e of graph.get(v) ?? []) {
      if (!inComp.has(e.to)) continue;
      if (e.to === start) {
        const path = [e];
        let cur = v;
        while (cur !== start) {
          path.unshift(prev.get(cur));
          cur = prev.get(cur).from;
        }
        return path;
      }
      if (!prev.has(e.to)) {
        prev.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  return [];
}

export function check() {
  const files = SCANNED.flatMap((d) => walk(join(root, d), []));
  const graph = new Map();
  const problems = [];
  for (const file of files) {
    const rel = toPosix(relative(root, file));
    const layer = layerOf(rel);
    const edges = [];
    graph.set(rel, edges);
    if (!layer) {
      problems.push(`${rel}: not in any layer; add its folder to LAYERS in scripts/check-imports.mjs (see DESIGN.md)`);
    }
    for (const imp of parseImports(readFileSync(file, 'utf8'))) {
      const where = `${rel}:${imp.line}`;
      const resolved = resolveSpecifier(file, imp.spec);
      if (resolved === null) {
        const name = packageName(imp.spec);
        if (layer && !packageAllowed(layer, name)) {
          problems.push(`${where}: ${layer.dir}/ may not import package '${name}' ('${imp.spec}')`);
        }
        continue;
      }
      const target = toPosix(relative(root, resolved.file));

      if (layer && !folderAllowed(layer, target, imp.typeOnly)) {
        const hint = (layer.typeOnly ?? []).some((d) => target.startsWith(d + '/')) ? ' except with `import type`' : '';
        problems.push(`${where}: ${layer.dir}/ may not import ${target}${hint} ('${imp.spec}')`);
      }
      // Unresolved modules are tsc's to report; assets (.css) are no graph nodes.
      if (resolved.exists && !imp.typeOnly && EXTS.some((e) => target.endsWith(e))) edges.push({ from: rel, to: target, line: imp.line, typeOnly: imp.typeOnly });
    }
  }
  for (const comp of findCycles(graph)) {
    const path = cycleIn(comp, graph);
    const steps = path.map((e) => `  ${e.from}:${e.line} → ${e.to}`);
    problems.push(`import cycle (${comp.length} files tangled), for example:\n${steps.join('\n')}`);
  }
  return { files: files.length, problems };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { files, problems } = check();
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    console.error(`check-imports: ${problems.length} problem(s) in ${files} files`);
    process.exit(1);
  }
  console.log(`check-imports: ${files} files, import directions ok, no cycles`);
}

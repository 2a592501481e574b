// ESLint 9 flat config. `npm run lint` runs it with --max-warnings 0, then the other checks of its "lint" script.
// The import-direction rules come from the layer table scripts/layers.json (the single source): here they become
// `no-restricted-imports` patterns so editors flag a wrong import as it is typed. scripts/check-deps.mjs
// (dependency-cruiser, .dependency-cruiser.cjs) stays the exact check (it resolves paths and also sees dynamic
// `import()` and `require()`), and it finds cycles.
import js from '@eslint/js';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const { layers: LAYERS } = JSON.parse(readFileSync(new URL('./scripts/layers.json', import.meta.url), 'utf8'));

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const oneOf = (xs) => `(?:${xs.map(esc).join('|')})(?:/|$)`;
/** Deepest folder level given its own exact rule; anything deeper shares the last one. */
const MAX_DEPTH = 5;
const TS_FILES = '*.{ts,tsx,mts,cts}';

/** Patterns for `@/…` aliases and packages (same at every depth of a layer). */
function aliasAndPackagePatterns(layer) {
  const folders = [layer.dir, ...layer.folders, ...(layer.typeOnly ?? [])];
  const patterns = [];
  const listed = (xs) => xs.join(', ') || 'nothing';
  const where = '(scripts/layers.json, DESIGN.md)';
  if (layer.packages === '*') {
    patterns.push({
      regex: `^@/(?!${oneOf(folders)})`,
      message: `${layer.dir}/ may import only its own files and ${listed(layer.folders)} ${where}.`,
    });
    const deny = (layer.deny ?? []).filter((p) => p !== 'node:*');
    const alternatives = deny.length ? [oneOf(deny)] : [];
    if ((layer.deny ?? []).includes('node:*')) alternatives.push('node:', oneOf(builtinModules));
    if (alternatives.length > 0) {
      patterns.push({
        regex: `^(?:${alternatives.join('|')})`,
        message: `${layer.dir}/ may not import ${listed(layer.deny ?? [])} ${where}.`,
      });
    }
  } else {
    const pkgs = layer.packages.filter((p) => p !== 'node:*');
    const node = layer.packages.includes('node:*');
    const allowed = [`\\.\\.?(?:/|$)`, `@/${oneOf(folders)}`];
    if (pkgs.length) allowed.push(oneOf(pkgs));
    if (node) allowed.push('node:', oneOf(builtinModules));
    patterns.push({
      regex: `^(?!${allowed.join('|')})`,
      message: `${layer.dir}/ may import only ${listed([...layer.folders, ...layer.packages])} ${where}.`,
    });
  }
  for (const dir of layer.typeOnly ?? []) {
    patterns.push({ regex: `^@/${oneOf([dir])}`, allowTypeImports: true, message: `${layer.dir}/ may import ${dir}/ only with \`import type\`.` });
  }
  return patterns;
}

/**
 * Relative paths that climb out of the layer, for a file `depth` folders below the layer's own folder: going up
 * depth+j levels lands in the j-th ancestor of the layer folder, so the rest of the path must name an allowed folder.
 */
function relativePatterns(layer, depth) {
  const segs = layer.dir.split('/');
  const alternatives = (targets) => {
    const alts = [];
    for (let j = 1; j <= segs.length; j++) {
      const ancestor = segs.slice(0, segs.length - j).join('/');
      const rests = targets
        .filter((t) => ancestor === '' || t.startsWith(ancestor + '/'))
        .map((t) => (ancestor === '' ? t : t.slice(ancestor.length + 1)));
      if (rests.length) alts.push(`(?:\\.\\./){${depth + j}}${oneOf(rests)}`);
    }
    return alts;
  };
  const ok = alternatives([layer.dir, ...layer.folders, ...(layer.typeOnly ?? [])]);
  const patterns = [
    {
      regex: `^${ok.length ? `(?!${ok.join('|')})` : ''}(?:\\.\\./){${depth + 1}}`,
      message: `${layer.dir}/ may import only its own files and ${layer.folders.join(', ') || 'no other folder'} (scripts/layers.json).`,
    },
  ];
  const typeOnly = alternatives(layer.typeOnly ?? []);
  if (typeOnly.length) {
    patterns.push({ regex: `^(?:${typeOnly.join('|')})`, allowTypeImports: true, message: `${layer.dir}/ may import ${layer.typeOnly.join(', ')} only with \`import type\`.` });
  }
  return patterns;
}

const layerConfigs = LAYERS.flatMap((layer) =>
  Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
    name: `cairn/imports/${layer.dir}/depth-${depth}`,
    files: [`${layer.dir}/${'*/'.repeat(depth)}${depth === MAX_DEPTH ? '**/' : ''}${TS_FILES}`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...aliasAndPackagePatterns(layer), ...relativePatterns(layer, depth)] }],
    },
  })),
);

/** Globals of Node for the plain .js/.mjs/.cjs files (scripts, configs); TypeScript files get theirs from tsc. */
const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'fetch', 'AbortController', 'TextEncoder', 'TextDecoder',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'queueMicrotask', 'structuredClone',
    'performance', 'crypto', 'globalThis', 'WebSocket', 'Response', 'Request', 'Headers',
  ].map((g) => [g, 'readonly']),
);

export default tseslint.config(
  {
    ignores: [
      'out/**', 'dist/**', '.next/**', 'node_modules/**', 'public/sdk/**', 'public/ort/**', 'public/data-worker.js', 'public/data-worker-chunks/**', 'public/model-worker.js', 'next-env.d.ts',
      'bench/.data/**', 'test-results/**', 'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description' }],
      eqeqeq: ['error', 'smart'],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', __filename: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layerConfigs,
);

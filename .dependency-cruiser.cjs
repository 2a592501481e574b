// dependency-cruiser rules for DESIGN.md's "Layout and dependency direction", generated from scripts/layers.json.
//
//   node scripts/check-deps.mjs     what `npm run lint` runs: these rules, plus the exact cycle search (see there)
//   npx depcruise --config .dependency-cruiser.cjs lib workers components app server    the same rules, ad hoc
//
// Paths are relative to the folder depcruise runs from (the repo root, or a fixture root in the lint tests).
// tsPreCompilationDeps: the TypeScript AST is walked as written, so `import type` edges count for the direction
// rules, and every `import()` call is seen wherever it sits (also inside a template literal's `${…}`).
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const { layers, scanned } = JSON.parse(readFileSync(join(__dirname, 'scripts', 'layers.json'), 'utf8'));

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** `^(?:a|b)(?:/|$)`: a path at or below one of the dirs. */
const under = (dirs) => `^(?:${dirs.map(esc).join('|')})(?:/|$)`;
/** A resolved npm package file (or its @types package), for the given package names. */
const inPackages = (names) => `^node_modules/(?:@types/)?(?:${names.map(esc).join('|')})(?:/|$)`;
/** Dependency types that vanish when TypeScript compiles the file. */
const TYPE_ONLY = ['type-only', 'type-import', 'pre-compilation-only'];
const LAYER_DOC = 'scripts/layers.json, DESIGN.md "Layout and dependency direction"';

/** `from` of a layer: its dir, minus any more specific layer below it (the most specific dir wins). */
function fromLayer(layer) {
  const deeper = layers.filter((l) => l.dir.startsWith(layer.dir + '/')).map((l) => l.dir);
  return deeper.length ? { path: under([layer.dir]), pathNot: under(deeper) } : { path: under([layer.dir]) };
}

function layerRules(layer) {
  const from = fromLayer(layer);
  const listed = (xs) => (xs && xs.length ? xs.join(', ') : 'nothing');
  const rules = [
    {
      name: `layer:${layer.dir}`,
      comment: `${layer.dir}/ may import only its own files and ${listed(layer.folders)} (${LAYER_DOC}).`,
      severity: 'error',
      from,
      to: {
        couldNotResolve: false,
        dependencyTypesNot: ['core'],
        pathNot: `${under([layer.dir, ...layer.folders, ...(layer.typeOnly ?? [])])}|^node_modules/`,
      },
    },
  ];
  if (layer.typeOnly?.length) {
    rules.push({
      name: `layer:${layer.dir}:type-only`,
      comment: `${layer.dir}/ may import ${listed(layer.typeOnly)} with \`import type\` only (${LAYER_DOC}).`,
      severity: 'error',
      from,
      to: { path: under(layer.typeOnly), dependencyTypesNot: TYPE_ONLY },
    });
  }
  const allowsNode = layer.packages === '*' ? !layer.deny?.includes('node:*') : layer.packages.includes('node:*');
  if (layer.packages === '*') {
    const deny = (layer.deny ?? []).filter((p) => p !== 'node:*');
    if (deny.length) {
      rules.push({
        name: `layer:${layer.dir}:packages`,
        comment: `${layer.dir}/ may not import ${listed(deny)} (${LAYER_DOC}).`,
        severity: 'error',
        from,
        to: { path: inPackages(deny) },
      });
    }
  } else {
    const pkgs = layer.packages.filter((p) => p !== 'node:*');
    rules.push({
      name: `layer:${layer.dir}:packages`,
      comment: `${layer.dir}/ may import only the packages ${listed(pkgs)} (${LAYER_DOC}).`,
      severity: 'error',
      from,
      to: pkgs.length ? { path: '^node_modules/', pathNot: inPackages(pkgs) } : { path: '^node_modules/' },
    });
  }
  if (!allowsNode) {
    rules.push({
      name: `layer:${layer.dir}:node`,
      comment: `${layer.dir}/ may not import Node built-ins (${LAYER_DOC}).`,
      severity: 'error',
      from,
      to: { dependencyTypes: ['core'] },
    });
  }
  return rules;
}

const SCANNED = under(scanned);
const IN_A_LAYER = under(layers.map((l) => l.dir));

/** Rules of the direction check (one cruise that keeps type-only edges). */
const directionRules = [
  ...layers.flatMap(layerRules),
  {
    name: 'not-in-a-layer',
    comment: `Every file below ${scanned.join(', ')} must fall in a layer: add its folder to ${LAYER_DOC}.`,
    severity: 'error',
    from: { path: SCANNED, pathNot: IN_A_LAYER },
    to: {},
  },
  {
    name: 'not-in-a-layer',
    comment: `Every file below ${scanned.join(', ')} must fall in a layer: add its folder to ${LAYER_DOC}.`,
    severity: 'error',
    from: { orphan: true, path: SCANNED, pathNot: IN_A_LAYER },
    to: {},
  },
  {
    // A specifier that resolves to nothing cannot be placed in a layer, so it is refused here as well as by tsc.
    name: 'unresolvable',
    comment: 'An import that resolves to no file or package: the layer rules cannot place it.',
    severity: 'error',
    from: { path: SCANNED },
    to: { couldNotResolve: true },
  },
];

/**
 * Runtime cycles: edges that survive compilation only. `import type` edges may go both ways (two classes of one folder
 * naming each other's types); the direction rules still apply to them. check-deps.mjs runs this rule in a cruise of the
 * compiled code (tsPreCompilationDeps: false), where depcruise's cycle search sees runtime edges only; viaOnly keeps
 * the rule right when it runs in the same cruise as the direction rules (`npx depcruise`), up to depcruise reporting
 * one cycle per edge (it may pick one through a type edge and miss a runtime one).
 */
const cycleRule = {
  name: 'no-cycles',
  comment: 'No import cycles (DESIGN.md): a runtime cycle makes module initialisation order-dependent.',
  severity: 'error',
  from: { path: SCANNED },
  to: { circular: true, viaOnly: { dependencyTypesNot: TYPE_ONLY } },
};

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [...directionRules, cycleRule],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: '(^|/)node_modules/' },
    // Type-only imports resolve to the typings; runtime imports to the file Node or the bundler loads.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'browser', 'default'],
      mainFields: ['types', 'typings', 'module', 'main'],
      extensions: ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.mjs', '.cjs', '.jsx', '.json'],
    },
    skipAnalysisNotInRules: true,
  },
};

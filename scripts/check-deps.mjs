// Import rules of DESIGN.md ("Layout and dependency direction") and "no cycles", checked by dependency-cruiser with the
// rules of .dependency-cruiser.cjs (generated from the layer table scripts/layers.json).
//
//   node scripts/check-deps.mjs [root]    exits 1 and prints every forbidden import and every cycle
//
// `root` (default: the repo) is the folder whose lib/, workers/, components/, app/, server/ are checked; the lint tests
// point it at fixture trees. Two cruises:
//   1. direction: the TypeScript source as written (tsPreCompilationDeps), so `import type` edges obey the layer table
//      too, and every `import()` / `require()` call with a literal specifier is seen wherever it sits in the AST,
//      including inside a template literal's `${…}`.
//   2. cycles: the compiled code (tsPreCompilationDeps: false), so only edges that exist at runtime form cycles. In one
//      cruise, depcruise reports one cycle per edge and may pick a path through a type-only edge, hiding a runtime
//      cycle; here there are no type edges to pick.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = createRequire(import.meta.url)(join(repo, '.dependency-cruiser.cjs'));
const { scanned } = createRequire(import.meta.url)(join(repo, 'scripts', 'layers.json'));
const CYCLE_RULE = 'no-cycles';

function describe(violation, rules) {
  const rule = rules.find((r) => r.name === violation.rule.name);
  if (violation.cycle) {
    const steps = [violation.from, ...violation.cycle.map((c) => c.name)].join('\n    → ');
    return `${violation.rule.name}: import cycle\n    ${steps}`;
  }
  const target = violation.from === violation.to ? '' : ` → ${violation.to}`;
  return `${violation.rule.name}: ${violation.from}${target}\n    ${rule?.comment ?? ''}`;
}

/** @returns {Promise<{ modules: number, problems: string[] }>} */
export async function checkDeps(root = repo) {
  const cwd = process.cwd();
  process.chdir(root); // depcruise resolves and reports paths relative to the working directory
  try {
    const dirs = scanned.filter((d) => existsSync(d));
    const tsConfigFile = existsSync('tsconfig.json') ? resolve('tsconfig.json') : undefined;
    const tsConfig = tsConfigFile ? extractTSConfig(tsConfigFile) : undefined;
    const options = { ...config.options, tsConfig: tsConfigFile ? { fileName: tsConfigFile } : undefined };
    const run = async (forbidden, tsPreCompilationDeps) => {
      const { output } = await cruise(
        dirs,
        // The resolver reads tsConfig from ruleSet.options (as the CLI passes a config file), the extractor from the top.
        { ...options, tsPreCompilationDeps, validate: true, ruleSet: { forbidden, options }, outputType: 'json' },
        {},
        { tsConfig },
      );
      const result = typeof output === 'string' ? JSON.parse(output) : output;
      return { count: result.summary.totalCruised, problems: result.summary.violations.map((v) => describe(v, forbidden)) };
    };
    if (dirs.length === 0) return { modules: 0, problems: [] };
    const direction = await run(config.forbidden.filter((r) => r.name !== CYCLE_RULE), true);
    const cycles = await run(config.forbidden.filter((r) => r.name === CYCLE_RULE), false);
    return { modules: direction.count, problems: [...direction.problems, ...cycles.problems] };
  } finally {
    process.chdir(cwd);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = resolve(process.argv[2] ?? repo);
  const { modules, problems } = await checkDeps(root);
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    console.error(`check-deps: ${problems.length} problem(s) among ${modules} modules`);
    process.exit(1);
  }
  console.log(`check-deps: ${modules} modules, import directions ok, no cycles`);
}

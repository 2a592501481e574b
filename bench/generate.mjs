// Builds a relay data folder of a generated workspace (bench/lib/generate.mjs) and prints how long it took.
//   node bench/generate.mjs [--runs 100000] [--experiments 10] [--params 20] [--metrics 20] [--points 5]
//                           [--ws default] [--out <dir>] [--prepared] [--fresh]
// Without --out it only fills the cache (bench/.data/workspaces/); with --out it copies the folder there, ready for
// `node dist/cli.cjs relay --open --data <dir>` or `cairn start --data <dir>` (workspace "default"): that relay builds
// the experiment indexes at its start (~25 s for 100k runs here); with --prepared the copy is of the folder after the
// relay's first start (cached too), which serves at once.
// tests/e2e/large-experiment.spec.ts runs this and reads the `experiment <id> <name>: <n> runs` lines.
import { parseArgs } from 'node:util';
import { copyWorkspace, describe, generateWorkspace, preparedWorkspace, DEFAULTS } from './lib/generate.mjs';
import { fmt, report } from './lib/util.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    experiments: { type: 'string' },
    params: { type: 'string' },
    metrics: { type: 'string' },
    points: { type: 'string' },
    ws: { type: 'string' },
    out: { type: 'string' },
    prepared: { type: 'boolean' },
    fresh: { type: 'boolean' },
  },
});
const num = (k) => (values[k] === undefined ? DEFAULTS[k] : Number(values[k]));
const opts = { runs: num('runs'), experiments: num('experiments'), params: num('params'), metrics: num('metrics'), points: num('points'), ws: values.ws ?? DEFAULTS.ws, fresh: values.fresh };
const t = performance.now();
const gen = values.prepared ? await preparedWorkspace(opts, (l) => console.log(l)) : await generateWorkspace(opts, (l) => console.log(l));
console.log(`workspace "${gen.manifest.ws}": ${describe(gen)}`);
console.log(`  folder ${gen.dir}`);
const b = gen.manifest.bytes;
console.log(`  encoded: run docs ${(b.runDocs / gen.manifest.runs).toFixed(0)} B/run, metrics docs ${(b.metricsDocs / gen.manifest.runs).toFixed(0)} B/run, workspace doc ${b.workspaceDoc} B`);
for (const e of gen.manifest.experiments) console.log(`  experiment ${e.id} ${e.name}: ${e.runs.toLocaleString('en-US')} runs`);
if (values.out) {
  copyWorkspace(gen, values.out);
  console.log(`  copied to ${values.out}`);
}
const m = gen.manifest;
const rows = [
  ['workspace', `${m.runs.toLocaleString('en-US')} runs`, `${m.experiments.length} experiments, ${m.params} params, ${m.metrics} metric keys × ${m.points} points, ${m.tags} tags each`],
  ['generation (lib/doc commands → SqliteDocStore)', `${fmt(m.generatedMs / 1000, 1)} s`, (gen.generated ?? gen).cached ? 'cached folder reused (the figure is from when it was built)' : 'built now'],
  ...(gen.firstStartMs !== undefined
    ? [["relay's first start (builds every index)", `${fmt(gen.firstStartMs / 1000, 1)} s`, gen.cached ? 'cached prepared folder reused (the figure is from when it was built)' : 'done now']]
    : []),
  ['encoded docs', `${fmt((b.runDocs + b.metricsDocs) / m.runs, 0)} B/run`, `run doc ${fmt(b.runDocs / m.runs, 0)} + metrics doc ${fmt(b.metricsDocs / m.runs, 0)}; workspace doc ${b.workspaceDoc} B`],
  ['relay.sqlite', `${fmt(b.sqlite / 1e6, 0)} MB`, `${fmt(b.sqlite / m.runs, 0)} B/run`],
];
report('generate', rows);
console.log(`done in ${((performance.now() - t) / 1000).toFixed(1)} s`);

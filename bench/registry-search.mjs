// Registry search: lib/registry's searchRegisteredModels / searchModelVersions over the cached view of a workspace doc
// holding 1,000 registered models × 20 versions (target: a search ≤ 50 ms, REG-Q6).
//   node --expose-gc bench/registry-search.mjs
// Builds the registry with lib/registry's own commands (bundled from source), numbers the versions as the relay does,
// then times each search (p50 and max of 15 rounds after 2 warm-ups) on the cached view, and separately the view
// build after a change (one tag set, then readRegistry: what the first search after any edit pays).
import * as Y from 'yjs';
import { importBundle } from './lib/bundle.mjs';
import { fmt, median, report, watchdog } from './lib/util.mjs';

watchdog(240_000, 'registry-search');
const reg = await importBundle('registry', `export * from './lib/registry/index.ts';\n`);
const TARGET_MS = 50;
const ROUNDS = 15;
const MODELS = 1000;
const VERSIONS = 20;

const runId = (i) => i.toString(16).padStart(32, 'a');
const ws = new Y.Doc();
let t = 1_700_000_000_000;
const c = { ws, actor: 'bench', now: () => t++, runDoc: () => new Y.Doc() };
// Each model is written with lib/registry's commands and merged in a doc of its own, then merged into the workspace doc: every
// command reads the view it just invalidated, so 20,000 commands on one doc would measure 20,000 view builds instead.
const t0 = performance.now();
const updates = [];
for (let m = 0; m < MODELS; m++) {
  const d = new Y.Doc();
  const mc = { ws: d, actor: 'bench', now: () => t++, runDoc: () => new Y.Doc() };
  const name = `model-${String(m).padStart(4, '0')}`;
  reg.createRegisteredModel(mc, { name, tags: { team: `t${m % 10}`, ...(m % 50 === 0 ? { 'mlflow.prompt.is_prompt': 'true' } : {}) } });
  for (let v = 0; v < VERSIONS; v++) {
    const run = runId(m * VERSIONS + v);
    reg.createModelVersion(mc, { name, source: `runs:/${run}/model`, runId: run, tags: { stage: v % 3 ? 'dev' : 'prod' } });
  }
  reg.assignVersionNumbers(mc);
  updates.push(Y.encodeStateAsUpdate(d));
}
Y.applyUpdate(ws, Y.mergeUpdates(updates));
const buildMs = performance.now() - t0;
const view0 = reg.readRegistry(ws);
console.log(`${view0.models.length} models × ${VERSIONS} versions = ${view0.versions.length} versions, written with lib/registry's commands and merged in ${fmt(buildMs / 1000, 1)} s`);

function time(f) {
  f();
  f();
  const xs = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = performance.now();
    f();
    xs.push(performance.now() - a);
  }
  return { p50: median(xs), max: Math.max(...xs) };
}

const PROMPT_ONLY = "tag.`mlflow.prompt.is_prompt` != 'true'";
const PROMPT = ` AND ${PROMPT_ONLY}`;
const cases = [
  ['models: default (client prompt clause), first 100', () => reg.searchRegisteredModels(reg.readRegistry(ws), { filter: PROMPT_ONLY })],
  ['models: name LIKE + tag, by last_updated DESC', () => reg.searchRegisteredModels(reg.readRegistry(ws), { filter: `name LIKE 'model-0%' AND tags.team = 't3'${PROMPT}`, orderBy: ['last_updated_timestamp DESC'] })],
  ['models: ILIKE, 1000 per page, by creation', () => reg.searchRegisteredModels(reg.readRegistry(ws), { filter: "name ILIKE 'MODEL-%'", orderBy: ['timestamp ASC'], maxResults: 1000 })],
  ['versions: default order (last_updated DESC), all 20k', () => reg.searchModelVersions(reg.readRegistry(ws), { maxResults: 200_000 })],
  ['versions: name = + version_number >, by version DESC', () => reg.searchModelVersions(reg.readRegistry(ws), { filter: "name = 'model-0500' AND version_number > 5", orderBy: ['version_number DESC'] })],
  ['versions: run_id IN (3) + tag', () => reg.searchModelVersions(reg.readRegistry(ws), { filter: `run_id IN ('${runId(7)}', '${runId(4000)}', '${runId(19999)}') AND tags.stage = 'dev'` })],
  ['versions: source_path LIKE, by name then version', () => reg.searchModelVersions(reg.readRegistry(ws), { filter: "source_path LIKE 'runs:/%/model'", orderBy: ['name ASC', 'version_number ASC'], maxResults: 1000 })],
];
const rows = [];
for (const [label, f] of cases) {
  const n = (() => {
    const r = f();
    return (r.models ?? r.versions).length;
  })();
  const { p50, max } = time(f);
  console.log(`  ${label.padEnd(56)} p50 ${fmt(p50)} ms, max ${fmt(max)} ms (${n} results; target ≤ ${TARGET_MS} ms)`);
  rows.push([label, `p50 ${fmt(p50)} ms, max ${fmt(max)} ms`, `${n} results`]);
}

// The view build after a change: a tag set (one transaction) marks the cached view stale; the next read rebuilds it.
const rebuild = [];
for (let r = 0; r < 7; r++) {
  reg.setRegisteredModelTag(c, { name: 'model-0001', key: 'bench', value: String(r) });
  const a = performance.now();
  reg.readRegistry(ws);
  rebuild.push(performance.now() - a);
}
console.log(`  view build after a change (readRegistry):                p50 ${fmt(median(rebuild))} ms, max ${fmt(Math.max(...rebuild))} ms`);
rows.push(['view build after a change', `p50 ${fmt(median(rebuild))} ms, max ${fmt(Math.max(...rebuild))} ms`, `${MODELS} × ${VERSIONS}`]);
report('registry-search', rows);

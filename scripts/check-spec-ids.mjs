// Every rule a SPEC.md defines has a test naming it, and every rule ID a test names is defined in a SPEC.md
// (STYLE.md habit 3: stable rule IDs, tests carry them in their names).
//
//   node scripts/check-spec-ids.mjs [root]     exits 1 and lists untested rules and unknown test IDs
//
// A rule is defined by a list item that starts with its ID in bold (`- **DOC-L5** Readers tolerate ...`) or by a
// heading that starts with it (`## SDK-11 — an unreadable journal ...`); other mentions in a SPEC are references.
// A definition whose text starts with "(retired)" or "Retired" needs no test, and no test may name it.
// A test names IDs in brackets anywhere in its title: `it('[DOC-P4] first entry wins', ...)`, `[RELAY-4, RELAY-30]`
// for several. Titles are the first argument (a string or template literal) of it / test / describe calls and their
// .only / .concurrent / .describe / .serial variants, in *.test.* / *.spec.* files under tests/ (parsed with
// TypeScript); `.skip`, `.todo` and `.fixme` titles do not count as testing a rule (their IDs must still be defined).
// scripts/untested-rules.json lists rules known to have no test yet, each with its reason; an entry whose rule now has
// a test, or is not defined, is an error too.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP_DIRS = new Set(['node_modules', '.git', '.next', 'out', 'dist', 'test-results', 'playwright-report', '.cairn']);
const TEST_FILE = /\.(?:test|spec)\.[cm]?[jt]sx?$/;
const ID = '[A-Z][A-Z0-9]*-[A-Z]*[0-9]+[a-z]?';
const DEFINITION = new RegExp(`^(?:\\s*[-*]\\s+\\*\\*(${ID})\\*\\*|#{1,6}\\s+(${ID})\\b)(.*)$`);
const RETIRED = /^\s*[—:-]?\s*(?:\(retired\b|retired\b)/i;
const BRACKETS = new RegExp(`\\[(${ID}(?:\\s*,\\s*${ID})*)\\]`, 'g');
const TITLE_FUNCTIONS = new Set(['it', 'test', 'describe']);
const NOT_RUN = new Set(['skip', 'todo', 'fixme']);

const toPosix = (p) => p.split(sep).join('/');

function walk(dir, keep, acc = []) {
  if (!existsSync(dir)) return acc;
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, keep, acc);
    else if (keep(name)) acc.push(p);
  }
  return acc;
}

/** @returns {Map<string, { file: string, line: number, retired: boolean }>} and the duplicate definitions */
export function specRules(root) {
  const rules = new Map();
  const duplicates = [];
  for (const file of walk(root, (n) => n === 'SPEC.md')) {
    const rel = toPosix(relative(root, file));
    let fenced = false;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (/^\s*```/.test(text)) fenced = !fenced;
        const m = fenced ? null : text.match(DEFINITION);
        if (!m) return;
        const id = m[1] ?? m[2];
        const where = { file: rel, line: i + 1, retired: RETIRED.test(m[3]) };
        if (rules.has(id)) duplicates.push(`${id} is defined twice: ${rules.get(id).file}:${rules.get(id).line} and ${rel}:${i + 1}`);
        else rules.set(id, where);
      });
  }
  return { rules, duplicates };
}

/** `it` / `test.describe.serial` …: the root name and the modifiers, or null for any other callee. */
function titleCall(callee) {
  const modifiers = [];
  let e = callee;
  while (ts.isPropertyAccessExpression(e)) {
    modifiers.unshift(e.name.text);
    e = e.expression;
  }
  return ts.isIdentifier(e) && TITLE_FUNCTIONS.has(e.text) ? modifiers : null;
}

/** A title's text: a string, or a template literal's literal parts (what `${…}` holds is left out). */
function titleText(arg) {
  if (!arg) return null;
  if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) return arg.text;
  if (ts.isTemplateExpression(arg)) return arg.head.text + arg.templateSpans.map((s) => ` ${s.literal.text}`).join('');
  return null;
}

/** @returns {{ id: string, file: string, line: number, runs: boolean, title: string }[]} */
export function testIds(root) {
  const found = [];
  for (const file of walk(join(root, 'tests'), (n) => TEST_FILE.test(n))) {
    const rel = toPosix(relative(root, file));
    // Parsed, not matched: a title-like string inside another string (a fixture) is no test.
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
    const visit = (node) => {
      if (ts.isCallExpression(node)) {
        const modifiers = titleCall(node.expression);
        const title = modifiers && titleText(node.arguments[0]);
        if (title !== null && title !== undefined) {
          const runs = !modifiers.some((x) => NOT_RUN.has(x));
          const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
          for (const b of title.matchAll(BRACKETS)) {
            for (const id of b[1].split(',').map((s) => s.trim())) found.push({ id, file: rel, line, runs, title });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

export function checkSpecIds(root = repo) {
  const { rules, duplicates } = specRules(root);
  const ids = testIds(root);
  const allowFile = join(root, 'scripts', 'untested-rules.json');
  const allowed = existsSync(allowFile) ? JSON.parse(readFileSync(allowFile, 'utf8')).rules ?? {} : {};
  const tested = new Set(ids.filter((t) => t.runs).map((t) => t.id));
  const problems = [...duplicates];

  for (const t of ids) {
    const rule = rules.get(t.id);
    if (!rule) problems.push(`${t.file}:${t.line}: test names [${t.id}], which no SPEC.md defines ("${t.title}")`);
    else if (rule.retired) problems.push(`${t.file}:${t.line}: test names [${t.id}], retired in ${rule.file}:${rule.line}`);
  }
  for (const [id, rule] of rules) {
    if (rule.retired || tested.has(id) || id in allowed) continue;
    problems.push(`${rule.file}:${rule.line}: ${id} has no test naming it (add "[${id}]" to a test title)`);
  }
  for (const [id, why] of Object.entries(allowed)) {
    if (typeof why !== 'string' || why.trim() === '') problems.push(`scripts/untested-rules.json: ${id} needs a reason`);
    if (!rules.has(id)) problems.push(`scripts/untested-rules.json: ${id} is not defined in any SPEC.md`);
    else if (tested.has(id)) problems.push(`scripts/untested-rules.json: ${id} has a test now; remove it from the list`);
  }
  const untested = [...rules.keys()].filter((id) => id in allowed && !tested.has(id));
  const live = [...rules.values()].filter((r) => !r.retired).length;
  return { rules: live, retired: rules.size - live, untested, tests: new Set(ids.map((t) => `${t.file}:${t.line}`)).size, problems };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { rules, retired, untested, tests, problems } = checkSpecIds(process.argv[2] ?? repo);
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    console.error(`check-spec-ids: ${problems.length} problem(s) (${rules} rules, ${tests} tests with rule IDs)`);
    process.exit(1);
  }
  const known = untested.length ? ` (known untested, scripts/untested-rules.json: ${untested.join(', ')})` : '';
  console.log(`check-spec-ids: ${rules - untested.length} of ${rules} rules tested${known}${retired ? `, ${retired} retired` : ''}; ${tests} tests with rule IDs, each defined`);
}

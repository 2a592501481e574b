import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/** scripts/check-spec-ids.mjs run against small trees in temp folders. */
const root = join(__dirname, '..', '..');
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function check(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-lint-spec-ids-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'check-spec-ids.mjs'), dir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const SPEC = [
  '# rules',
  'Tests name these IDs (`[ABC-1] ...`); see also ABC-2 and (ABC-9), which are references, not definitions.',
  '- **ABC-1** The first rule.',
  '- **ABC-2** The second rule, in a bullet.',
  '## ABC-3 A rule defined by a heading',
  '- **ABC-4** (retired) Once a rule, no longer.',
  '```',
  '- **ABC-5** inside a code fence: an example, not a definition',
  '```',
].join('\n');

describe('spec-id check', () => {
  it('passes when every rule has a test and every test ID is defined', () => {
    const r = check({
      'lib/x/SPEC.md': SPEC,
      'tests/unit/x.test.ts': [
        "it('[ABC-1] first', () => {});",
        "test(`[ABC-2][ABC-3] ${'two'} at once`, () => {});",
        "describe.concurrent('no id here', () => {});",
      ].join('\n'),
    });
    expect(r.out).toContain('3 of 3 rules tested, 1 retired');
    expect(r.status, r.out).toBe(0);
  });

  it('lists a rule without a test, a test ID no SPEC defines, and a test naming a retired rule', () => {
    const r = check({
      'lib/x/SPEC.md': SPEC,
      'tests/unit/x.test.ts': [
        "it('[ABC-1, ABC-3] two in one bracket', () => {});",
        "it('[ZZZ-7] nobody defines this', () => {});",
        "it('[ABC-4] cites a retired rule', () => {});",
        "it('[ABC-5] fenced examples are not rules', () => {});",
      ].join('\n'),
    });
    expect(r.status).toBe(1);
    expect(r.out).toContain('lib/x/SPEC.md:4: ABC-2 has no test naming it');
    expect(r.out).toContain('tests/unit/x.test.ts:2: test names [ZZZ-7], which no SPEC.md defines');
    expect(r.out).toContain('tests/unit/x.test.ts:3: test names [ABC-4], retired in lib/x/SPEC.md:6');
    expect(r.out).toContain('tests/unit/x.test.ts:4: test names [ABC-5], which no SPEC.md defines');
    expect(r.out).not.toMatch(/ABC-[13] has no test/);
    expect(r.out).not.toContain('ABC-9');
  });

  it('does not count skipped or todo tests as testing a rule', () => {
    const r = check({
      'lib/x/SPEC.md': '- **ABC-1** one\n- **ABC-2** two\n',
      // Written into the fixture tree only; built from parts so this file itself holds no skipped test.
      'tests/unit/x.test.ts': `${['it', 'skip'].join('.')}('[ABC-1] off', () => {});\n${['it', 'todo'].join('.')}('[ABC-2] later');\n`,
    });
    expect(r.status).toBe(1);
    expect(r.out).toContain('ABC-1 has no test naming it');
    expect(r.out).toContain('ABC-2 has no test naming it');
  });

  it('accepts rules listed as known untested, and refuses stale or unknown entries', () => {
    const spec = '- **ABC-1** one\n- **ABC-2** two\n';
    const ok = check({
      'lib/x/SPEC.md': spec,
      'tests/unit/x.test.ts': "it('[ABC-1] one', () => {});\n",
      'scripts/untested-rules.json': JSON.stringify({ rules: { 'ABC-2': 'needs a relay fault we cannot inject yet' } }),
    });
    expect(ok.status, ok.out).toBe(0);
    expect(ok.out).toContain('known untested, scripts/untested-rules.json: ABC-2');

    const stale = check({
      'lib/x/SPEC.md': spec,
      'tests/unit/x.test.ts': "it('[ABC-1] one', () => {});\nit('[ABC-2] two', () => {});\n",
      'scripts/untested-rules.json': JSON.stringify({ rules: { 'ABC-2': 'was untested', 'ABC-8': 'gone', 'ABC-1': '' } }),
    });
    expect(stale.status).toBe(1);
    expect(stale.out).toContain('ABC-2 has a test now; remove it from the list');
    expect(stale.out).toContain('ABC-8 is not defined in any SPEC.md');
    expect(stale.out).toContain('ABC-1 needs a reason');
  });

  it('refuses a rule ID defined twice', () => {
    const r = check({
      'lib/x/SPEC.md': '- **ABC-1** one\n',
      'lib/y/SPEC.md': '## ABC-1 again\n',
      'tests/unit/x.test.ts': "it('[ABC-1] one', () => {});\n",
    });
    expect(r.status).toBe(1);
    expect(r.out).toContain('ABC-1 is defined twice: lib/x/SPEC.md:1 and lib/y/SPEC.md:1');
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import { buildCommand, entryPointForFile, parseMLproject, parseParamArgs, resolveParams, type EntryPointSpec } from '@/lib/projects';

const noPaths = {
  resolvePath: (v: string): string => {
    throw new Error(`resolvePath called with ${v}`);
  },
};

function entry(yaml: string, name = 'main'): EntryPointSpec {
  return parseMLproject(yaml).entryPoints.get(name)!;
}

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    expect((e as CairnError).code).toBe('INVALID_PARAMETER_VALUE');
    return (e as CairnError).message;
  }
  throw new Error('not refused');
}

const tmp = mkdtempSync(join(tmpdir(), 'cairn-proj-cmd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run a built line exactly as the runner does (`/bin/sh -c <line>`) in `tmp`; the argv the child got, NUL-split. */
function argvOf(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', line], { cwd: tmp, encoding: 'buffer' });
  const parts = out.toString('utf8').split('\0');
  expect(parts.pop()).toBe('');
  return parts;
}

const HOSTILE = [
  'two words',
  "it's",
  '"double"',
  '$(touch pwned-subst)',
  '`touch pwned-backtick`',
  '; touch pwned-semicolon',
  '&& touch pwned-and',
  '| touch pwned-pipe',
  '$HOME',
  '${HOME}',
  'line one\nline two',
  '',
  ' ',
  '*',
  '~',
  "'; touch pwned-quote; echo '",
  '\\',
  '-n',
  '--flag=x',
  '#comment',
  'tab\there',
  'é ü 漢字 🙂',
  '>redirect-target',
  '{alpha}',
  '{{',
];

describe('lib/projects parameters', () => {
  it('[PROJ-P1] missing required parameters are refused all at once, in MLflow words, before any path is resolved', () => {
    const ep = entry('entry_points:\n  main:\n    parameters:\n      a: path\n      b: {type: string}\n      c: {type: float, default: 1}\n      d: uri\n    command: run {a} {b} {c} {d}\n');
    let calls = 0;
    const counting = { resolvePath: (v: string) => (calls++, v) };
    expect(refused(() => resolveParams(ep, { b: 'x' }, counting))).toBe("No value given for missing parameters: 'a', 'd'");
    expect(refused(() => resolveParams(ep, {}, counting))).toBe("No value given for missing parameters: 'a', 'b', 'd'");
    expect(calls).toBe(0);
    // An empty string is a value, not a missing one.
    expect(resolveParams(ep, { a: '', b: '', d: 'x:y' }, counting).declared).toEqual({ a: '', b: '', c: '1', d: 'x:y' });
  });

  it('[PROJ-P2] every declared parameter gets the given value, else its default, in declaration order', () => {
    const ep = entry('entry_points:\n  main:\n    parameters:\n      alpha: {type: float, default: 0.5}\n      name: {default: "n"}\n      ratio: {type: float, default: 0.1}\n    command: run {alpha} {name} {ratio}\n');
    const r = resolveParams(ep, { ratio: '0.9' }, noPaths);
    expect(r).toEqual({ declared: { alpha: '0.5', name: 'n', ratio: '0.9' }, extra: {} });
    expect(Object.keys(r.declared)).toEqual(['alpha', 'name', 'ratio']);
  });

  it('[PROJ-P3] float is not checked (as in MLflow), uri needs a scheme, path goes through the caller (defaults too)', () => {
    const ep = entry('entry_points:\n  main:\n    parameters:\n      f: float\n      u: uri\n      p: path\n      q: {type: path, default: data.csv}\n    command: run {f} {u} {p} {q}\n');
    const seen: string[] = [];
    const opts = { resolvePath: (v: string) => (seen.push(v), resolve('/project', v)) };
    const r = resolveParams(ep, { f: 'not a number', u: 's3://bucket/k', p: 'in/x.csv' }, opts);
    expect(r.declared).toEqual({ f: 'not a number', u: 's3://bucket/k', p: '/project/in/x.csv', q: '/project/data.csv' });
    expect(seen).toEqual(['in/x.csv', 'data.csv']);
    for (const u of ['runs:/abc/model', 'models:/m/1', 'file:///tmp/x', 'C:\\data', 'git+ssh://h/x', 'mailto:a@b']) {
      expect(resolveParams(ep, { f: '1', u, p: 'x' }, opts).declared.u, u).toBe(u);
    }
    for (const u of ['/abs/path', 'relative/path', '', ':nope', '1abc:x', 'no scheme here']) {
      expect(refused(() => resolveParams(ep, { f: '1', u, p: 'x' }, opts)), u).toBe(`Expected URI for parameter u but got ${u}`);
    }
    const bad = entry('entry_points:\n  main:\n    parameters:\n      u: {type: uri, default: not-a-uri}\n    command: run {u}\n');
    expect(refused(() => resolveParams(bad, {}, noPaths))).toBe('Expected URI for parameter u but got not-a-uri');
    // The resolver's own refusal (a local path that does not exist) comes through untouched.
    const missing = new CairnError('INVALID_PARAMETER_VALUE', 'Got value nope for parameter p, but no such file or directory was found.');
    expect(() => resolveParams(ep, { f: '1', u: 'a:b', p: 'nope' }, { resolvePath: () => { throw missing; } })).toThrow(missing);
  });

  it('[PROJ-P4] extras (given, not declared) follow the command as --key value, quoted, in the order given', () => {
    const ep = entry('entry_points:\n  main:\n    parameters:\n      a: {default: "1"}\n    command: python t.py --a {a}\n');
    const r = resolveParams(ep, { zeta: 'z', a: '2', beta: 'two words', 'odd key;': 'v' }, noPaths);
    expect(r).toEqual({ declared: { a: '2' }, extra: { zeta: 'z', beta: 'two words', 'odd key;': 'v' } });
    expect(Object.keys(r.extra)).toEqual(['zeta', 'beta', 'odd key;']);
    expect(buildCommand(ep, r)).toBe("python t.py --a 2 --zeta z --beta 'two words' '--odd key;' v");
    const file = entryPointForFile('train.py')!;
    expect(buildCommand(file, resolveParams(file, { lr: '0.1', epochs: '3' }, noPaths))).toBe('python train.py --lr 0.1 --epochs 3');
    expect(refused(() => resolveParams(file, { '': 'x' }, noPaths))).toBe('A parameter name must not be empty (write -P name=value)');
    const proto = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    expect(refused(() => resolveParams(file, proto, noPaths))).toBe("'__proto__' is reserved and cannot be a parameter name");
  });

  it('[PROJ-P5] values are shell-quoted: /bin/sh -c gets every hostile value into argv byte for byte and runs none', () => {
    // The command prints its argv NUL-separated; `sh -c '…' argv0 args…` puts the args in "$@".
    const ep = entry(`entry_points:
  main:
    parameters:
      a: string
      b: {type: string, default: "$(touch pwned-default)"}
    command: "printf '%s\\\\0' {a} {b} {a}"
`);
    expect(ep.command).toBe("printf '%s\\0' {a} {b} {a}");
    for (const value of HOSTILE) {
      const extraKey = `k ${value}`;
      const line = buildCommand(ep, resolveParams(ep, { a: value, [extraKey]: value }, noPaths));
      expect(argvOf(line), JSON.stringify(value)).toEqual([value, '$(touch pwned-default)', value, `--${extraKey}`, value]);
    }
    for (const f of ['pwned-subst', 'pwned-backtick', 'pwned-semicolon', 'pwned-and', 'pwned-pipe', 'pwned-quote', 'pwned-default', 'redirect-target']) {
      expect(existsSync(join(tmp, f)), f).toBe(false);
    }
    // Braces in values are data, not template fields.
    expect(buildCommand(ep, resolveParams(ep, { a: '{b}' }, noPaths))).toBe("printf '%s\\0' '{b}' '$(touch pwned-default)' '{b}'");
  });

  it('[PROJ-P6] the template: {{ }} become literal braces, a hand-made bad template or a missing value is refused', () => {
    const ep = entry("entry_points:\n  main:\n    parameters: {a: string}\n    command: \"printf '%s\\\\0' {{x}} {a} '{{{{y}}}}' {{{a}}}\"\n");
    const line = buildCommand(ep, resolveParams(ep, { a: 'v w' }, noPaths));
    expect(line).toBe("printf '%s\\0' {x} 'v w' '{{y}}' {'v w'}");
    expect(argvOf(line)).toEqual(['{x}', 'v w', '{{y}}', '{v w}']);
    const handMade: EntryPointSpec = { name: 'x', parameters: [], command: 'echo {oops' };
    expect(refused(() => buildCommand(handMade, { declared: {}, extra: {} }))).toBe("Entry point 'x': command: expected '}' before end of string");
    const noValue: EntryPointSpec = { name: 'y', parameters: [], command: 'echo {a}' };
    expect(refused(() => buildCommand(noValue, { declared: {}, extra: {} }))).toBe("Entry point 'y': the command refers to {a}, which has no value");
    // A script whose name needs quoting still runs (sh fallback) with its extras.
    const script = join(tmp, "my 'script'.sh");
    execFileSync('/bin/sh', ['-c', `printf '%s\\n' 'printf "%s\\\\0" "$@"' > "$1"`, 'sh', script]);
    const fallback = entryPointForFile(script)!;
    const out = execFileSync('/bin/sh', ['-c', buildCommand(fallback, resolveParams(fallback, { x: '$(id)' }, noPaths))], { env: { ...process.env, SHELL: '' } });
    expect(out.toString().split('\0')).toEqual(['--x', '$(id)', '']);
  });

  it('[PROJ-P7] -P name=value arguments: split at the first =, refused without one or repeated (MLflow words)', () => {
    expect(parseParamArgs(['alpha=0.5', 'expr=a=b', 'empty=', '=anon'])).toEqual({ alpha: '0.5', expr: 'a=b', empty: '', '': 'anon' });
    expect(Object.keys(parseParamArgs(['z=1', 'a=2']))).toEqual(['z', 'a']);
    expect(refused(() => parseParamArgs(['alpha']))).toBe("Invalid format for -P parameter: 'alpha'. Use -P name=value.");
    expect(refused(() => parseParamArgs(['a=1', 'a=2']))).toBe("Repeated parameter: 'a'");
    expect(refused(() => parseParamArgs(['__proto__=x']))).toBe("'__proto__' is reserved and cannot be a parameter name");
    // The empty name passes here and is refused by resolveParams, as it is named there.
    expect(refused(() => resolveParams(entryPointForFile('t.py')!, parseParamArgs(['=x']), noPaths))).toMatch(/must not be empty/);
  });
});

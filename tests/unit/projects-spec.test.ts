import { spawnSync } from 'node:child_process';
import { mulberry32 } from '../shared/random';
import { describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import {
  defaultProjectEnv,
  entryPointForFile,
  findMLprojectFile,
  getEntryPoint,
  nodeEngineFromPackageJson,
  nodeSatisfies,
  parseMLproject,
  type ProjectSpec,
} from '@/lib/projects';
import { formatPythonFloat as pyFloatStr } from '@/lib/domain/python-float';

/** The refusal a text gets: its code, message and details, or a failure if it parsed. */
function refusal(text: string): { message: string; line: unknown; field: unknown } {
  try {
    parseMLproject(text);
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    const err = e as CairnError;
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    return { message: err.message, line: err.details?.line, field: err.details?.field };
  }
  throw new Error(`parsed, but should have been refused:\n${text}`);
}

const ep = (spec: ProjectSpec, name = 'main') => spec.entryPoints.get(name)!;

/** Reads a JSON list of YAML scalar texts on stdin; for each, what MLflow would substitute: str(safe_load(...)). */
const PY_STR_OF_YAML = `
import json, sys, yaml, datetime
out = []
for t in json.load(sys.stdin):
    try:
        v = yaml.safe_load("d:\\n  type: string\\n  default: " + t + "\\n")["d"]["default"]
    except Exception:
        out.append(["error"]); continue
    if isinstance(v, (datetime.date, list, dict, bytes)): out.append(["skip"])
    elif v is None: out.append(["none"])
    else: out.append(["ok", str(v)])
print(json.dumps(out))
`;
const HAS_PYYAML = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;


const FULL = `name: tutorial
python_env: python_env.yaml
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
      l1_ratio: {type: float, default: 0.1}
      data: path
      tag: string
    command: "python train.py {alpha} {l1_ratio} --data {data} --tag {tag}"
  validate:
    parameters:
      model_uri: uri
    command: python validate.py {model_uri}
`;

describe('lib/projects MLproject parser', () => {
  it('[PROJ-S1] reads name, the environment and every entry point with its parameters in file order', () => {
    const spec = parseMLproject(FULL);
    expect(spec.name).toBe('tutorial');
    expect(spec.env).toEqual({ kind: 'python', file: 'python_env.yaml' });
    expect([...spec.entryPoints.keys()]).toEqual(['main', 'validate']);
    expect(ep(spec)).toEqual({
      name: 'main',
      command: 'python train.py {alpha} {l1_ratio} --data {data} --tag {tag}',
      parameters: [
        { name: 'alpha', type: 'float', default: '0.5' },
        { name: 'l1_ratio', type: 'float', default: '0.1' },
        { name: 'data', type: 'path', default: undefined },
        { name: 'tag', type: 'string', default: undefined },
      ],
    });
    expect(ep(spec, 'validate').parameters).toEqual([{ name: 'model_uri', type: 'uri', default: undefined }]);
    // Everything is optional but the entry points' commands: an MLproject naming nothing leaves the file fallback.
    expect(parseMLproject('name: bare\n')).toEqual({ name: 'bare', env: { kind: 'none' }, entryPoints: new Map() });
    expect(parseMLproject('entry_points:\n').entryPoints.size).toBe(0);
  });

  it('[PROJ-S1] unknown top-level keys, databricks_spark_job, empty files, non-mappings and non-YAML are refused with a line', () => {
    expect(refusal('name: x\nentry_point:\n  main: {command: ls}\n')).toEqual({
      message: 'MLproject line 2: entry_point: unknown key (name, entry_points, conda_env, python_env, docker_env, node_env)',
      line: 2,
      field: 'entry_point',
    });
    expect(refusal('databricks_spark_job:\n  python_file: x.py\n').message).toBe(
      'MLproject line 1: databricks_spark_job: Databricks Spark jobs are not supported (Cairn runs projects locally)',
    );
    expect(refusal('').message).toBe('MLproject line 1: the file is empty; it must be a mapping with entry_points');
    expect(refusal('# only a comment\n').message).toMatch(/^MLproject line 1: the file is empty/);
    expect(refusal('- a\n- b\n').message).toBe('MLproject line 1: the file must be a mapping, not a list');
    expect(refusal('just words\n').message).toBe("MLproject line 1: the file must be a mapping, not 'just words'");
    expect(refusal('name: x\nentry_points:\n  main:\n    command: "unterminated\n').message).toBe(
      'MLproject line 5: not valid YAML: Missing closing "quote (column 1)',
    );
    expect(refusal('name: x\n\tentry_points: 1\n').message).toBe('MLproject line 2: not valid YAML: Tabs are not allowed as indentation (column 1)');
    expect(refusal('name: a\n---\nname: b\n').message).toMatch(/^MLproject line 2: not valid YAML: .*multiple documents/);
    expect(refusal('name: x\nentry_points: !!python/object:os.system ls\n').message).toBe(
      'MLproject line 2: not valid YAML: Unresolved tag: tag:yaml.org,2002:python/object:os.system (column 15)',
    );
    expect(refusal('name: !custom x\n').message).toBe('MLproject line 1: not valid YAML: Unresolved tag: !custom (column 7)');
    expect(refusal(`name: x\nentry_points: ${'y'.repeat(500)}\n`).message).toBe(
      `MLproject line 2: entry_points: entry_points must be a mapping, not '${'y'.repeat(57)}...'`,
    );
    expect(refusal('name: [a, b]\n').message).toBe('MLproject line 1: name: must be text or a number, not a list');
    expect(refusal('x'.repeat((1 << 20) + 1)).message).toMatch(/^MLproject line 1: longer than/);
  });

  it('[PROJ-S1] a mangled MLproject is parsed or refused with a line, never crashes (seeded, 3,000 mutations)', () => {
    const rand = mulberry32(0xc0ffee);
    const bits = [':', ' ', '\n', '-', '{', '}', '[', ']', '&a', '*a', '<<: *a', '!!str', '"', "'", '#', '|', '~', '0.5', 'x', '\t', ',', '?'];
    const seedTexts = [FULL, 'docker_env:\n  image: x\n  environment: [[A, b], C]\nentry_points:\n  m: {parameters: {p: {type: uri, default: a:b}}, command: "r {p}"}\n'];
    let refusedCount = 0;
    for (let i = 0; i < 3000; i++) {
      let t = seedTexts[i % seedTexts.length]!;
      const edits = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rand() * (t.length + 1));
        const cut = rand() < 0.5 ? Math.floor(rand() * 4) : 0;
        t = t.slice(0, at) + (rand() < 0.7 ? bits[Math.floor(rand() * bits.length)] : '') + t.slice(at + cut);
      }
      try {
        const spec = parseMLproject(t);
        for (const e of spec.entryPoints.values()) expect(typeof e.command).toBe('string');
      } catch (e) {
        expect(e, t).toBeInstanceOf(CairnError);
        const m = /^MLproject line (\d+): /.exec((e as CairnError).message);
        expect(m, (e as CairnError).message).not.toBeNull();
        expect(Number(m![1])).toBeLessThanOrEqual(t.split('\n').length + 1);
        refusedCount++;
      }
    }
    expect(refusedCount).toBeGreaterThan(500);
  });

  it('[PROJ-S2] parameters: shorthand type, full form with type defaulting to string, types string/float/path/uri only', () => {
    const spec = parseMLproject(`entry_points:
  main:
    parameters:
      a: string
      b: {default: hello}
      c: {type: path, default: data/x.csv}
      d:
        type: uri
        default: s3://bucket/key
      e: float
    command: run {a} {b} {c} {d} {e}
`);
    expect(ep(spec).parameters).toEqual([
      { name: 'a', type: 'string', default: undefined },
      { name: 'b', type: 'string', default: 'hello' },
      { name: 'c', type: 'path', default: 'data/x.csv' },
      { name: 'd', type: 'uri', default: 's3://bucket/key' },
      { name: 'e', type: 'float', default: undefined },
    ]);
    expect(ep(parseMLproject('entry_points:\n  main:\n    parameters:\n    command: ls\n')).parameters).toEqual([]);
    const int = refusal('name: x\nentry_points:\n  main:\n    parameters:\n      n: 3\n      alpha:\n        type: int\n    command: ls\n');
    expect(int.message).toBe("MLproject line 5: entry_points.main.parameters.n: unknown type '3' (string, float, path, uri)");
    expect(refusal('entry_points:\n  main:\n    parameters:\n      alpha: {type: int}\n    command: ls\n')).toEqual({
      message: "MLproject line 4: entry_points.main.parameters.alpha: unknown type 'int' (string, float, path, uri)",
      line: 4,
      field: 'entry_points.main.parameters.alpha',
    });
    expect(refusal('entry_points:\n  main:\n    parameters:\n      alpha: {type: float, defualt: 1}\n    command: ls\n').message).toBe(
      'MLproject line 4: entry_points.main.parameters.alpha.defualt: unknown key (type, default)',
    );
    expect(refusal('entry_points:\n  main:\n    parameters:\n      alpha:\n    command: ls\n').message).toBe(
      "MLproject line 4: entry_points.main.parameters.alpha: no type: write 'alpha: string' or 'alpha: {type: string, default: ...}'",
    );
    expect(refusal('entry_points:\n  main:\n    parameters: [a, b]\n    command: ls\n').message).toBe(
      'MLproject line 3: entry_points.main.parameters: parameters must be a mapping, not a list',
    );
    expect(refusal('entry_points:\n  main:\n    parameters:\n      __proto__: string\n    command: ls\n').message).toMatch(
      /^MLproject line 4: entry_points.main.parameters: '__proto__' is reserved/,
    );
    expect(refusal('entry_points:\n  main:\n    parameters:\n      a: {type: string, default: [1]}\n    command: ls\n').message).toBe(
      'MLproject line 4: entry_points.main.parameters.a.default: must be text or a number, not a list',
    );
  });

  it("[PROJ-S3] a default is the text Python's str() makes of what PyYAML read (checked against PyYAML 6.0.3)", () => {
    // Each pair: the YAML as written, then str(yaml.safe_load(...)) in Python.
    const cases: [string, string | undefined][] = [
      ['0.1', '0.1'], ['10', '10'], ['1.0e-5', '1e-05'], ['0.00001', '1e-05'], ['1e-5', '1e-5'], ['1e5', '1e5'],
      ['100.0', '100.0'], ['1.5e+3', '1500.0'], ['1.0e+16', '1e+16'], ['12345678901234567.0', '1.2345678901234568e+16'],
      ['0.0001', '0.0001'], ['-0.0', '-0.0'], ['.5', '0.5'], ['5.', '5.0'], ['.inf', 'inf'], ['-.nan', '-.nan'],
      ['123456789012345678901234567890', '123456789012345678901234567890'], ['0x1F', '31'], ['017', '15'],
      ['0b101', '5'], ['1_000', '1000'], ['1:30', '90'], ['1:30.5', '90.5'], ['+1', '1'], ['-0', '0'],
      ['yes', 'True'], ['True', 'True'], ['off', 'False'], ['y', 'y'], ['~', undefined], ['null', undefined],
      ['""', ''], ['!!str 5', '5'], ["'0.10'", '0.10'], ['2020-01-01', '2020-01-01'], ['hello world', 'hello world'],
    ];
    for (const [yaml, want] of cases) {
      const spec = parseMLproject(`entry_points:\n  main:\n    parameters:\n      p: {type: string, default: ${yaml}}\n    command: run {p}\n`);
      expect(ep(spec).parameters[0]!.default, yaml).toBe(want);
    }
    expect([0.1, 1e-5, 10, 1e22, 5e-324, 1.7976931348623157e308, -123.456, 0].map(pyFloatStr)).toEqual([
      '0.1', '1e-05', '10.0', '1e+22', '5e-324', '1.7976931348623157e+308', '-123.456', '0.0',
    ]);
    // A block scalar default keeps its text, line breaks included.
    const block = parseMLproject('entry_points:\n  main:\n    parameters:\n      p:\n        default: |\n          two\n          lines\n    command: run {p}\n');
    expect(ep(block).parameters[0]!.default).toBe('two\nlines\n');
  });

  it.skipIf(!HAS_PYYAML)('[PROJ-S3] random scalars read as the real PyYAML + str() reads them (python3 with PyYAML here)', () => {
    const rand = mulberry32(0x5eed);
    const alphabet = ['0', '1', '7', '9', '.', '.', 'e', 'E', '+', '-', '_', ':', 'x', 'b', 'o', 'inf', 'nan', 'Inf', 'NaN', 'a', 'F', 'yes', 'No', 'on', 'OFF', 'true', 'Null', '~'];
    const texts = new Set<string>();
    const digits = () => String(Math.floor(rand() * 10 ** (1 + Math.floor(rand() * 8)))).slice(0, 1 + Math.floor(rand() * 17));
    while (texts.size < 1500) {
      if (rand() < 0.4) {
        // Floats PyYAML accepts (a dot, a signed exponent), across Python's fixed/exponent switch points.
        const exp = rand() < 0.7 ? `e${rand() < 0.5 ? '-' : '+'}${Math.floor(rand() * 25)}` : '';
        texts.add(`${rand() < 0.2 ? '-' : ''}${digits()}.${rand() < 0.8 ? digits() : ''}${exp}`);
        continue;
      }
      let t = '';
      const n = 1 + Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) t += alphabet[Math.floor(rand() * alphabet.length)];
      texts.add(t);
    }
    const list = [...texts];
    const py = spawnSync('python3', ['-c', PY_STR_OF_YAML], { input: JSON.stringify(list), encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const theirs = JSON.parse(py.stdout) as ([string, string] | ['none'] | ['error'] | ['skip'])[];
    let compared = 0;
    list.forEach((text, i) => {
      const want = theirs[i]!;
      if (want[0] === 'error' || want[0] === 'skip') return;
      let got: string | undefined;
      try {
        got = ep(parseMLproject(`entry_points:\n  main:\n    parameters:\n      p:\n        type: string\n        default: ${text}\n    command: run {p}\n`)).parameters[0]!.default;
      } catch (e) {
        got = `refused: ${(e as Error).message}`;
      }
      expect(got, text).toBe(want[0] === 'none' ? undefined : want[1]);
      compared++;
    });
    expect(compared).toBeGreaterThan(1000);
  });

  it('[PROJ-S4] an entry point is a mapping with a non-empty command and only parameters and command', () => {
    expect(refusal('entry_points:\n  main: python train.py\n').message).toBe(
      "MLproject line 2: entry_points.main: entry point 'main' must be a mapping, not 'python train.py'",
    );
    expect(refusal('entry_points:\n  main:\n    parameters: {a: string}\n').message).toBe("MLproject line 2: entry_points.main: no 'command'");
    expect(refusal('entry_points:\n  main:\n    command:\n').message).toBe('MLproject line 3: entry_points.main.command: must not be empty');
    expect(refusal('entry_points:\n  main:\n    command: "  "\n').message).toBe('MLproject line 3: entry_points.main.command: must not be empty');
    expect(refusal('entry_points:\n  main:\n    command: [python, x.py]\n').message).toBe(
      'MLproject line 3: entry_points.main.command: must be text or a number, not a list',
    );
    expect(refusal('entry_points:\n  main:\n    command: ls\n    env: x\n').message).toBe(
      'MLproject line 4: entry_points.main.env: unknown key (parameters, command)',
    );
    expect(refusal('entry_points: [main]\n').message).toBe('MLproject line 1: entry_points: entry_points must be a mapping, not a list');
    const multi = parseMLproject('entry_points:\n  main:\n    command: |\n      echo one\n      echo two\n');
    expect(ep(multi).command).toBe('echo one\necho two\n');
    // An entry point may be named like a file; the MLproject's entry wins over the file fallback (the runner asks here first).
    expect(parseMLproject('entry_points:\n  train.py:\n    command: python other.py\n').entryPoints.get('train.py')!.command).toBe('python other.py');
  });

  it('[PROJ-S5] at most one environment: conda_env, python_env, docker_env {image, volumes, environment}, node_env', () => {
    expect(parseMLproject('conda_env: env.yaml\n').env).toEqual({ kind: 'conda', file: 'env.yaml' });
    expect(parseMLproject('python_env: py.yaml\n').env).toEqual({ kind: 'python', file: 'py.yaml' });
    expect(
      parseMLproject(`docker_env:
  image: mlflow-docker-example
  volumes: ["/local:/container"]
  environment: [["NEW_ENV_VAR", "new_var_value"], "VAR_TO_COPY_FROM_HOST_ENVIRONMENT", [N, 5]]
`).env,
    ).toEqual({
      kind: 'docker',
      image: 'mlflow-docker-example',
      volumes: ['/local:/container'],
      environment: [['NEW_ENV_VAR', 'new_var_value'], 'VAR_TO_COPY_FROM_HOST_ENVIRONMENT', ['N', '5']],
    });
    expect(parseMLproject('docker_env: {image: x}\n').env).toEqual({ kind: 'docker', image: 'x', volumes: [], environment: [] });
    expect(parseMLproject('node_env: {node: ">=20"}\n').env).toEqual({ kind: 'node', version: '>=20' });
    expect(parseMLproject('node_env: {node: 20}\n').env).toEqual({ kind: 'node', version: '20' });
    expect(parseMLproject('node_env: {}\n').env).toEqual({ kind: 'node', version: undefined });
    expect(parseMLproject('node_env: package.json\n').env).toEqual({ kind: 'node', version: undefined, file: 'package.json' });

    expect(refusal('conda_env: c.yaml\npython_env: p.yaml\n')).toEqual({
      message: 'MLproject line 2: python_env: Project cannot contain multiple environment fields (conda_env, python_env)',
      line: 2,
      field: 'python_env',
    });
    expect(refusal('docker_env:\n  volumes: []\n').message).toBe(
      'MLproject line 1: docker_env: Docker environment specified but no image attribute found',
    );
    expect(refusal('docker_env:\n  image: x\n  volumes: /a:/b\n').message).toBe("MLproject line 3: docker_env.volumes: must be a list, not '/a:/b'");
    expect(refusal('docker_env:\n  image: x\n  volumes:\n    - [a]\n').message).toBe('MLproject line 4: docker_env.volumes[0]: must be text or a number, not a list');
    expect(refusal('docker_env:\n  image: x\n  environment:\n    - [A, b, c]\n').message).toBe(
      'MLproject line 4: docker_env.environment[0]: must be a variable name to copy from the host, or a [NAME, value] pair',
    );
    expect(refusal('docker_env:\n  image: x\n  run_args: [--gpus]\n').message).toBe('MLproject line 3: docker_env.run_args: unknown key (image, volumes, environment)');
    expect(refusal('conda_env:\n').message).toBe('MLproject line 1: conda_env: must not be empty');
    expect(refusal('python_env: {file: x}\n').message).toBe('MLproject line 1: python_env: must be text or a number, not a mapping');
    expect(refusal('node_env: {version: 20}\n').message).toBe('MLproject line 1: node_env.version: unknown key (node)');
    expect(refusal('node_env: [20]\n').message).toMatch(/^MLproject line 1: node_env: node_env \(a package.json file name, or \{node: '>=20'\}\) must be a mapping, not a list$/);
  });

  it('[PROJ-S6] the command is a str.format template: {name} of a declared parameter, {{ }} literal, nothing else', () => {
    const ok = parseMLproject("entry_points:\n  main:\n    parameters: {a: string}\n    command: \"awk '{{print $1}}' {a}\"\n");
    expect(ep(ok).command).toBe("awk '{{print $1}}' {a}");
    const cmd = (c: string) => refusal(`name: x\nentry_points:\n  main:\n    parameters: {a: string}\n    command: "${c}"\n`).message;
    expect(cmd('python x.py {b} {a} {c}')).toBe(
      'MLproject line 5: entry_points.main.command: refers to {b}, {c}, not declared in parameters (write {{ and }} for literal braces)',
    );
    expect(cmd('echo }')).toBe("MLproject line 5: entry_points.main.command: Single '}' encountered in format string");
    expect(cmd('echo {')).toBe("MLproject line 5: entry_points.main.command: Single '{' encountered in format string");
    expect(cmd('echo {a')).toBe("MLproject line 5: entry_points.main.command: expected '}' before end of string");
    expect(cmd('echo {}')).toMatch(/^MLproject line 5: entry_points.main.command: \{\} is a positional field/);
    expect(cmd('echo {0}')).toMatch(/\{0\} is a positional field/);
    for (const f of ['{a!r}', '{a:>9}', '{a.upper}', '{a[0]}']) expect(cmd(`echo ${f}`)).toContain(`${f} is not supported: a command refers to a parameter as {a} only`);
  });

  it('[PROJ-S7] duplicate keys are refused at every level with their line; anchors and merge keys are followed', () => {
    expect(refusal('name: a\nname: b\n')).toEqual({ message: "MLproject line 2: name: duplicate key 'name'", line: 2, field: 'name' });
    expect(refusal('entry_points:\n  main:\n    parameters:\n      alpha: float\n      alpha: string\n    command: ls {alpha}\n')).toEqual({
      message: "MLproject line 5: entry_points.main.parameters.alpha: duplicate key 'alpha'",
      line: 5,
      field: 'entry_points.main.parameters.alpha',
    });
    expect(refusal('entry_points:\n  main: {command: a}\n  main: {command: b}\n').message).toBe("MLproject line 3: entry_points.main: duplicate key 'main'");
    const spec = parseMLproject(`entry_points:
  main:
    parameters: &shared
      alpha: {type: float, default: 0.5}
    command: python a.py {alpha}
  other:
    parameters:
      <<: *shared
      beta: string
      alpha: {type: float, default: 0.9}
    command: python b.py {alpha} {beta}
  third:
    parameters: *shared
    command: python c.py {alpha}
`);
    // PyYAML's order: merged keys first, then the mapping's own; the explicit alpha wins.
    expect(ep(spec, 'other').parameters).toEqual([
      { name: 'alpha', type: 'float', default: '0.9' },
      { name: 'beta', type: 'string', default: undefined },
    ]);
    expect(ep(spec, 'third').parameters).toEqual([{ name: 'alpha', type: 'float', default: '0.5' }]);
    // Several sources: earlier ones win, later ones come first (checked against PyYAML: b, c, d, a, e).
    const multi = parseMLproject(`entry_points:
  main:
    parameters:
      <<: [&s1 {a: {default: 1}, b: {default: 1}}, &s2 {b: {default: 2}, c: {default: 2}, d: {default: 2}}]
      e: {default: 3}
      c: {default: 3}
    command: ls
`);
    expect(ep(multi).parameters.map((p) => `${p.name}=${p.default}`)).toEqual(['b=1', 'c=3', 'd=2', 'a=1', 'e=3']);
    // A self-referencing merge and an alias bomb stop at a bound instead of looping or blowing up.
    expect(refusal('entry_points: &x\n  <<: *x\n').message).toBe('MLproject line 2: entry_points: a merge key (<<) refers to the mapping it is in');
    let inner = '&a0 {p: {default: x}}';
    for (let i = 1; i <= 6; i++) inner = `&a${i} {<<: [${inner}, ${Array(9).fill(`*a${i - 1}`).join(', ')}]}`;
    expect(refusal(`entry_points:\n  main:\n    parameters: {<<: ${inner}}\n    command: ls\n`).message).toBe(
      'MLproject line 3: entry_points.main.parameters: merge keys (<<) expand to more than 10000 keys',
    );
    expect(refusal('name: *nope\n').message).toBe('MLproject line 1: unknown alias *nope');
  });
});

describe('lib/projects without an MLproject', () => {
  it('[PROJ-S8] a script file is its own entry point by extension, with no declared parameters; others are null', () => {
    expect(entryPointForFile('train.py')).toEqual({ name: 'train.py', parameters: [], command: 'python train.py' });
    expect(entryPointForFile('scripts/run.sh')!.command).toBe('"${{SHELL:-sh}}" scripts/run.sh');
    for (const f of ['a.js', 'a.mjs', 'a.cjs', 'src/a.ts', 'a.mts', 'a.cts']) expect(entryPointForFile(f)!.command).toBe(`node ${f}`);
    expect(entryPointForFile('my train.py')!.command).toBe("python 'my train.py'");
    // The command is a template; braces in a file name are doubled so they stay braces.
    expect(entryPointForFile('{x}.py')!.command).toBe("python '{{x}}.py'");
    expect(entryPointForFile('-c.py')!.command).toBe('python ./-c.py');
    for (const f of ['model.R', 'notes.txt', 'Makefile', 'train', '.py', 'dir.py/x']) expect(entryPointForFile(f), f).toBeNull();
    expect(entryPointForFile('train.ts', { kind: 'node', version: '>=20' })).toEqual(entryPointForFile('train.ts'));
    // -e <name>: the MLproject's entry point first, then a script file, else MLflow's refusal.
    const spec = parseMLproject('entry_points:\n  main: {command: ls}\n  train.py: {command: python other.py}\n');
    expect(getEntryPoint(spec, 'main').command).toBe('ls');
    expect(getEntryPoint(spec, 'train.py').command).toBe('python other.py');
    expect(getEntryPoint(spec, 'eval.ts').command).toBe('node eval.ts');
    expect(getEntryPoint(null, 'run.py').command).toBe('python run.py');
    expect(() => getEntryPoint(spec, 'my_program.scala')).toThrow(
      "Could not find my_program.scala among entry points ['main', 'train.py'] or interpret my_program.scala as a runnable script. " +
        "Supported script file extensions: ['.py', '.sh', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']",
    );
    expect(() => getEntryPoint(null, 'main')).toThrow(/^Could not find main among entry points \[\] /);
  });

  it('[PROJ-S9] with no env declared: python_env.yaml, then conda.yaml, then package.json (node), else none', () => {
    expect(defaultProjectEnv(['train.py', 'conda.yaml', 'python_env.yaml'])).toEqual({ kind: 'python', file: 'python_env.yaml' });
    expect(defaultProjectEnv(['conda.yaml', 'package.json'])).toEqual({ kind: 'conda', file: 'conda.yaml' });
    expect(defaultProjectEnv(['train.ts', 'package.json'])).toEqual({ kind: 'node', version: undefined, file: 'package.json' });
    expect(defaultProjectEnv(['train.py'])).toEqual({ kind: 'none' });
    expect(nodeEngineFromPackageJson('{"engines": {"node": ">=20.6"}}')).toBe('>=20.6');
    expect(nodeEngineFromPackageJson('{"name": "x"}')).toBeUndefined();
    expect(nodeEngineFromPackageJson('{"engines": {"npm": "10"}}')).toBeUndefined();
    expect(() => nodeEngineFromPackageJson('{"engines": {"node": 20}}', 'app/package.json')).toThrow(
      'app/package.json: engines.node must be a version range such as ">=20"',
    );
    expect(() => nodeEngineFromPackageJson('{nope')).toThrow(/^package.json: not valid JSON/);
    expect(() => nodeEngineFromPackageJson('[]')).toThrow('package.json: must be a JSON object');
  });

  it('[PROJ-S9] the MLproject is found by name as MLflow finds it (any case), one exact MLproject first', () => {
    expect(findMLprojectFile(['train.py', 'MLproject'])).toBe('MLproject');
    expect(findMLprojectFile(['mlproject', 'x'])).toBe('mlproject');
    expect(findMLprojectFile(['MLProject', 'MLproject'])).toBe('MLproject');
    expect(findMLprojectFile(['MLproject.yaml', 'train.py'])).toBeUndefined();
    expect(() => findMLprojectFile(['mlproject', 'MLPROJECT'])).toThrow('The project has several MLproject files (mlproject, MLPROJECT); keep one');
  });
});

describe('lib/projects node_env versions', () => {
  it('[PROJ-S10] a Node version range reads as npm semver reads it (table checked against semver 7.8.6)', () => {
    // [range, versions it admits, versions it refuses]
    const cases: [string, string[], string[]][] = [
      ['>=20', ['20.0.0', 'v20.20.0', '22.1.0'], ['19.9.9']],
      ['^20.6', ['20.6.0', '20.20.0'], ['20.5.9', '21.0.0']],
      ['~20.1.0', ['20.1.0', '20.1.9'], ['20.2.0', '20.0.9']],
      ['20.x', ['20.0.0', '20.99.1'], ['21.0.0', '19.0.0']],
      ['20', ['20.20.0'], ['21.0.0']],
      ['20.20.0', ['20.20.0'], ['20.20.1']],
      ['=20.20.0', ['20.20.0'], ['20.19.0']],
      ['18 || 20', ['18.3.0', '20.1.0'], ['19.0.0', '21.0.0']],
      ['>=18 <21', ['18.0.0', '20.99.9'], ['21.0.0', '17.9.9']],
      ['>= 20.6 < 22', ['20.6.0', '21.9.9'], ['22.0.0', '20.5.0']],
      ['18 - 20', ['18.0.0', '20.99.0'], ['21.0.0', '17.0.0']],
      ['1.2.3 - 2.3.4', ['1.2.3', '2.3.4'], ['2.3.5', '1.2.2']],
      ['1.2 - 2.3', ['1.2.0', '2.3.9'], ['2.4.0', '1.1.9']],
      ['>20', ['21.0.0'], ['20.99.9']],
      ['>20.19', ['20.20.0'], ['20.19.9']],
      ['>20.20.0', ['20.20.1'], ['20.20.0']],
      ['<=20', ['20.99.0'], ['21.0.0']],
      ['<=20.20.0', ['20.20.0'], ['20.20.1']],
      ['<21', ['20.99.9'], ['21.0.0']],
      ['^0.2.3', ['0.2.3', '0.2.9'], ['0.3.0']],
      ['^0.0.3', ['0.0.3'], ['0.0.4']],
      ['^0', ['0.9.9'], ['1.0.0']],
      ['~1', ['1.9.9'], ['2.0.0']],
      ['~>1.2', ['1.2.5'], ['1.3.0']],
      ['*', ['0.0.0', '99.0.0'], []],
      ['x', ['20.0.0'], []],
      ['<*', [], ['20.0.0']],
      ['>=20.0.0 || <10', ['9.9.9', '20.0.0'], ['10.0.0']],
    ];
    for (const [range, yes, no] of cases) {
      for (const v of yes) expect(nodeSatisfies(range, v), `${v} in ${range}`).toBe(true);
      for (const v of no) expect(nodeSatisfies(range, v), `${v} not in ${range}`).toBe(false);
    }
    // semver reads an empty alternative as '*'; that is a typo here. Prereleases are not Node versions.
    for (const range of ['banana', '>=20.', '20.6.1.1', '>', '^', '20 -', '20 - 21 - 22', '|| 20', '>=20 ||', '1.2.3-beta', ' ']) {
      expect(() => nodeSatisfies(range, '20.0.0'), range).toThrow(CairnError);
    }
    expect(() => nodeSatisfies('>=20', 'twenty')).toThrow("'twenty' is not a Node version");
    expect(refusal('node_env: {node: banana}\n').message).toBe(
      `MLproject line 1: node_env.node: 'banana' is not a Node version range ('banana' is not a version); write e.g. ">=20" or "^20.6"`,
    );
    expect(() => nodeEngineFromPackageJson('{"engines": {"node": ">=x.y"}}')).toThrow(/^package.json: engines.node: '>=x.y' is not a Node version range/);
  });
});

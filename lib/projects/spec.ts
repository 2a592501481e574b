/**
 * The MLproject file: MLflow's format (mlflow/projects/_project_spec.py, reference/mlflow.md §7) plus Cairn's
 * `node_env`. MLflow reads the file with PyYAML and validates almost nothing until the run fails; here the whole file
 * is checked up front and every refusal names its line and field (lib/projects/SPEC.md, PROJ-S*).
 */
import { Alias, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, YAMLMap, Node as YamlNode } from 'yaml';
import { CairnError } from '@/lib/domain';
import { parseNodeRange } from './node-range';
import { PY_YAML_READ, pyStr } from './pyyaml-read';
import { TemplateError, parseTemplate, templateParams } from './template';
import { PARAM_TYPES } from './types';
import type { EntryPointSpec, ParamType, ParameterSpec, ProjectEnv, ProjectSpec } from './types';

export { PARAM_TYPES } from './types';
export type { ParamType, ParameterSpec, EntryPointSpec, ProjectEnv, ProjectSpec } from './types';

/** Longer than any hand-written MLproject; bounds the work a hostile file can ask for. */
export const MAX_MLPROJECT_CHARS = 1 << 20;
const TOP_KEYS = ['name', 'entry_points', 'conda_env', 'python_env', 'docker_env', 'node_env'] as const;
/** Far above any real file's key count; reached only by merge keys multiplying aliases (or a self-alias loop). */
const MAX_PAIR_VISITS = 10_000;
const ENV_KEYS = ['conda_env', 'python_env', 'docker_env', 'node_env'] as const;

type Entry = { key: string; keyNode: YamlNode; value: YamlNode | null };

/** Reads the YAML tree with line numbers; every refusal goes through `fail`. */
class Reader {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  line(node: YamlNode | null | undefined): number {
    return node?.range ? this.lines.linePos(node.range[0]).line : 1;
  }

  fail(node: YamlNode | null | undefined, path: string, message: string): never {
    throw mlprojectError(this.line(node), path, message);
  }

  /** The node an alias stands for (anchors are legal YAML and PyYAML follows them). */
  deref(node: YamlNode | null): YamlNode | null {
    if (!isAlias(node)) return node;
    const target = (node as Alias).resolve(this.doc);
    if (!target) this.fail(node, '', `unknown alias *${(node as Alias).source}`);
    return target as YamlNode;
  }

  /** Pairs visited; merge keys can multiply a small file (or loop through a self-alias), so their work is bounded. */
  private visits = 0;
  /** The mappings whose merge keys are being expanded, to refuse a mapping that merges itself. */
  private readonly expanding = new Set<YAMLMap>();

  /**
   * A mapping's keys and values with merge keys (`<<: *base`, `<<: [*a, *b]`) expanded as PyYAML's `flatten_mapping`
   * does: explicit keys win over merged ones and earlier sources over later ones; key order is PyYAML's (merged keys
   * first, later sources before earlier ones, then the mapping's own). Duplicate explicit keys are refused.
   */
  entries(node: YamlNode | null, path: string, what: string): Entry[] {
    const map = this.deref(node);
    if (!isMap(map)) this.fail(node, path, `${what} must be a mapping, not ${describe(map)}`);
    if (this.expanding.has(map)) this.fail(node, path, 'a merge key (<<) refers to the mapping it is in');
    this.expanding.add(map);
    try {
      return this.flatten(map, path);
    } finally {
      this.expanding.delete(map);
    }
  }

  private flatten(map: YAMLMap, path: string): Entry[] {
    const own: Entry[] = [];
    const sources: Entry[][] = [];
    for (const pair of map.items) {
      const keyNode = pair.key as YamlNode | null;
      if (++this.visits > MAX_PAIR_VISITS) this.fail(keyNode, path, `merge keys (<<) expand to more than ${MAX_PAIR_VISITS} keys`);
      const value = this.deref(pair.value as YamlNode | null);
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        const list = isSeq(value) ? value.items.map((n) => this.deref(n as YamlNode)) : [value];
        for (const src of list) sources.push(this.entries(src, path, 'a merged (<<) value'));
        continue;
      }
      const key = this.keyText(keyNode, path);
      if (own.some((e) => e.key === key)) this.fail(keyNode, path ? `${path}.${key}` : key, `duplicate key '${key}'`);
      own.push({ key, keyNode: keyNode!, value });
    }
    if (!sources.length) return own;
    const winner = new Map<string, Entry>();
    for (const e of [...own, ...sources.flat()]) if (!winner.has(e.key)) winner.set(e.key, e);
    const order = new Set([...[...sources].reverse().flat(), ...own].map((e) => e.key));
    return [...order].map((k) => winner.get(k)!);
  }

  keyText(keyNode: YamlNode | null, path: string): string {
    const text = isScalar(keyNode) ? pyStr(keyNode.value) : undefined;
    if (typeof text !== 'string') this.fail(keyNode, path, `keys must be plain text, not ${describe(keyNode)}`);
    if (text === '__proto__') this.fail(keyNode, path, "'__proto__' is reserved and cannot be used as a key");
    return text;
  }

  /** A scalar as Python's `str()` of it; `undefined` for null. */
  scalar(node: YamlNode | null, path: string): string | undefined {
    if (node === null) return undefined;
    const text = isScalar(node) ? pyStr(node.value) : { notScalar: describe(node) };
    if (typeof text === 'object') this.fail(node, path, `must be text or a number, not ${text.notScalar}`);
    return text;
  }

  text(node: YamlNode | null, anchor: YamlNode, path: string): string {
    const value = this.scalar(node, path);
    if (value === undefined || value === '') this.fail(node ?? anchor, path, 'must not be empty');
    return value;
  }
}

function describe(node: unknown): string {
  if (node === null || node === undefined) return 'empty';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'empty';
    const text = String(node.value);
    // Enough to recognise the value; a whole pasted script would drown the message.
    return `'${text.length > 60 ? `${text.slice(0, 57)}...` : text}'`;
  }
  return 'that';
}

/** The error every refusal is: `MLproject line 7: entry_points.main.parameters.alpha: unknown type 'int' (...)`. */
export function mlprojectError(line: number, field: string, message: string): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', `MLproject line ${line}: ${field ? `${field}: ` : ''}${message}`, { line, field });
}

/** Parse and check an MLproject file. Throws CairnError('INVALID_PARAMETER_VALUE') naming the line and field. */
export function parseMLproject(text: string): ProjectSpec {
  if (text.length > MAX_MLPROJECT_CHARS) throw mlprojectError(1, '', `longer than ${MAX_MLPROJECT_CHARS} characters`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...PY_YAML_READ, lineCounter: lines });
  // An unknown tag (`!foo`, `!!python/object:…`) is only a warning to the library; PyYAML's safe_load refuses it.
  const err = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (err) {
    const pos = err.linePos?.[0];
    // The library ends its message with "at line L, column C:" and a code excerpt; the line leads ours instead.
    const what = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw mlprojectError(pos?.line ?? 1, '', `not valid YAML: ${what}${pos ? ` (column ${pos.col})` : ''}`);
  }
  const r = new Reader(doc, lines);
  const root = doc.contents as YamlNode | null;
  if (isNull(root)) {
    throw mlprojectError(1, '', 'the file is empty; it must be a mapping with entry_points');
  }
  const top = r.entries(root, '', 'the file');
  for (const e of top) {
    if (e.key === 'databricks_spark_job') r.fail(e.keyNode, e.key, 'Databricks Spark jobs are not supported (Cairn runs projects locally)');
    if (!(TOP_KEYS as readonly string[]).includes(e.key)) r.fail(e.keyNode, e.key, `unknown key (${TOP_KEYS.join(', ')})`);
  }
  const envs = top.filter((e) => (ENV_KEYS as readonly string[]).includes(e.key));
  if (envs.length > 1) {
    r.fail(envs[1]!.keyNode, envs[1]!.key, `Project cannot contain multiple environment fields (${envs.map((e) => e.key).join(', ')})`);
  }
  const get = (key: string) => top.find((e) => e.key === key);
  const nameEntry = get('name');
  const epEntry = get('entry_points');
  const entryPoints = new Map<string, EntryPointSpec>();
  if (epEntry && !isNull(epEntry.value)) {
    for (const e of r.entries(epEntry.value, 'entry_points', 'entry_points')) entryPoints.set(e.key, readEntryPoint(r, e, `entry_points.${e.key}`));
  }
  return {
    name: nameEntry ? r.scalar(nameEntry.value, 'name') : undefined,
    env: envs[0] ? readEnv(r, envs[0]) : { kind: 'none' },
    entryPoints,
  };
}

function isNull(node: YamlNode | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

function readEntryPoint(r: Reader, ep: Entry, path: string): EntryPointSpec {
  const fields = r.entries(ep.value, path, `entry point '${ep.key}'`);
  for (const f of fields) {
    if (f.key !== 'parameters' && f.key !== 'command') r.fail(f.keyNode, `${path}.${f.key}`, 'unknown key (parameters, command)');
  }
  const paramsEntry = fields.find((f) => f.key === 'parameters');
  const parameters: ParameterSpec[] = [];
  if (paramsEntry && !isNull(paramsEntry.value)) {
    for (const p of r.entries(paramsEntry.value, `${path}.parameters`, 'parameters')) {
      parameters.push(readParameter(r, p, `${path}.parameters.${p.key}`));
    }
  }
  const commandEntry = fields.find((f) => f.key === 'command');
  if (!commandEntry) r.fail(ep.keyNode, path, "no 'command'");
  const command = r.scalar(commandEntry.value, `${path}.command`);
  if (command === undefined || command.trim() === '') r.fail(commandEntry.value ?? commandEntry.keyNode, `${path}.command`, 'must not be empty');
  const commandNode = commandEntry.value ?? commandEntry.keyNode;
  let parts;
  try {
    parts = parseTemplate(command);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    r.fail(commandNode, `${path}.command`, e.message);
  }
  const undeclared = templateParams(parts).filter((n) => !parameters.some((p) => p.name === n));
  if (undeclared.length) {
    r.fail(commandNode, `${path}.command`, `refers to ${undeclared.map((n) => `{${n}}`).join(', ')}, not declared in parameters (write {{ and }} for literal braces)`);
  }
  return { name: ep.key, parameters, command };
}

function readParameter(r: Reader, p: Entry, path: string): ParameterSpec {
  const node = p.value;
  const checkType = (t: string | undefined, at: YamlNode): ParamType => {
    if (t !== undefined && (PARAM_TYPES as readonly string[]).includes(t)) return t as ParamType;
    return r.fail(at, path, `unknown type '${t ?? ''}' (${PARAM_TYPES.join(', ')})`);
  };
  if (isNull(node)) r.fail(node ?? p.keyNode, path, `no type: write '${p.key}: string' or '${p.key}: {type: string, default: ...}'`);
  if (isScalar(node)) return { name: p.key, type: checkType(r.scalar(node, path), node), default: undefined };
  const fields = r.entries(node, path, `parameter '${p.key}'`);
  for (const f of fields) if (f.key !== 'type' && f.key !== 'default') r.fail(f.keyNode, `${path}.${f.key}`, 'unknown key (type, default)');
  const typeEntry = fields.find((f) => f.key === 'type');
  const type = typeEntry ? checkType(r.scalar(typeEntry.value, `${path}.type`), typeEntry.value ?? typeEntry.keyNode) : 'string';
  const defaultEntry = fields.find((f) => f.key === 'default');
  return { name: p.key, type, default: defaultEntry ? r.scalar(defaultEntry.value, `${path}.default`) : undefined };
}

function readEnv(r: Reader, e: Entry): ProjectEnv {
  if (e.key === 'conda_env') return { kind: 'conda', file: r.text(e.value, e.keyNode, e.key) };
  if (e.key === 'python_env') return { kind: 'python', file: r.text(e.value, e.keyNode, e.key) };
  if (e.key === 'node_env') return readNodeEnv(r, e);
  const fields = r.entries(e.value, e.key, 'docker_env');
  const get = (k: string) => fields.find((f) => f.key === k);
  for (const f of fields) {
    if (!['image', 'volumes', 'environment'].includes(f.key)) r.fail(f.keyNode, `docker_env.${f.key}`, 'unknown key (image, volumes, environment)');
  }
  const image = get('image');
  if (!image) r.fail(e.keyNode, 'docker_env', 'Docker environment specified but no image attribute found');
  const list = (k: string): YamlNode[] => {
    const f = get(k);
    if (!f || isNull(f.value)) return [];
    if (!isSeq(f.value)) r.fail(f.value, `docker_env.${k}`, `must be a list, not ${describe(f.value)}`);
    return f.value.items.map((n) => r.deref(n as YamlNode)!);
  };
  const volumes = list('volumes').map((n, i) => r.text(n, n, `docker_env.volumes[${i}]`));
  const environment = list('environment').map((n, i): string | [string, string] => {
    const at = `docker_env.environment[${i}]`;
    if (!isSeq(n)) return r.text(n, n, at);
    const pair = n.items.map((m) => r.deref(m as YamlNode));
    if (pair.length !== 2) r.fail(n, at, 'must be a variable name to copy from the host, or a [NAME, value] pair');
    return [r.text(pair[0]!, n, `${at}[0]`), r.scalar(pair[1]!, `${at}[1]`) ?? ''];
  });
  return { kind: 'docker', image: r.text(image.value, image.keyNode, 'docker_env.image'), volumes, environment };
}

function readNodeEnv(r: Reader, e: Entry): ProjectEnv {
  const node = e.value;
  if (isScalar(node)) return { kind: 'node', version: undefined, file: r.text(node, e.keyNode, 'node_env') };
  const fields = r.entries(node, 'node_env', "node_env (a package.json file name, or {node: '>=20'})");
  for (const f of fields) if (f.key !== 'node') r.fail(f.keyNode, `node_env.${f.key}`, 'unknown key (node)');
  const entry = fields.find((f) => f.key === 'node');
  if (!entry) return { kind: 'node', version: undefined };
  const version = r.text(entry.value, entry.keyNode, 'node_env.node');
  try {
    parseNodeRange(version);
  } catch (err) {
    if (!(err instanceof CairnError)) throw err;
    r.fail(entry.value, 'node_env.node', err.message);
  }
  return { kind: 'node', version };
}

export { nodeSatisfies, parseNodeRange } from './node-range';
export { entryPointForFile, defaultProjectEnv, getEntryPoint, findMLprojectFile, nodeEngineFromPackageJson } from './entry-file';

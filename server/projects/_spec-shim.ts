/**
 * TEMPORARY: a minimal stand-in for Helper A's lib/projects/spec.ts + command.ts (same signatures as the brief), so
 * the runner can be written and tested before A's branch lands. Deleted once lib/projects exports these.
 */
import { parse } from 'yaml';
import { invalid } from '../../lib/domain';
import { shellQuote } from '../../lib/projects';

export type ParamType = 'string' | 'float' | 'path' | 'uri';
export interface ParameterSpec {
  name: string;
  type: ParamType;
  default: string | undefined;
}
export interface EntryPointSpec {
  name: string;
  parameters: ParameterSpec[];
  command: string;
}
export type ProjectEnv =
  | { kind: 'conda'; file: string }
  | { kind: 'python'; file: string }
  | { kind: 'docker'; image: string; volumes: string[]; environment: (string | [string, string])[] }
  | { kind: 'node'; version: string | undefined; file?: string }
  | { kind: 'none' };
export interface ProjectSpec {
  name: string | undefined;
  env: ProjectEnv;
  entryPoints: Map<string, EntryPointSpec>;
}

export function parseMLproject(text: string): ProjectSpec {
  const y = (parse(text) ?? {}) as Record<string, unknown>;
  let env: ProjectEnv = { kind: 'none' };
  if (typeof y.conda_env === 'string') env = { kind: 'conda', file: y.conda_env };
  else if (typeof y.python_env === 'string') env = { kind: 'python', file: y.python_env };
  else if (y.docker_env && typeof y.docker_env === 'object') env = { kind: 'docker', image: String((y.docker_env as { image: unknown }).image), volumes: [], environment: [] };
  else if (y.node_env !== undefined) env = { kind: 'node', version: typeof y.node_env === 'object' && y.node_env ? String((y.node_env as { node?: unknown }).node ?? '') || undefined : undefined };
  const entryPoints = new Map<string, EntryPointSpec>();
  for (const [name, raw] of Object.entries((y.entry_points ?? {}) as Record<string, { parameters?: Record<string, unknown>; command: string }>)) {
    const parameters: ParameterSpec[] = Object.entries(raw.parameters ?? {}).map(([p, v]) =>
      typeof v === 'string'
        ? { name: p, type: v as ParamType, default: undefined }
        : { name: p, type: ((v as { type?: string }).type ?? 'string') as ParamType, default: (v as { default?: unknown }).default === undefined ? undefined : String((v as { default?: unknown }).default) },
    );
    entryPoints.set(name, { name, parameters, command: String(raw.command) });
  }
  return { name: typeof y.name === 'string' ? y.name : undefined, env, entryPoints };
}

export function entryPointForFile(file: string, _env?: ProjectEnv): EntryPointSpec | null {
  const ext = /\.([a-z]+)$/.exec(file)?.[1];
  const runner = ext === 'py' ? 'python' : ext === 'sh' ? (process.env.SHELL ?? 'sh') : ext && ['js', 'mjs', 'cjs', 'ts'].includes(ext) ? 'node' : null;
  if (!runner) return null;
  return { name: file, parameters: [], command: `${runner} ${shellQuote(file)}` };
}

export interface ResolvedParams {
  declared: Record<string, string>;
  extra: Record<string, string>;
}

export function resolveParams(ep: EntryPointSpec, given: Record<string, string>, opts: { resolvePath(value: string): string }): ResolvedParams {
  const declared: Record<string, string> = {};
  const missing: string[] = [];
  for (const p of ep.parameters) {
    const v = given[p.name] ?? p.default;
    if (v === undefined) missing.push(p.name);
    else declared[p.name] = p.type === 'path' ? opts.resolvePath(v) : v;
  }
  if (missing.length) throw invalid(`No value given for missing parameters: ${missing.map((m) => `'${m}'`).join(', ')}`);
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) if (!(k in declared)) extra[k] = v;
  return { declared, extra };
}

export function buildCommand(ep: EntryPointSpec, params: ResolvedParams): string {
  let line = ep.command.replace(/\{(\w+)\}/g, (m, name: string) => (name in params.declared ? shellQuote(params.declared[name]!) : m));
  for (const [k, v] of Object.entries(params.extra)) line += ` --${shellQuote(k)} ${shellQuote(v)}`;
  return line;
}

export interface ProjectUri {
  uri: string;
  base: string;
  subdir: string;
  kind: 'local' | 'zip' | 'git';
  path: string | undefined;
  remote: boolean;
}

export function parseProjectUri(uri: string): ProjectUri {
  const hash = uri.indexOf('#');
  const base = hash < 0 ? uri : uri.slice(0, hash);
  const segs = hash < 0 ? [] : uri.slice(hash + 1).split('/').filter(Boolean);
  if (segs.some((s) => s === '.' || s === '..')) throw invalid(`'.' and '..' are not allowed in project subdirectory paths`);
  const subdir = segs.join('/');
  const isZip = base.endsWith('.zip');
  if (base.startsWith('file:')) return { uri, base, subdir, kind: isZip ? 'zip' : 'local', path: decodeURIComponent(base.replace(/^file:(\/\/)?/, '')), remote: false };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(base)) return { uri, base, subdir, kind: isZip ? 'zip' : 'git', path: undefined, remote: isZip };
  if (/^(?:[^@/:\s]+@)?[^/:\s]{2,}:(?!\/\/)/.test(base)) return { uri, base, subdir, kind: 'git', path: undefined, remote: false };
  return { uri, base, subdir, kind: isZip ? 'zip' : 'local', path: base, remote: false };
}

export function localFolderKind(entryNames: readonly string[]): 'git-bare' | 'git-worktree' | 'plain' {
  if (entryNames.includes('.git')) return 'git-worktree';
  if (['HEAD', 'objects', 'refs'].every((n) => entryNames.includes(n))) return 'git-bare';
  return 'plain';
}

export function checkGitVersion(version: string): string {
  if (version === '' || version.startsWith('-') || /[\s~^:?*[\\]/.test(version)) throw invalid(`'${version}' is not a git branch, tag or commit`);
  return version;
}

export function findMLprojectFile(fileNames: readonly string[]): string | undefined {
  return fileNames.includes('MLproject') ? 'MLproject' : fileNames.find((n) => n.toLowerCase() === 'mlproject');
}

export function defaultProjectEnv(fileNames: readonly string[]): ProjectEnv {
  if (fileNames.includes('python_env.yaml')) return { kind: 'python', file: 'python_env.yaml' };
  if (fileNames.includes('conda.yaml')) return { kind: 'conda', file: 'conda.yaml' };
  if (fileNames.includes('package.json')) return { kind: 'node', version: undefined, file: 'package.json' };
  return { kind: 'none' };
}

export function nodeEngineFromPackageJson(text: string, _file = 'package.json'): string | undefined {
  return (JSON.parse(text) as { engines?: { node?: string } }).engines?.node;
}

/** Only `>=N[.M]` and `*` here; A's node-range.ts is the real npm range reader. */
export function nodeSatisfies(range: string, version: string): boolean {
  const m = /^>=\s*(\d+)(?:\.(\d+))?/.exec(range.trim());
  if (!m) return true;
  const [maj, min] = version.replace(/^v/, '').split('.').map(Number) as [number, number];
  return maj > Number(m[1]) || (maj === Number(m[1]) && min >= Number(m[2] ?? 0));
}

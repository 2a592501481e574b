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
  | { kind: 'node'; version: string | undefined }
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

export type ProjectUriKind = 'local' | 'file' | 'zip' | 'git';
export interface ProjectUri {
  uri: string;
  base: string;
  subdir: string | undefined;
  kind: ProjectUriKind;
}

export function parseProjectUri(uri: string): ProjectUri {
  const hash = uri.indexOf('#');
  const base = hash < 0 ? uri : uri.slice(0, hash);
  const subdir = hash < 0 ? undefined : uri.slice(hash + 1) || undefined;
  if (subdir !== undefined && subdir.split('/').some((s) => s === '.' || s === '..')) throw invalid(`'.' is not allowed in a project subdirectory: '${subdir}'`);
  const kind: ProjectUriKind = /\.zip$/i.test(base) ? 'zip' : base.startsWith('file://') ? 'file' : /^[a-z][a-z0-9+.-]*:\/\//i.test(base) || /^[\w.-]+@[\w.-]+:/.test(base) ? 'git' : 'local';
  return { uri, base, subdir, kind };
}

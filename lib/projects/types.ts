/** The shapes of a parsed MLproject (lib/projects/spec.ts parses them; the runner in server/projects runs them). */
export const PARAM_TYPES = ['string', 'float', 'path', 'uri'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];
export interface ParameterSpec {
  name: string;
  type: ParamType;
  /** The default as MLflow would `str()` it (`0.1`, `10`, `True`); undefined = required. */
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
  /** `file`: `node_env: <file>` names a package.json whose `engines.node` the runner reads (then `version` is unset). */
  | { kind: 'node'; version: string | undefined; file?: string }
  | { kind: 'none' };
export interface ProjectSpec {
  name: string | undefined;
  env: ProjectEnv;
  entryPoints: Map<string, EntryPointSpec>;
}

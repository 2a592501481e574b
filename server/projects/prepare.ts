/**
 * Everything `cairn run` checks before it touches the tracking server (RUN-7): the source is fetched, the MLproject
 * read (or the entry point taken as a file), the parameters typed and the missing ones refused, the command line
 * built, the environment planned. A refusal here leaves no run behind and starts nothing.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { KeySchema, ParamValueSchema, notFound, parseInput } from '../../lib/domain';
import {
  buildCommand,
  defaultProjectEnv,
  getEntryPoint,
  findMLprojectFile,
  nodeEngineFromPackageJson,
  nodeSatisfies,
  parseMLproject,
  type EntryPointSpec,
  type ProjectEnv,
  type ProjectSpec,
  type ResolvedParams,
} from '../../lib/projects';
import { parseEnvManager, planEnv, type EnvPlan } from './env-manager';
import { resolveProjectParams } from './path-params';
import { resolveSource, type ProjectSource } from './source';

export interface RunRequest {
  uri: string;
  entryPoint: string;
  params: Record<string, string>;
  version?: string;
  envManager?: string;
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  /** `cairn.project.reproducedFrom`: the run `--from-run` reproduces. */
  reproducedFrom?: string;
}

export interface PreparedProject {
  request: RunRequest;
  source: ProjectSource;
  /** The MLproject as read, when the project has one (uploaded as `project/MLproject`). */
  mlproject: string | null;
  env: ProjectEnv;
  entry: EntryPointSpec;
  params: ResolvedParams;
  /** The params the run logs: every declared (defaults filled, local paths absolute, downloads as their URI) and extra. */
  logged: Record<string, string>;
  /** The line `/bin/sh -c` runs. */
  line: string;
  plan: EnvPlan;
}

export interface PrepareOptions {
  cacheRoot?: string;
  /** Where relative `path` parameters are looked for first (the caller's working directory). */
  cwd?: string;
  /** Where `path` parameters given as URIs are downloaded (the runner's per-run folder). */
  storageDir?: string;
}

export async function prepareProject(req: RunRequest, o: PrepareOptions = {}): Promise<PreparedProject> {
  const manager = parseEnvManager(req.envManager);
  const source = await resolveSource(req.uri, { ...(req.version ? { version: req.version } : {}), ...(o.cacheRoot ? { cacheRoot: o.cacheRoot } : {}) });
  const files = readdirSync(source.dir);
  const file = findMLprojectFile(files);
  const mlproject = file !== undefined ? readFileSync(join(source.dir, file), 'utf8') : null;
  const spec = mlproject !== null ? parseMLproject(mlproject) : null;
  // No environment declared: python_env.yaml, conda.yaml (MLflow's order), then package.json (a node project).
  const env: ProjectEnv = spec && spec.env.kind !== 'none' ? spec.env : defaultProjectEnv(files);
  const entry = entryPoint(spec, req.entryPoint, source.dir);
  const { params, logged } = await resolveProjectParams(entry, req.params, {
    cwd: o.cwd ?? process.cwd(),
    projectDir: source.dir,
    storageDir: o.storageDir ?? join(tmpdir(), 'cairn-run-storage'),
  });
  for (const [k, v] of Object.entries(logged)) {
    parseInput(KeySchema, k, 'param key');
    parseInput(ParamValueSchema, v, `param '${k}'`);
  }
  const plan = withNodeCheck(planEnv(env, manager), env, source.dir);
  return { request: req, source, mlproject, env, entry, params, logged, line: buildCommand(entry, params), plan };
}

/**
 * A node project runs on this Node only when it is in the range the project asks for (`node_env: {node: ">=20"}`, or
 * the `engines.node` of the package.json it names): otherwise the run is recorded and refused like a missing tool.
 */
function withNodeCheck(plan: EnvPlan, env: ProjectEnv, dir: string): EnvPlan {
  if (env.kind !== 'node' || plan.refusal || plan.manager !== 'local') return plan;
  let range = env.version;
  if (range === undefined && env.file) {
    const pkg = join(dir, env.file);
    if (!existsSync(pkg)) throw notFound(`node_env names '${env.file}', which is not in the project`);
    range = nodeEngineFromPackageJson(readFileSync(pkg, 'utf8'), env.file);
  }
  if (range === undefined || nodeSatisfies(range, process.version)) return plan;
  return { ...plan, refusal: `this project needs node ${range}, and this is node ${process.version}` };
}

/**
 * lib/projects' `getEntryPoint` (the MLproject's, else a script file by its extension); a script must also be a file
 * of the project, so a typo is refused here rather than by the command after the run was made.
 */
function entryPoint(spec: ProjectSpec | null, name: string, dir: string): EntryPointSpec {
  const ep = getEntryPoint(spec, name);
  if (spec?.entryPoints.has(name)) return ep;
  if (name.includes('\0') || isAbsolute(name) || name.split(/[\\/]/).includes('..') || !existsSync(join(dir, name))) {
    throw notFound(`No script '${name}' in the project at ${dir} (and no entry point of that name in its MLproject)`);
  }
  return ep;
}

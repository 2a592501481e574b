/**
 * Which environment a project runs in (RUN-12). Only `local` runs code here: the current environment, with `node` for
 * a node_env project. conda / virtualenv / uv environments and docker_env images are named in the run's tags (the run
 * is recorded) and refused with the reason: their tool is absent, or it is present and building that environment is
 * not something `cairn run` does yet.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { invalid } from '../../lib/domain';
import type { ProjectEnv } from '../../lib/projects';

export const ENV_MANAGERS = ['local', 'virtualenv', 'uv', 'conda'] as const;
export type EnvManager = (typeof ENV_MANAGERS)[number];

export interface EnvPlan {
  /** `mlflow.project.env`: node | local | conda | virtualenv | uv | docker. */
  env: string;
  /** `cairn.project.envManager`. */
  manager: EnvManager | 'docker';
  /** Why this run cannot start here; undefined when it can. */
  refusal: string | undefined;
}

/** The executable each manager needs (MLflow's: conda, virtualenv (with pyenv), uv, docker). */
const TOOL: Record<Exclude<EnvManager, 'local'> | 'docker', string> = { conda: 'conda', virtualenv: 'virtualenv', uv: 'uv', docker: 'docker' };

export function parseEnvManager(v: string | undefined): EnvManager | undefined {
  if (v === undefined) return undefined;
  if (!(ENV_MANAGERS as readonly string[]).includes(v)) throw invalid(`Invalid --env-manager '${v}': expected one of ${ENV_MANAGERS.join(', ')}`);
  return v as EnvManager;
}

/** Whether `name` is an executable on PATH (looked up directly: no shell is started to ask). */
export function onPath(name: string, path = process.env.PATH ?? ''): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** The manager a project gets without `--env-manager` is MLflow's: conda for conda_env, virtualenv for python_env. */
export function planEnv(env: ProjectEnv, flag: EnvManager | undefined, hasTool: (name: string) => boolean = onPath): EnvPlan {
  if (env.kind === 'docker') {
    if (flag) return { env: 'docker', manager: 'docker', refusal: `--env-manager cannot be used with a docker_env project (image ${env.image})` };
    const why = hasTool(TOOL.docker)
      ? `docker is installed, but cairn run does not run docker_env projects (image ${env.image}): run the image yourself with MLFLOW_TRACKING_URI set`
      : `this project declares docker_env (image ${env.image}), which needs docker; docker is not installed, and cairn run does not run docker_env projects`;
    return { env: 'docker', manager: 'docker', refusal: why };
  }
  const manager: EnvManager = flag ?? (env.kind === 'conda' ? 'conda' : env.kind === 'python' ? 'virtualenv' : 'local');
  if (manager === 'local') return { env: env.kind === 'node' ? 'node' : 'local', manager, refusal: undefined };
  const tool = TOOL[manager];
  const declared = env.kind === 'conda' || env.kind === 'python' ? ` (${env.kind === 'conda' ? 'conda_env' : 'python_env'}: ${env.file})` : '';
  const refusal = hasTool(tool)
    ? `${tool} is installed, but cairn run does not build ${manager} environments${declared}; pass --env-manager local to run in the current environment`
    : `the ${manager} env manager needs ${tool}, which is not installed${declared}; pass --env-manager local to run in the current environment`;
  return { env: manager, manager, refusal };
}

/**
 * The tags a project run carries. MLflow's names first (mlflow/utils/mlflow_tags.py, set by mlflow/projects/utils.py
 * `_create_run`), so the MLflow UI and clients read a Cairn project run as theirs; then Cairn's own, which hold what
 * MLflow leaves implicit and `cairn run --from-run` needs to run the same thing again.
 */
export const PROJECT_TAGS = {
  user: 'mlflow.user',
  runName: 'mlflow.runName',
  parentRunId: 'mlflow.parentRunId',
  /** The git remote URL for a git checkout, otherwise the URI as given (MLflow's rule). */
  sourceName: 'mlflow.source.name',
  /** Always `PROJECT` for a run `cairn run` made. */
  sourceType: 'mlflow.source.type',
  entryPoint: 'mlflow.project.entryPoint',
  /** `local`, `node`, `conda`, `virtualenv`, `uv`, `docker`: the environment the project declares or was run with. */
  env: 'mlflow.project.env',
  /** Always `local` here. */
  backend: 'mlflow.project.backend',
  gitCommit: 'mlflow.source.git.commit',
  gitRepoUrl: 'mlflow.source.git.repoURL',
  gitBranch: 'mlflow.source.git.branch',
  dockerImageUri: 'mlflow.docker.image.uri',
  /** Cairn: the project URI exactly as given to `cairn run`, with its `#subdir` (the source name drops it). */
  uri: 'cairn.project.uri',
  /** Cairn: the `--version` asked for (branch, tag or commit), when one was. */
  version: 'cairn.project.version',
  /** Cairn: the env manager the run used (`local`). */
  envManager: 'cairn.project.envManager',
  /** Cairn: sha256 over the project folder's files (path and content), to tell whether a local folder changed. */
  contentHash: 'cairn.project.contentHash',
  /** Cairn: the run this one reproduces (`cairn run --from-run`). */
  reproducedFrom: 'cairn.project.reproducedFrom',
} as const;

/** `mlflow.source.type` of a run made by `cairn run`. */
export const PROJECT_SOURCE_TYPE = 'PROJECT';

/** Where `cairn run` puts its artifacts in the run: the MLproject as read, and the child's stdout+stderr as shown. */
export const PROJECT_ARTIFACTS = {
  mlproject: 'project/MLproject',
  output: 'project/output.log',
} as const;

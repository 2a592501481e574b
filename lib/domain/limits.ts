/** MLflow's limits (mlflow repo: mlflow/utils/validation.py), kept so a script that passes MLflow passes Cairn. */
export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 8000;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_EXPERIMENT_TAG_VAL_LENGTH = 5000;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_RUN_NAME_LENGTH = 250;
/** A run's user id (MLflow takes any string; this bounds what one run can make every table render). */
export const MAX_USER_ID_LENGTH = 256;
/** An experiment's artifact location (a URI). */
export const MAX_ARTIFACT_LOCATION_LENGTH = 2000;
/** A writer's actor id (lib/domain ids.ts makes 16 hex; SDK callers may name their own). */
export const MAX_ACTOR_ID_LENGTH = 256;
/** Artifact paths: same character rules as keys but longer, since they are file paths. */
export const MAX_ARTIFACT_PATH_LENGTH = 1024;
/** Largest artifact accepted by the relay's blob store by default (overridable there). */
export const DEFAULT_MAX_BLOB_BYTES = 512 * 1024 * 1024;
/** MLflow's dataset limits (log-inputs). */
export const MAX_DATASET_NAME_LENGTH = 500;
export const MAX_DATASET_DIGEST_LENGTH = 36;
export const MAX_DATASET_SOURCE_LENGTH = 65535;
export const MAX_DATASET_SCHEMA_LENGTH = 1048575;
export const MAX_DATASET_PROFILE_LENGTH = 16777215;
export const MAX_INPUT_TAG_VAL_LENGTH = 500;
/** The input tag holding a dataset's context (training, eval...), searched as `datasets.context`. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

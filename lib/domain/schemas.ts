import { z } from 'zod';
import { CairnError, invalid } from './errors';
import {
  MAX_ACTOR_ID_LENGTH,
  MAX_ARTIFACT_LOCATION_LENGTH,
  MAX_ARTIFACT_PATH_LENGTH,
  MAX_DATASET_DIGEST_LENGTH,
  MAX_DATASET_NAME_LENGTH,
  MAX_DATASET_PROFILE_LENGTH,
  MAX_DATASET_SCHEMA_LENGTH,
  MAX_DATASET_SOURCE_LENGTH,
  MAX_INPUT_TAG_VAL_LENGTH,
  MAX_ENTITY_KEY_LENGTH,
  MAX_EXPERIMENT_NAME_LENGTH,
  MAX_EXPERIMENT_TAG_VAL_LENGTH,
  MAX_PARAM_VAL_LENGTH,
  MAX_RUN_NAME_LENGTH,
  MAX_TAG_VAL_LENGTH,
  MAX_USER_ID_LENGTH,
} from './limits';
import { ExperimentIdSchema, RunIdSchema, Sha256Schema } from './ids';

/** MLflow's key rule: `^[/\w.\- :]*$` and a normalised relative path (no `..`, no leading `/`, no `a//b`, not `.`). */
const KEY_CHARS = /^[/\w.\- :]*$/;
function isNormalisedRelative(key: string): boolean {
  if (key.startsWith('/') || key === '.' || key.includes('//')) return false;
  return !key.split('/').some((seg) => seg === '..' || seg === '.');
}

export const KeySchema = z
  .string()
  .min(1, 'key must not be empty')
  .max(MAX_ENTITY_KEY_LENGTH, `key must be at most ${MAX_ENTITY_KEY_LENGTH} characters`)
  .regex(KEY_CHARS, 'key may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)')
  .refine(isNormalisedRelative, 'key must be a normalized relative path')
  // JavaScript objects cannot hold this key as plain data everywhere a record crosses (zod, JSON, assignment):
  // refusing it loudly beats dropping it silently.
  .refine((k) => k !== '__proto__', "'__proto__' is reserved and cannot be used as a key");

export const ParamValueSchema = z.string().max(MAX_PARAM_VAL_LENGTH, `param value must be at most ${MAX_PARAM_VAL_LENGTH} characters`);
export const TagValueSchema = z.string().max(MAX_TAG_VAL_LENGTH, `tag value must be at most ${MAX_TAG_VAL_LENGTH} characters`);
export const ExperimentTagValueSchema = z
  .string()
  .max(MAX_EXPERIMENT_TAG_VAL_LENGTH, `experiment tag value must be at most ${MAX_EXPERIMENT_TAG_VAL_LENGTH} characters`);

/** A name as stored: what ExperimentNameSchema leaves after trimming (readers take it as it is). */
export const StoredExperimentNameSchema = z
  .string()
  .min(1, 'experiment name must not be empty')
  .max(MAX_EXPERIMENT_NAME_LENGTH, `experiment name must be at most ${MAX_EXPERIMENT_NAME_LENGTH} characters`)
  .refine((s) => !s.startsWith('runs:'), "experiment name must not be a 'runs:' URI");
export const ExperimentNameSchema = z.string().trim().pipe(StoredExperimentNameSchema);

export const RunNameSchema = z.string().min(1).max(MAX_RUN_NAME_LENGTH);
export const UserIdSchema = z.string().max(MAX_USER_ID_LENGTH);
export const ArtifactLocationSchema = z.string().max(MAX_ARTIFACT_LOCATION_LENGTH);
/** Who wrote a param entry or a metric summary share (lib/doc `Ctx.actor`). */
export const ActorIdSchema = z.string().max(MAX_ACTOR_ID_LENGTH);

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;
export const TERMINAL_STATUSES: readonly RunStatus[] = ['FINISHED', 'FAILED', 'KILLED'];

export const LIFECYCLE_STAGES = ['active', 'deleted'] as const;
export const LifecycleSchema = z.enum(LIFECYCLE_STAGES);
export type Lifecycle = z.infer<typeof LifecycleSchema>;

/** Milliseconds since the epoch, MLflow's int64 timestamps. */
export const TimestampSchema = z.number().int('timestamp must be an integer (ms)').nonnegative('timestamp must be >= 0');
/** MLflow steps are int64; JS numbers hold them exactly up to 2^53. */
export const StepSchema = z.number().int('step must be an integer').refine(Number.isSafeInteger, 'step out of range');
/** Any IEEE 754 double, NaN and ±Infinity included: zod 4's `z.number()` refuses those. */
export const DoubleSchema = z.custom<number>((v) => typeof v === 'number', 'must be a number');
/** NaN and ±Infinity are legal metric values and are kept as they are. */
export const MetricValueSchema = DoubleSchema;

export const MetricPointSchema = z.object({
  key: KeySchema,
  value: MetricValueSchema,
  step: StepSchema,
  timestamp: TimestampSchema,
});
export type MetricPoint = z.infer<typeof MetricPointSchema>;

export const ParamSchema = z.object({ key: KeySchema, value: ParamValueSchema });
export type Param = z.infer<typeof ParamSchema>;
export const TagSchema = z.object({ key: KeySchema, value: TagValueSchema });
export type Tag = z.infer<typeof TagSchema>;

export const ArtifactPathSchema = z
  .string()
  .min(1)
  .max(MAX_ARTIFACT_PATH_LENGTH)
  .regex(/^[^\0\\]*$/, 'artifact path must not contain NUL or backslash')
  .refine(isNormalisedRelative, 'artifact path must be a normalized relative path');

export const ArtifactRefSchema = z.object({
  path: ArtifactPathSchema,
  size: z.number().int().nonnegative(),
  sha256: Sha256Schema,
  mediaType: z.string().min(1).max(255),
  loggedAt: TimestampSchema,
});
export type ArtifactRef = z.infer<typeof ArtifactRefSchema>;

const noSeparator = (s: string) => !s.includes('\u0001');

/** A dataset of MLflow's log-inputs: identified by (name, digest); source and schema are JSON strings. */
export const DatasetSchema = z.object({
  // \u0001 separates name and digest in the stored key (lib/doc layout): refused, so two datasets never collide.
  name: z.string().min(1).max(MAX_DATASET_NAME_LENGTH).refine(noSeparator, 'dataset name must not contain \\u0001'),
  digest: z.string().min(1).max(MAX_DATASET_DIGEST_LENGTH).refine(noSeparator, 'dataset digest must not contain \\u0001'),
  sourceType: z.string().min(1).max(MAX_DATASET_NAME_LENGTH),
  source: z.string().max(MAX_DATASET_SOURCE_LENGTH),
  schema: z.string().max(MAX_DATASET_SCHEMA_LENGTH).optional(),
  profile: z.string().max(MAX_DATASET_PROFILE_LENGTH).optional(),
});
export type Dataset = z.infer<typeof DatasetSchema>;
export const InputTagValueSchema = z.string().max(MAX_INPUT_TAG_VAL_LENGTH, `input tag value must be at most ${MAX_INPUT_TAG_VAL_LENGTH} characters`);
/** One dataset input of a run: the dataset and its input tags (`mlflow.data.context` names the context). */
export const DatasetInputSchema = z.object({
  dataset: DatasetSchema,
  tags: z.record(KeySchema, InputTagValueSchema).optional(),
});
export type DatasetInput = z.infer<typeof DatasetInputSchema>;

/**
 * Latest/min/max/count for one metric key of one run: what tables show without opening the run doc. Any double in the
 * number fields: NaN is "none" for min/max (a series of NaN only), and an empty series has latestStep -Infinity.
 */
export const MetricSummarySchema = z.object({
  key: KeySchema,
  latest: MetricValueSchema,
  latestStep: DoubleSchema,
  latestTimestamp: DoubleSchema,
  min: MetricValueSchema,
  max: MetricValueSchema,
  count: z.number().int().nonnegative(),
});
export type MetricSummary = z.infer<typeof MetricSummarySchema>;

export interface Experiment {
  experimentId: z.infer<typeof ExperimentIdSchema>;
  name: string;
  artifactLocation: string;
  lifecycleStage: Lifecycle;
  creationTime: number;
  lastUpdateTime: number;
  tags: Record<string, string>;
  /** Set when another experiment created concurrently (offline) holds the same name; see lib/doc/SPEC.md DOC-E3. */
  nameConflict?: boolean;
}

export interface RunInfo {
  runId: z.infer<typeof RunIdSchema>;
  runName: string;
  experimentId: z.infer<typeof ExperimentIdSchema>;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: Lifecycle;
  deletedTime: number | null;
  artifactUri: string;
}

export interface ParamConflict {
  runId: string;
  key: string;
  keptValue: string;
  rejectedValue: string;
  rejectedBy: string;
  at: number;
}

export interface Run {
  info: RunInfo;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, MetricSummary>;
  artifacts: ArtifactRef[];
  /** Dataset inputs (log-inputs), by (name, digest); their tags always present. */
  inputs: { dataset: Dataset; tags: Record<string, string> }[];
  conflicts: ParamConflict[];
  /** MLflow 3's model outputs of the run (runs/outputs), by model id; left out when there are none. */
  modelOutputs?: { modelId: string; step: number }[];
  /** MLflow 3's logged models whose source is this run (lib/doc DOC-LM1), by creation; left out when there are none. */
  loggedModels?: LoggedModel[];
}

/** An MLflow 3 logged model (`m-<hex>`), kept in its source run's run doc (lib/doc DOC-LM1). */
export interface LoggedModel {
  modelId: string;
  experimentId: string;
  sourceRunId: string;
  name: string;
  modelType: string;
  status: 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
  creationTime: number;
  lastUpdatedTime: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Metrics logged with the model's id: the latest point of each key, with the run that logged it (DOC-LM4). */
  metrics: { key: string; value: number; timestamp: number; step: number; runId: string }[];
}

/** Parse at a boundary: zod failure → INVALID_PARAMETER_VALUE naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  refuseProtoKeys(value, what, 3);
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length ? ` at '${issue.path.join('.')}'` : '';
  throw invalid(`Invalid value for ${what}${where}: ${issue?.message ?? 'invalid'}`, {
    issues: r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}

/** zod silently drops an own `__proto__` key from records; a user's key must not vanish without a word. */
function refuseProtoKeys(value: unknown, what: string, depth: number): void {
  if (depth < 0 || !value || typeof value !== 'object') return;
  // Arrays of records (batches, dataset inputs) are walked at the same depth: their elements are the records.
  if (Array.isArray(value)) {
    for (const v of value) refuseProtoKeys(v, what, depth);
    return;
  }
  if (Object.hasOwn(value, '__proto__')) throw invalid(`Invalid value for ${what}: '__proto__' is reserved and cannot be used as a key`);
  for (const v of Object.values(value)) refuseProtoKeys(v, what, depth - 1);
}

/** Drop prototype-polluting keys from anything a peer sent (STYLE habit 2). */
export function safeRecord(input: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  if (!input || typeof input !== 'object') return out;
  for (const [k, v] of Object.entries(input)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    out[k] = v;
  }
  return out;
}

export { CairnError };

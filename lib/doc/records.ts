import {
  ActorIdSchema,
  ArtifactLocationSchema,
  ArtifactPathSchema,
  ArtifactRefSchema,
  DatasetSchema,
  ExperimentIdSchema,
  ExperimentTagValueSchema,
  InputTagValueSchema,
  KeySchema,
  LifecycleSchema,
  MetricSummarySchema,
  ParamValueSchema,
  RunIdSchema,
  RunNameSchema,
  RunStatusSchema,
  StoredExperimentNameSchema,
  TagValueSchema,
  TimestampSchema,
  UserIdSchema,
  fastCheck,
  memoize,
  storedRecord,
} from '../domain';
import { SEP } from './layout';

/**
 * The records as the layout stores them (SPEC.md DOC-L5..DOC-L8): ONE definition per stored record, a shape of the
 * domain's schemas plus the fallback of each field that has one, used by every reader and by the commands that read
 * before they write.
 *
 * The relay checks Yjs well-formedness only, so a peer can put anything under any field: another type, a nested Yjs
 * type, a string over every limit. A field with a fallback reads as it when it is wrong (or missing); any other wrong
 * field makes the whole record unreadable, and readers skip it. Every field is a scalar, so nothing but plain data
 * ever leaves a reader: `read` builds a fresh object of the shape's fields only.
 */

/** A run doc's `run` map: the run's own fields. */
export const StoredRun = storedRecord(
  {
    // A run without an experiment cannot be placed anywhere: no fallback, the run is skipped.
    experimentId: ExperimentIdSchema,
    name: RunNameSchema,
    userId: UserIdSchema,
    status: RunStatusSchema,
    startTime: TimestampSchema,
    endTime: TimestampSchema.nullable(),
    lifecycle: LifecycleSchema,
    deletedTime: TimestampSchema.nullable(),
  },
  { name: '', userId: '', status: 'RUNNING', startTime: 0, endTime: null, lifecycle: 'active', deletedTime: null },
);
export type StoredRunRecord = NonNullable<ReturnType<typeof StoredRun.read>>;

/** One element of a run doc's `params`: every write is kept, in array order (DOC-P4). */
export const ParamEntry = storedRecord(
  { key: KeySchema, value: ParamValueSchema, actor: ActorIdSchema, at: TimestampSchema },
  // Only shown with a conflict record; a wrong one must not hide the write itself.
  { actor: '', at: 0 },
);
export type ParamEntry = NonNullable<ReturnType<typeof ParamEntry.read>>;

/** One writer's share of a metric key's summary (a run doc's `metrics`, keyed `<key>\u0001<actor>`; DOC-M2). */
export const SummaryShare = storedRecord(MetricSummarySchema.omit({ key: true }).shape);
export type SummaryShare = NonNullable<ReturnType<typeof SummaryShare.read>>;

/** A run doc's `artifacts` values, keyed by path: the reference must name the path it is filed under. */
export const StoredArtifactRef = storedRecord(ArtifactRefSchema.shape);

/** A run doc's `inputs` values, keyed `<name>\u0001<digest>`: the dataset must be the one its key names. */
export const StoredDataset = storedRecord(DatasetSchema.shape);
export type StoredDatasetRecord = NonNullable<ReturnType<typeof StoredDataset.read>>;

/** `exp` entries `<experimentId>\u0001<field>`; the experiment exists once its `name` entry does (whatever it holds). */
export const StoredExperiment = storedRecord(
  {
    name: StoredExperimentNameSchema,
    // Its default names the experiment id, so the reader fills it in.
    artifactLocation: ArtifactLocationSchema.optional(),
    lifecycle: LifecycleSchema,
    creationTime: TimestampSchema,
    lastUpdateTime: TimestampSchema,
  },
  { name: '', artifactLocation: undefined, lifecycle: 'active', creationTime: 0, lastUpdateTime: 0 },
);
export type StoredExperimentRecord = NonNullable<ReturnType<typeof StoredExperiment.read>>;

/** Values of a run doc's `tags` and of `expTags`; entries whose key or value fails are skipped. */
export const isRunTagValue = fastCheck(TagValueSchema) as (v: unknown) => v is string;
export const isInputTagValue = fastCheck(InputTagValueSchema) as (v: unknown) => v is string;
export const isExperimentTagValue = fastCheck(ExperimentTagValueSchema) as (v: unknown) => v is string;
/** Map keys: a metric, param or tag key a writer could have written (DOC-K1), an artifact path, ids. */
export const isKey = fastCheck(KeySchema) as (v: unknown) => v is string;
/** `<key>\u0001<actor>` with a valid key (the actor part is any string), remembered per distinct map key. */
export const isShareKey = memoize((k: string) => {
  const at = k.indexOf(SEP);
  return at >= 0 && isKey(k.slice(0, at));
});
export const isArtifactPath = fastCheck(ArtifactPathSchema) as (v: unknown) => v is string;
export const isRunId = fastCheck(RunIdSchema);
export const isExperimentId = fastCheck(ExperimentIdSchema);

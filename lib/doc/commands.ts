import * as Y from 'yjs';
import { z } from 'zod';
import {
  ArtifactLocationSchema,
  ArtifactRefSchema,
  CairnError,
  DatasetInputSchema,
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  ExperimentIdSchema,
  ExperimentNameSchema,
  ExperimentTagValueSchema,
  KeySchema,
  MAX_ENTITIES_PER_BATCH,
  MAX_PARAMS_TAGS_PER_BATCH,
  ParamValueSchema,
  RunIdSchema,
  RunNameSchema,
  RunStatusSchema,
  TagValueSchema,
  TimestampSchema,
  UserIdSchema,
  alreadyExists,
  invalid,
  newExperimentId,
  newRunId,
  newRunName,
  notFound,
  parseInput,
  type ArtifactRef,
  type ExperimentId,
  type Lifecycle,
  type RunId,
  type RunInfo,
} from '../domain';
import {
  FORMAT_VERSION,
  SEP,
  expField,
  experimentIds,
  inputKey,
  runArtifacts,
  runFields,
  runInputTags,
  runInputs,
  runMeta,
  runParams,
  runTags,
  wsExp,
  wsExpTags,
  wsMeta,
} from './layout';
import { readExperimentRecord, readParams, readRunRecord, runInfoOf } from './read';
import type { ParamEntry } from './records';

/**
 * The write rules (lib/doc/SPEC.md). Each command validates its input with zod, checks the rules against the local
 * replica, and applies ONE Yjs transaction. Rule IDs in comments match SPEC.md and the tests.
 */
export interface Ctx {
  /** The workspace doc: experiments (and later the registry). */
  ws: Y.Doc;
  /** Stable id of this writer (browser profile or SDK data dir); recorded with params and metric summaries. */
  actor: string;
  /** The person writing, when the host knows it (a profile's name, the OS user): recorded in the registry's history. */
  readonly userId?: string | undefined;
  now?: () => number;
  /**
   * The run doc of `runId` as this replica holds it (DOC-L9). A host loads it (local store, relay) before it runs a
   * command on that run; one it does not hold is an empty doc, which reads as no run.
   */
  runDoc(runId: string): Y.Doc;
}

const now = (c: Ctx) => (c.now ? c.now() : Date.now());
/** Transaction origin for local commands, so observers can tell local writes from remote ones. */
export const LOCAL_ORIGIN = 'cairn-local';
const txOn = <T>(d: Y.Doc, f: () => T): T => {
  let out!: T;
  d.transact(() => {
    out = f();
  }, LOCAL_ORIGIN);
  return out;
};
const tx = <T>(c: Ctx, f: () => T): T => txOn(c.ws, f);

const ID = ExperimentIdSchema;
const RID = RunIdSchema;

/** DOC-L1, DOC-E2: format version and the Default experiment ("0"). Only missing fields are written, so two fresh
 * replicas doing this concurrently converge to the same content. */
export function ensureWorkspace(c: Ctx): void {
  const meta = wsMeta(c.ws);
  const exp = wsExp(c.ws);
  const needs = meta.get('formatVersion') === undefined || exp.get(DEFAULT_EXPERIMENT_ID + SEP + 'name') === undefined;
  if (!needs) return;
  tx(c, () => {
    if (meta.get('formatVersion') === undefined) meta.set('formatVersion', FORMAT_VERSION);
    if (exp.get(DEFAULT_EXPERIMENT_ID + SEP + 'name') === undefined) {
      const p = DEFAULT_EXPERIMENT_ID + SEP;
      exp.set(p + 'name', DEFAULT_EXPERIMENT_NAME);
      exp.set(p + 'lifecycle', 'active');
      exp.set(p + 'creationTime', 0);
      exp.set(p + 'lastUpdateTime', 0);
      exp.set(p + 'artifactLocation', `mlflow-artifacts:/${DEFAULT_EXPERIMENT_ID}`);
    }
  });
}

/** Reads the experiment as the readers do (DOC-L8): one they cannot read does not exist for commands either. */
function requireExperiment(c: Ctx, id: string, mustBeActive: boolean): Lifecycle {
  const e = readExperimentRecord(c.ws, id);
  if (!e) throw notFound(`Could not find experiment with ID ${id}`);
  if (mustBeActive && e.lifecycle !== 'active') throw invalid(`The experiment ${id} must be in the 'active' state. Current state is deleted.`);
  return e.lifecycle;
}

/** DOC-E1: names are unique among active and deleted experiments. */
function requireFreeName(c: Ctx, name: string, except?: string): void {
  for (const id of experimentIds(c.ws)) {
    if (id !== except && expField<string>(c.ws, id, 'name') === name)
      throw alreadyExists(`Experiment '${name}' already exists.`, { experimentId: id });
  }
}

const CreateExperimentInput = z.object({
  name: ExperimentNameSchema,
  artifactLocation: ArtifactLocationSchema.optional(),
  tags: z.record(KeySchema, ExperimentTagValueSchema).optional(),
  experimentId: ID.optional(),
});

export function createExperiment(c: Ctx, input: z.input<typeof CreateExperimentInput>): ExperimentId {
  const { name, artifactLocation, tags, experimentId } = parseInput(CreateExperimentInput, input, 'createExperiment');
  requireFreeName(c, name);
  const id = experimentId ?? newExperimentId();
  if (expField(c.ws, id, 'name') !== undefined) throw alreadyExists(`Experiment with id ${id} already exists.`);
  const t = now(c);
  tx(c, () => {
    const exp = wsExp(c.ws);
    const p = id + SEP;
    exp.set(p + 'lifecycle', 'active');
    exp.set(p + 'creationTime', t);
    exp.set(p + 'lastUpdateTime', t);
    exp.set(p + 'artifactLocation', artifactLocation ?? `mlflow-artifacts:/${id}`);
    exp.set(p + 'name', name);
    for (const [k, v] of Object.entries(tags ?? {})) wsExpTags(c.ws).set(id + SEP + k, v);
  });
  return id;
}

export function renameExperiment(c: Ctx, input: { experimentId: string; newName: string }): void {
  const id = parseInput(ID, input.experimentId, 'experiment_id');
  const name = parseInput(ExperimentNameSchema, input.newName, 'new_name');
  requireExperiment(c, id, true);
  if (expField<string>(c.ws, id, 'name') === name) return;
  requireFreeName(c, name, id);
  tx(c, () => {
    wsExp(c.ws).set(id + SEP + 'name', name);
    wsExp(c.ws).set(id + SEP + 'lastUpdateTime', now(c));
  });
}

function setExperimentLifecycle(c: Ctx, rawId: string, stage: Lifecycle): void {
  const id = parseInput(ID, rawId, 'experiment_id');
  const cur = requireExperiment(c, id, false);
  if (stage === 'deleted' && id === DEFAULT_EXPERIMENT_ID) throw invalid('Cannot delete the default experiment \'0\'.');
  if (cur === stage) throw invalid(`The experiment ${id} must be in the '${stage === 'deleted' ? 'active' : 'deleted'}' state.`);
  tx(c, () => {
    wsExp(c.ws).set(id + SEP + 'lifecycle', stage);
    wsExp(c.ws).set(id + SEP + 'lastUpdateTime', now(c));
  });
}
/** DOC-E4: soft delete and restore. */
export const deleteExperiment = (c: Ctx, id: string) => setExperimentLifecycle(c, id, 'deleted');
export const restoreExperiment = (c: Ctx, id: string) => setExperimentLifecycle(c, id, 'active');

export function setExperimentTag(c: Ctx, input: { experimentId: string; key: string; value: string }): void {
  const id = parseInput(ID, input.experimentId, 'experiment_id');
  const key = parseInput(KeySchema, input.key, 'key');
  const value = parseInput(ExperimentTagValueSchema, input.value, 'value');
  requireExperiment(c, id, true);
  tx(c, () => wsExpTags(c.ws).set(id + SEP + key, value));
}

export function deleteExperimentTag(c: Ctx, input: { experimentId: string; key: string }): void {
  const id = parseInput(ID, input.experimentId, 'experiment_id');
  const key = parseInput(KeySchema, input.key, 'key');
  requireExperiment(c, id, true);
  if (!wsExpTags(c.ws).has(id + SEP + key)) throw notFound(`No tag with name: ${key} in experiment ${id}.`);
  tx(c, () => wsExpTags(c.ws).delete(id + SEP + key));
}

/** The run as the readers see it (DOC-L6): one they skip (not synced here, no valid experiment id) is not found. */
function requireRunRecord(c: Ctx, rawId: string, mustBeActive: boolean) {
  const id = parseInput(RID, rawId, 'run_id');
  const d = c.runDoc(id);
  const rec = readRunRecord(d);
  if (!rec) throw notFound(`Run with id=${id} not found`);
  if (mustBeActive && rec.lifecycle !== 'active') throw invalid(`The run ${id} must be in the 'active' state. Current state is deleted.`);
  return { id, d, rec };
}

/** The run's doc, for commands on it: RESOURCE_DOES_NOT_EXIST when this replica holds no readable run there. */
export function requireRun(c: Ctx, rawId: string, mustBeActive = true): Y.Doc {
  return requireRunRecord(c, rawId, mustBeActive).d;
}

function infoOf(c: Ctx, runId: string): RunInfo {
  const { rec } = requireRunRecord(c, runId, false);
  return runInfoOf(runId, rec);
}

const StartRunInput = z.object({
  experimentId: ID.optional(),
  runName: RunNameSchema.optional(),
  startTime: TimestampSchema.optional(),
  userId: UserIdSchema.optional(),
  tags: z.record(KeySchema, TagValueSchema).optional(),
  parentRunId: RID.optional(),
  runId: RID.optional(),
});

/**
 * DOC-R1, DOC-R2: a new RUNNING run, written into its own run doc (and nothing into the workspace doc: DOC-L9). The
 * run name and the `mlflow.runName` tag mirror each other.
 */
export function startRun(c: Ctx, input: z.input<typeof StartRunInput>): RunInfo {
  const inp = parseInput(StartRunInput, input, 'startRun');
  const experimentId = inp.experimentId ?? (DEFAULT_EXPERIMENT_ID as ExperimentId);
  requireExperiment(c, experimentId, true);
  const tags: Record<string, string> = { ...(inp.tags ?? {}) };
  const tagName = tags['mlflow.runName'];
  if (inp.runName && tagName && inp.runName !== tagName)
    throw invalid(`Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${inp.runName}', mlflow.runName='${tagName}').`);
  const name = inp.runName ?? tagName ?? newRunName();
  tags['mlflow.runName'] = name;
  if (inp.userId && !tags['mlflow.user']) tags['mlflow.user'] = inp.userId;
  if (inp.parentRunId) {
    if (!readRunRecord(c.runDoc(inp.parentRunId))) throw notFound(`Run with id=${inp.parentRunId} not found`);
    tags['mlflow.parentRunId'] = inp.parentRunId;
  }
  const runId = inp.runId ?? newRunId();
  const d = c.runDoc(runId);
  if (runFields(d).size > 0 || runMeta(d).get('runId') !== undefined) throw alreadyExists(`Run with id=${runId} already exists`);
  txOn(d, () => {
    const meta = runMeta(d);
    meta.set('formatVersion', FORMAT_VERSION);
    meta.set('runId', runId);
    const r = runFields(d);
    r.set('experimentId', experimentId);
    r.set('name', name);
    r.set('userId', inp.userId ?? tags['mlflow.user'] ?? '');
    r.set('status', 'RUNNING');
    r.set('startTime', inp.startTime ?? now(c));
    r.set('endTime', null);
    r.set('lifecycle', 'active');
    r.set('deletedTime', null);
    const t = runTags(d);
    for (const [k, v] of Object.entries(tags)) t.set(k, v);
  });
  return infoOf(c, runId);
}

const UpdateRunInput = z.object({
  runId: RID,
  status: RunStatusSchema.optional(),
  endTime: TimestampSchema.optional(),
  runName: RunNameSchema.optional(),
});

/** DOC-R3: status, end time and name; renaming also updates `mlflow.runName`. */
export function updateRun(c: Ctx, input: z.input<typeof UpdateRunInput>): RunInfo {
  const inp = parseInput(UpdateRunInput, input, 'updateRun');
  const d = requireRun(c, inp.runId);
  txOn(d, () => {
    const r = runFields(d);
    if (inp.status) r.set('status', inp.status);
    if (inp.endTime !== undefined) r.set('endTime', inp.endTime);
    if (inp.runName) {
      r.set('name', inp.runName);
      runTags(d).set('mlflow.runName', inp.runName);
    }
  });
  return infoOf(c, inp.runId);
}

function setRunLifecycle(c: Ctx, runId: string, stage: Lifecycle): void {
  const { d, rec } = requireRunRecord(c, runId, false);
  if (rec.lifecycle === stage) return;
  txOn(d, () => {
    runFields(d).set('lifecycle', stage);
    runFields(d).set('deletedTime', stage === 'deleted' ? now(c) : null);
  });
}
/** DOC-R4: soft delete and restore. */
export const deleteRun = (c: Ctx, runId: string) => setRunLifecycle(c, runId, 'deleted');
export const restoreRun = (c: Ctx, runId: string) => setRunLifecycle(c, runId, 'active');

/** DOC-P1..P3 against the local replica: same value is a no-op (false), another value is refused. */
function checkParam(runId: string, existing: Record<string, string>, key: string, value: string): boolean {
  const old = Object.hasOwn(existing, key) ? existing[key] : undefined;
  if (old === undefined) return true;
  if (old === value) return false;
  throw new CairnError(
    'INVALID_PARAMETER_VALUE',
    `Changing param values is not allowed. Param with key='${key}' was already logged with value='${old}' for run ID='${runId}'. Attempted logging new value '${value}'.`,
    { key, oldValue: old, newValue: value },
  );
}

export function logParam(c: Ctx, input: { runId: string; key: string; value: string }): void {
  logBatch(c, { runId: input.runId, params: [{ key: input.key, value: input.value }] });
}

export function setTag(c: Ctx, input: { runId: string; key: string; value: string }): void {
  logBatch(c, { runId: input.runId, tags: [{ key: input.key, value: input.value }] });
}

const Entries = (value: z.ZodString) => z.array(z.object({ key: KeySchema, value }));
const BatchInput = z.object({
  runId: RID,
  params: Entries(ParamValueSchema).max(MAX_PARAMS_TAGS_PER_BATCH).optional(),
  tags: Entries(TagValueSchema).max(MAX_PARAMS_TAGS_PER_BATCH).optional(),
});
/** The same checks without the per-request size limits: for SDK calls that are split into several batches. */
const UnboundedBatchInput = z.object({ runId: RID, params: Entries(ParamValueSchema).optional(), tags: Entries(TagValueSchema).optional() });

/** Every check of a batch, writing nothing: returns what a write would do. */
function prepareBatch(c: Ctx, inp: z.output<typeof UnboundedBatchInput>) {
  const params = inp.params ?? [];
  const tags = inp.tags ?? [];
  const d = requireRun(c, inp.runId);
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.key)) throw invalid(`Duplicate parameter keys have been submitted: ['${p.key}']`);
    seen.add(p.key);
  }
  const existing = readParams(inp.runId, d).params;
  const fresh = params.filter((p) => checkParam(inp.runId, existing, p.key, p.value));
  return { d, fresh, tags, renamed: tags.findLast((t) => t.key === 'mlflow.runName') };
}

/** Validates params/tags of any number of entries as one unit without writing (DOC-P5 across split batches). */
export function checkBatch(c: Ctx, input: z.input<typeof UnboundedBatchInput>): void {
  prepareBatch(c, parseInput(UnboundedBatchInput, input, 'logBatch'));
}

/** Params and tags of one batch in one transaction; refused whole if any part is refused (DOC-P5). */
export function logBatch(c: Ctx, input: z.input<typeof BatchInput>): void {
  const inp = parseInput(BatchInput, input, 'logBatch');
  if ((inp.params?.length ?? 0) + (inp.tags?.length ?? 0) > MAX_ENTITIES_PER_BATCH)
    throw invalid('A batch logging request can contain at most 1000 entities');
  const { d, fresh, tags, renamed } = prepareBatch(c, inp);
  if (fresh.length === 0 && tags.length === 0) return;
  const t = now(c);
  txOn(d, () => {
    if (fresh.length) runParams(d).push(fresh.map((p): ParamEntry => ({ key: p.key, value: p.value, actor: c.actor, at: t })));
    for (const tag of tags) runTags(d).set(tag.key, tag.value);
    if (renamed) runFields(d).set('name', renamed.value);
  });
}

export function deleteTag(c: Ctx, input: { runId: string; key: string }): void {
  const key = parseInput(KeySchema, input.key, 'key');
  const d = requireRun(c, input.runId);
  if (!runTags(d).has(key)) throw notFound(`No tag with name: ${key} in run with id ${input.runId}`);
  txOn(d, () => runTags(d).delete(key));
}

/** DOC-A1: artifact metadata; the bytes live in the blob store under `sha256`. Re-logging a path replaces it. */
export function logArtifactRef(c: Ctx, input: { runId: string; ref: ArtifactRef }): void {
  const ref = parseInput(ArtifactRefSchema, input.ref, 'artifact');
  const d = requireRun(c, input.runId);
  txOn(d, () => runArtifacts(d).set(ref.path, { ...ref }));
}

/**
 * DOC-A2: removes the reference at `path` and every reference below it (a folder), in one transaction; returns how
 * many went. The blobs stay (other runs may hold the same bytes). `path` '' means every artifact of the run.
 */
export function deleteArtifactRefs(c: Ctx, input: { runId: string; path: string }): number {
  const d = requireRun(c, input.runId);
  const path = input.path;
  const inside = (k: string) => path === '' || k === path || k.startsWith(`${path}/`);
  const keys = [...runArtifacts(d).keys()].filter(inside);
  if (keys.length > 0) txOn(d, () => keys.forEach((k) => runArtifacts(d).delete(k)));
  return keys.length;
}

const LogInputsInput = z.object({ runId: RID, datasets: z.array(DatasetInputSchema).max(MAX_ENTITIES_PER_BATCH) });

/**
 * DOC-I1: MLflow's log-inputs. A dataset is identified by (name, digest): logging it again replaces its fields and
 * sets the tags given (a new context is kept beside the old one's other tags). One transaction for the whole call.
 */
export function logInputs(c: Ctx, input: z.input<typeof LogInputsInput>): void {
  const inp = parseInput(LogInputsInput, input, 'logInputs');
  const d = requireRun(c, inp.runId);
  if (inp.datasets.length === 0) return;
  txOn(d, () => {
    for (const { dataset, tags } of inp.datasets) {
      const k = inputKey(dataset.name, dataset.digest);
      runInputs(d).set(k, Object.fromEntries(Object.entries(dataset).filter(([, v]) => v !== undefined)));
      for (const [tk, tv] of Object.entries(tags ?? {})) runInputTags(d).set(k + SEP + tk, tv);
    }
  });
}

export type { RunId };

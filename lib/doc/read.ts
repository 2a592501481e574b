import * as Y from 'yjs';
import type { ArtifactRef, Experiment, ExperimentId, Lifecycle, MetricSummary, ParamConflict, Run, RunId, RunInfo } from '../domain';
import { DEFAULT_EXPERIMENT_ID, MAX_TAG_VAL_LENGTH } from '../domain';
import { readLoggedModels, readModelOutputs } from './logged-models-read';
import {
  SEP,
  expField,
  experimentIds,
  inputKey,
  mapEntries,
  runArtifacts,
  runFields,
  runInputTags,
  runInputs,
  runMetrics,
  runNotes,
  runParams,
  runTags,
  wsExp,
  wsExpTags,
} from './layout';
import {
  ParamEntry,
  StoredArtifactRef,
  StoredDataset,
  StoredExperiment,
  StoredRun,
  SummaryShare,
  isArtifactPath,
  isExperimentId,
  isExperimentTagValue,
  isInputTagValue,
  isKey,
  isRunId,
  isShareKey,
  isRunTagValue,
  type StoredExperimentRecord,
  type StoredRunRecord,
} from './records';

/*
 * The read views. Everything a reader takes from a doc goes through the schemas of records.ts (DOC-L5..DOC-L8): a
 * wrong field falls back or its record is skipped, never thrown on and never passed through, so the views hold plain
 * data only and cross the worker boundary (structured clone) as they are.
 *
 * Keys are user data ("constructor" is a legal MLflow key): records are built with Object.fromEntries (own data
 * properties) from Maps, never by assignment, so no key can reach or replace a prototype (DOC-K1).
 */

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

function matchesView(stage: Lifecycle, view: ViewType): boolean {
  return view === 'ALL' || (view === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted');
}

const byKey = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Tags of a map (or a prefix of a flat map): entries with a bad key or value are skipped (DOC-L7). */
function readTags(entries: Iterable<[string, unknown]>, isValue: (v: unknown) => v is string, prefix = ''): Record<string, string> {
  const out: [string, string][] = [];
  for (const [k, v] of entries) {
    if (prefix && !k.startsWith(prefix)) continue;
    const key = k.slice(prefix.length);
    if (isKey(key) && isValue(v)) out.push([key, v]);
  }
  return Object.fromEntries(out.sort(byKey));
}

// ---- experiments ------------------------------------------------------------------------------------------------

/** An experiment's own fields (DOC-L8); undefined when it does not exist or its id is no experiment id. */
export function readExperimentRecord(d: Y.Doc, id: string): StoredExperimentRecord | undefined {
  if (!isExperimentId(id) || !wsExp(d).has(id + SEP + 'name')) return undefined;
  return StoredExperiment.read({ get: (f) => expField(d, id, f) });
}

function experimentRecords(d: Y.Doc): Map<string, StoredExperimentRecord> {
  const out = new Map<string, StoredExperimentRecord>();
  for (const id of experimentIds(d)) {
    const e = readExperimentRecord(d, id);
    if (e) out.set(id, e);
  }
  return out;
}

/** Name owner among experiments sharing a name: earliest creation time, then smallest id (DOC-E3). No name, no owner. */
function nameOwners(records: Map<string, StoredExperimentRecord>): Map<string, string> {
  const owner = new Map<string, string>();
  for (const [id, e] of records) {
    if (e.name === '') continue;
    const cur = owner.get(e.name);
    const c = cur === undefined ? undefined : records.get(cur)!;
    if (!c || e.creationTime < c.creationTime || (e.creationTime === c.creationTime && id < cur!)) owner.set(e.name, id);
  }
  return owner;
}

function experimentOf(d: Y.Doc, id: string, e: StoredExperimentRecord, owners: Map<string, string>): Experiment {
  const exp: Experiment = {
    experimentId: id as ExperimentId,
    name: e.name,
    artifactLocation: e.artifactLocation ?? `mlflow-artifacts:/${id}`,
    lifecycleStage: e.lifecycle,
    creationTime: e.creationTime,
    lastUpdateTime: e.lastUpdateTime,
    tags: readTags(wsExpTags(d).entries(), isExperimentTagValue, id + SEP),
  };
  if (e.name !== '' && owners.get(e.name) !== id) exp.nameConflict = true;
  return exp;
}

export function listExperiments(d: Y.Doc, view: ViewType = 'ACTIVE_ONLY'): Experiment[] {
  const records = experimentRecords(d);
  const owners = nameOwners(records);
  const out: Experiment[] = [];
  for (const [id, e] of records) if (matchesView(e.lifecycle, view)) out.push(experimentOf(d, id, e, owners));
  return out.sort((a, b) =>
    a.experimentId === DEFAULT_EXPERIMENT_ID ? -1 : b.experimentId === DEFAULT_EXPERIMENT_ID ? 1 : b.creationTime - a.creationTime || (a.experimentId < b.experimentId ? -1 : 1),
  );
}

export function getExperiment(d: Y.Doc, id: string): Experiment | undefined {
  const e = readExperimentRecord(d, id);
  return e && experimentOf(d, id, e, nameOwners(experimentRecords(d)));
}

/** MLflow's get-by-name prefers an active experiment over a deleted one; among duplicates, the name owner. */
export function getExperimentByName(d: Y.Doc, name: string): Experiment | undefined {
  const all = listExperiments(d, 'ALL').filter((e) => e.name === name);
  return all.find((e) => e.lifecycleStage === 'active' && !e.nameConflict) ?? all.find((e) => e.lifecycleStage === 'active') ?? all[0];
}

// ---- runs -------------------------------------------------------------------------------------------------------

/** A run's own fields (DOC-L6); undefined when the run doc holds no readable run (not synced yet, or garbled). */
export function readRunRecord(d: Y.Doc): StoredRunRecord | undefined {
  return StoredRun.read(runFields(d));
}

export function runInfoOf(runId: string, rec: StoredRunRecord): RunInfo {
  return {
    runId: runId as RunId,
    runName: rec.name,
    experimentId: rec.experimentId,
    userId: rec.userId,
    status: rec.status,
    startTime: rec.startTime,
    endTime: rec.endTime,
    lifecycleStage: rec.lifecycle,
    deletedTime: rec.deletedTime,
    artifactUri: `mlflow-artifacts:/${rec.experimentId}/${runId}/artifacts`,
  };
}

/** `tags` with one more, in key order, built as readTags builds (own data properties only: DOC-K1). */
function withTag(tags: Record<string, string>, key: string, value: string): Record<string, string> {
  const m = new Map(Object.entries(tags));
  m.set(key, value);
  return Object.fromEntries([...m].sort(byKey));
}

/** Winning params and the conflict records of a run: the first readable entry per key in array order wins (DOC-P4). */
export function readParams(runId: string, d: Y.Doc): { params: Record<string, string>; conflicts: ParamConflict[] } {
  const winners = new Map<string, string>();
  const conflicts: ParamConflict[] = [];
  for (const raw of runParams(d).toArray()) {
    const e = ParamEntry.parse(raw);
    if (!e) continue;
    const kept = winners.get(e.key);
    if (kept === undefined) winners.set(e.key, e.value);
    // An entry identical to a recorded conflict is the same write seen twice (two replicas' conversions of one
    // format-1 run, merged: DOC-U2), not a second conflict.
    else if (kept !== e.value && !conflicts.some((x) => x.key === e.key && x.rejectedValue === e.value && x.rejectedBy === e.actor && x.at === e.at))
      conflicts.push({ runId, key: e.key, keptValue: kept, rejectedValue: e.value, rejectedBy: e.actor, at: e.at });
  }
  return { params: Object.fromEntries(winners), conflicts };
}

/** Merges the per-writer shares of each metric key (DOC-M2, DOC-M3); unreadable shares are skipped (DOC-L7). */
export function readMetricSummaries(d: Y.Doc): Record<string, MetricSummary> {
  const out = new Map<string, MetricSummary>();
  // Sorted so every replica merges shares in the same order and lists keys the same way.
  for (const [k, raw] of mapEntries(runMetrics(d)).sort(byKey)) {
    if (!isShareKey(k)) continue;
    const s = SummaryShare.parse(raw);
    if (!s) continue;
    const key = k.slice(0, k.indexOf(SEP));
    out.set(key, mergeSummary(out.get(key), key, s));
  }
  return Object.fromEntries(out);
}

/** MLflow's "latest" is the max of (step, timestamp, value); NaN sorts lowest. */
export function isLater(aStep: number, aTs: number, aVal: number, bStep: number, bTs: number, bVal: number): boolean {
  if (aStep !== bStep) return aStep > bStep;
  if (aTs !== bTs) return aTs > bTs;
  if (Number.isNaN(bVal)) return !Number.isNaN(aVal);
  return aVal > bVal;
}

const minNum = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b));
const maxNum = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));

/** The one summary merge (DOC-M2, DOC-M3): a writer folding a flush into its share, and readers folding shares. */
export function mergeShares(a: SummaryShare, b: SummaryShare): SummaryShare {
  const later = isLater(b.latestStep, b.latestTimestamp, b.latest, a.latestStep, a.latestTimestamp, a.latest);
  return {
    latest: later ? b.latest : a.latest,
    latestStep: later ? b.latestStep : a.latestStep,
    latestTimestamp: later ? b.latestTimestamp : a.latestTimestamp,
    min: minNum(a.min, b.min),
    max: maxNum(a.max, b.max),
    count: a.count + b.count,
  };
}

export function mergeSummary(acc: MetricSummary | undefined, key: string, s: SummaryShare): MetricSummary {
  return acc ? { key, ...mergeShares(acc, s) } : { key, ...s };
}

/** Artifact references, by path; one that does not parse or names another path than its key is skipped (DOC-L7). */
function readArtifacts(d: Y.Doc): ArtifactRef[] {
  const out: ArtifactRef[] = [];
  for (const [path, raw] of mapEntries(runArtifacts(d))) {
    if (!isArtifactPath(path)) continue;
    const a = StoredArtifactRef.parse(raw);
    if (a && a.path === path) out.push(a);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Dataset inputs by (name, digest), with their input tags (DOC-I1); a dataset its key does not name is skipped. */
export function readInputs(d: Y.Doc): Run['inputs'] {
  const tagsOf = new Map<string, [string, string][]>();
  for (const [k, v] of mapEntries(runInputTags(d))) {
    const at = k.lastIndexOf(SEP);
    const key = k.slice(at + 1);
    if (at < 0 || !isKey(key) || !isInputTagValue(v)) continue;
    const owner = k.slice(0, at);
    let list = tagsOf.get(owner);
    if (!list) tagsOf.set(owner, (list = []));
    list.push([key, v]);
  }
  const out: Run['inputs'] = [];
  for (const [k, raw] of mapEntries(runInputs(d))) {
    const ds = StoredDataset.parse(raw);
    if (!ds || inputKey(ds.name, ds.digest) !== k) continue;
    const dataset = Object.fromEntries(Object.entries(ds).filter(([, v]) => v !== undefined)) as typeof ds;
    out.push({ dataset, tags: Object.fromEntries((tagsOf.get(k) ?? []).sort(byKey)) });
  }
  return out.sort((a, b) => byKey([inputKey(a.dataset.name, a.dataset.digest), 0], [inputKey(b.dataset.name, b.dataset.digest), 0]));
}

/**
 * The read view of one run from its run doc; undefined when its id is no run id or its own fields are unreadable
 * (DOC-L6): a run doc not synced yet reads as no run.
 */
export function readRun(runId: string, d: Y.Doc): Run | undefined {
  if (!isRunId(runId)) return undefined;
  const rec = readRunRecord(d);
  if (!rec) return undefined;
  const { params, conflicts } = readParams(runId, d);
  const tags = readTags(mapEntries(runTags(d)), isRunTagValue);
  // The collaborative description is what MLflow clients read as the run's `mlflow.note.content` (RUNPAGE-N1).
  const note = readRunNote(d);
  return {
    info: runInfoOf(runId, rec),
    params,
    tags: note ? withTag(tags, NOTE_TAG, note) : tags,
    metrics: readMetricSummaries(d),
    artifacts: readArtifacts(d),
    inputs: readInputs(d),
    conflicts,
    ...withModels(runId, d),
  };
}

/** A run's MLflow 3 model outputs and logged models (DOC-LM1, DOC-LM3), only when it has some. */
function withModels(runId: string, d: Y.Doc): Pick<Run, 'modelOutputs' | 'loggedModels'> {
  const outputs = readModelOutputs(d);
  const models = readLoggedModels(runId, d);
  return { ...(outputs.length ? { modelOutputs: outputs } : {}), ...(models.length ? { loggedModels: models } : {}) };
}

// ---- run description (run-notes.ts has the commands) ---------------------------------------------------------------

/** Longest description kept: MLflow's tag value limit, so the text is also a valid `mlflow.note.content` tag. */
export const MAX_NOTE_LENGTH = MAX_TAG_VAL_LENGTH;
/** MLflow's tag for a run's (and an experiment's) description. */
export const NOTE_TAG = 'mlflow.note.content';

/** The run doc's description: the root `notes`, a Y.Text (a root type is never created as an item: DOC-L2). */

/**
 * The description as plain text (components/run/SPEC.md RUNPAGE-N1). A peer may have written anything under `notes`
 * (map entries, embeds, a root of another type): whatever does not read as text reads as no text, never as a throw.
 */
export function readRunNote(d: Y.Doc): string {
  try {
    if (!d.share.has('notes')) return '';
    const s = runNotes(d).toString();
    return typeof s === 'string' ? s.slice(0, MAX_NOTE_LENGTH) : '';
  } catch {
    return '';
  }
}

/** MLflow's default order: newest start first, then run id. */
export function byStartDesc(a: Run, b: Run): number {
  return b.info.startTime - a.info.startTime || (a.info.runId < b.info.runId ? -1 : 1);
}

/**
 * The runs of the run docs a holder has (the data worker's local ones, an SDK's), newest first. Listing every run
 * of a workspace is the experiment index's job (lib/run-index), never a walk over Yjs docs.
 */
export function listRuns(docs: Iterable<[string, Y.Doc]>, opts: { experimentIds?: string[]; view?: ViewType } = {}): Run[] {
  const view = opts.view ?? 'ACTIVE_ONLY';
  const exps = opts.experimentIds ? new Set(opts.experimentIds) : undefined;
  const out: Run[] = [];
  for (const [id, d] of docs) {
    const run = readRun(id, d);
    if (!run || (exps && !exps.has(run.info.experimentId))) continue;
    if (matchesView(run.info.lifecycleStage, view)) out.push(run);
  }
  return out.sort(byStartDesc);
}

/** The param conflicts of runs, newest first: what a conflicts panel shows. */
export function listConflicts(runs: Iterable<Run>): ParamConflict[] {
  const out: ParamConflict[] = [];
  for (const r of runs) out.push(...r.conflicts);
  return out.sort((a, b) => b.at - a.at || a.runId.localeCompare(b.runId) || a.key.localeCompare(b.key));
}

/** The read view of a run through a host's run docs (`ctx.runDoc`): undefined when the host holds no readable run. */
export function getRun(c: { runDoc(runId: string): Y.Doc }, runId: string): Run | undefined {
  return isRunId(runId) ? readRun(runId, c.runDoc(runId)) : undefined;
}

import * as Y from 'yjs';
import type {
  ArtifactRef,
  Experiment,
  ExperimentId,
  Lifecycle,
  MetricSummary,
  ParamConflict,
  Run,
  RunId,
  RunInfo,
  RunStatus,
} from '../domain';
import { DEFAULT_EXPERIMENT_ID } from '../domain';
import {
  SEP,
  experimentIds,
  expField,
  runArtifacts,
  runMetrics,
  runParams,
  runTags,
  wsExpTags,
  wsRuns,
  type SummaryShare,
} from './layout';

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

function matchesView(stage: Lifecycle, view: ViewType): boolean {
  return view === 'ALL' || (view === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted');
}

/* Keys are user data ("__proto__" is a legal MLflow key): records are built with Object.fromEntries (own data
   properties) from Maps, never by assignment, so no key can reach or replace a prototype. */

function experimentTags(d: Y.Doc, id: string): Record<string, string> {
  const prefix = id + SEP;
  const keys: string[] = [];
  for (const k of wsExpTags(d).keys()) if (k.startsWith(prefix)) keys.push(k);
  return Object.fromEntries(keys.sort().map((k) => [k.slice(prefix.length), wsExpTags(d).get(k)!]));
}

/** Name owner among experiments sharing a name: earliest creation time, then smallest id (DOC-E3). */
function nameOwners(d: Y.Doc, ids: string[]): Map<string, string> {
  const owner = new Map<string, string>();
  const born = (id: string) => expField<number>(d, id, 'creationTime') ?? 0;
  for (const id of ids) {
    const name = expField<string>(d, id, 'name')!;
    const cur = owner.get(name);
    if (cur === undefined || born(id) < born(cur) || (born(id) === born(cur) && id < cur)) owner.set(name, id);
  }
  return owner;
}

function readExperiment(d: Y.Doc, id: string, owners: Map<string, string>): Experiment {
  const name = expField<string>(d, id, 'name')!;
  const exp: Experiment = {
    experimentId: id as ExperimentId,
    name,
    artifactLocation: expField<string>(d, id, 'artifactLocation') ?? `mlflow-artifacts:/${id}`,
    lifecycleStage: expField<Lifecycle>(d, id, 'lifecycle') ?? 'active',
    creationTime: expField<number>(d, id, 'creationTime') ?? 0,
    lastUpdateTime: expField<number>(d, id, 'lastUpdateTime') ?? 0,
    tags: experimentTags(d, id),
  };
  if (owners.get(name) !== id) exp.nameConflict = true;
  return exp;
}

export function listExperiments(d: Y.Doc, view: ViewType = 'ACTIVE_ONLY'): Experiment[] {
  const ids = experimentIds(d);
  const owners = nameOwners(d, ids);
  return ids
    .map((id) => readExperiment(d, id, owners))
    .filter((e) => matchesView(e.lifecycleStage, view))
    .sort((a, b) =>
      a.experimentId === DEFAULT_EXPERIMENT_ID ? -1 : b.experimentId === DEFAULT_EXPERIMENT_ID ? 1 : b.creationTime - a.creationTime || (a.experimentId < b.experimentId ? -1 : 1),
    );
}

export function getExperiment(d: Y.Doc, id: string): Experiment | undefined {
  if (expField<string>(d, id, 'name') === undefined) return undefined;
  return readExperiment(d, id, nameOwners(d, experimentIds(d)));
}

/** MLflow's get-by-name prefers an active experiment over a deleted one; among duplicates, the name owner. */
export function getExperimentByName(d: Y.Doc, name: string): Experiment | undefined {
  const all = listExperiments(d, 'ALL').filter((e) => e.name === name);
  return all.find((e) => e.lifecycleStage === 'active' && !e.nameConflict) ?? all.find((e) => e.lifecycleStage === 'active') ?? all[0];
}

export function runInfoOf(runId: string, r: Y.Map<unknown>): RunInfo {
  const experimentId = r.get('experimentId') as ExperimentId;
  return {
    runId: runId as RunId,
    runName: (r.get('name') as string | undefined) ?? '',
    experimentId,
    userId: (r.get('userId') as string | undefined) ?? '',
    status: (r.get('status') as RunStatus | undefined) ?? 'RUNNING',
    startTime: (r.get('startTime') as number | undefined) ?? 0,
    endTime: (r.get('endTime') as number | null | undefined) ?? null,
    lifecycleStage: (r.get('lifecycle') as Lifecycle | undefined) ?? 'active',
    deletedTime: (r.get('deletedTime') as number | null | undefined) ?? null,
    artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
  };
}

/** Winning params and the conflict records of a run: the first entry per key in array order wins (DOC-P4). */
export function readParams(runId: string, r: Y.Map<unknown>): { params: Record<string, string>; conflicts: ParamConflict[] } {
  const winners = new Map<string, { value: string }>();
  const conflicts: ParamConflict[] = [];
  for (const e of runParams(r).toArray()) {
    if (!e || typeof e !== 'object' || typeof e.key !== 'string' || typeof e.value !== 'string') continue;
    const w = winners.get(e.key);
    if (!w) winners.set(e.key, { value: e.value });
    else if (w.value !== e.value)
      conflicts.push({ runId, key: e.key, keptValue: w.value, rejectedValue: e.value, rejectedBy: e.actor, at: e.at });
  }
  return { params: Object.fromEntries([...winners].map(([k, v]) => [k, v.value])), conflicts };
}

/** Merges the per-writer shares of each metric key (DOC-M2, DOC-M3). */
export function readMetricSummaries(r: Y.Map<unknown>): Record<string, MetricSummary> {
  const out = new Map<string, MetricSummary>();
  // Sorted so every replica merges shares in the same order and lists keys the same way.
  const entries = [...runMetrics(r).entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [k, s] of entries) {
    if (!s || typeof s !== 'object' || typeof s.count !== 'number') continue;
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

export function mergeSummary(acc: MetricSummary | undefined, key: string, s: SummaryShare): MetricSummary {
  if (!acc) return { key, ...s };
  const later = isLater(s.latestStep, s.latestTimestamp, s.latest, acc.latestStep, acc.latestTimestamp, acc.latest);
  return {
    key,
    latest: later ? s.latest : acc.latest,
    latestStep: later ? s.latestStep : acc.latestStep,
    latestTimestamp: later ? s.latestTimestamp : acc.latestTimestamp,
    min: minNum(acc.min, s.min),
    max: maxNum(acc.max, s.max),
    count: acc.count + s.count,
  };
}

export function readRun(runId: string, r: Y.Map<unknown>): Run {
  const { params, conflicts } = readParams(runId, r);
  return {
    info: runInfoOf(runId, r),
    params,
    tags: Object.fromEntries([...runTags(r).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
    metrics: readMetricSummaries(r),
    artifacts: ([...runArtifacts(r).values()] as ArtifactRef[])
      .filter((a) => !!a && typeof a === 'object' && typeof a.path === 'string')
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
    conflicts,
  };
}

export function getRun(d: Y.Doc, runId: string): Run | undefined {
  const r = wsRuns(d).get(runId);
  return r instanceof Y.Map ? readRun(runId, r) : undefined;
}

/** `readOne` lets a long-lived reader (the data worker) serve unchanged runs from a cache. */
export function listRuns(
  d: Y.Doc,
  opts: { experimentIds?: string[]; view?: ViewType } = {},
  readOne: (runId: string, r: Y.Map<unknown>) => Run = readRun,
): Run[] {
  const view = opts.view ?? 'ACTIVE_ONLY';
  const exps = opts.experimentIds ? new Set(opts.experimentIds) : undefined;
  const out: Run[] = [];
  for (const [id, r] of wsRuns(d).entries()) {
    if (!(r instanceof Y.Map)) continue;
    if (exps && !exps.has(r.get('experimentId') as string)) continue;
    if (!matchesView((r.get('lifecycle') as Lifecycle | undefined) ?? 'active', view)) continue;
    out.push(readOne(id, r));
  }
  return out.sort((a, b) => b.info.startTime - a.info.startTime || (a.info.runId < b.info.runId ? -1 : 1));
}

/** Every param conflict in the workspace, newest first: what the conflicts panel shows. */
export function listConflicts(d: Y.Doc): ParamConflict[] {
  const out: ParamConflict[] = [];
  for (const [id, r] of wsRuns(d).entries()) if (r instanceof Y.Map) out.push(...readParams(id, r).conflicts);
  return out.sort((a, b) => b.at - a.at || a.runId.localeCompare(b.runId) || a.key.localeCompare(b.key));
}

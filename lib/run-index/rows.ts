import { DATASET_CONTEXT_TAG, type Lifecycle, type Run, type RunStatus } from '../domain';

/**
 * One run as the experiment index holds it (SPEC.md IDX-1): everything a runs table, a search or a chart legend needs
 * without opening the run's documents, as plain data. Derived from a run (never edited): `rowFromRun`.
 */
export interface IndexMetric {
  latest: number;
  min: number;
  max: number;
  count: number;
}

export interface IndexDataset {
  name: string;
  digest: string;
  context: string | null;
}

export interface IndexRow {
  runId: string;
  runName: string;
  experimentId: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: Lifecycle;
  artifactUri: string;
  parentRunId: string | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, IndexMetric>;
  datasets: IndexDataset[];
}

const PARENT_RUN_TAG = 'mlflow.parentRunId';

/**
 * Records are built key by key into fresh objects, keys sorted: a key like `constructor` stays plain data (lib/doc
 * DOC-K1), and replicas that hold the same run hold the same row, key order and encoded bytes included.
 */
function copyRecord<T, U>(src: Record<string, T>, map: (v: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const k of Object.keys(src).sort()) setOwn(out, k, map(src[k]!));
  return out;
}

/**
 * `o[k] = v` as plain own data whatever the key (IDX-1): for every key but `__proto__` (Object.prototype's one setter)
 * an assignment to a fresh object is that already, and ~3× faster than defineProperty, which a 10k-run index decode
 * called 430k times (~0.1 s of the worker on the bench machine) and left every record a slower dictionary-mode object.
 */
export function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** A run's dataset inputs as the index and search see them: name, digest and the `mlflow.data.context` input tag. */
export function datasetsOf(run: Pick<Run, 'inputs'>): IndexDataset[] {
  return (run.inputs ?? []).map((i) => ({
    name: i.dataset.name,
    digest: i.dataset.digest,
    context: Object.hasOwn(i.tags, DATASET_CONTEXT_TAG) ? i.tags[DATASET_CONTEXT_TAG]! : null,
  }));
}

/** The index row of a run as lib/doc's readers return it. */
export function rowFromRun(run: Run, datasets: IndexDataset[] = datasetsOf(run)): IndexRow {
  const i = run.info;
  return {
    runId: i.runId,
    runName: i.runName,
    experimentId: i.experimentId,
    userId: i.userId,
    status: i.status,
    startTime: i.startTime,
    endTime: i.endTime,
    lifecycleStage: i.lifecycleStage,
    artifactUri: i.artifactUri,
    parentRunId: Object.hasOwn(run.tags, PARENT_RUN_TAG) ? run.tags[PARENT_RUN_TAG]! : null,
    params: copyRecord(run.params, (v) => v),
    tags: copyRecord(run.tags, (v) => v),
    metrics: copyRecord(run.metrics, (m) => ({ latest: m.latest, min: m.min, max: m.max, count: m.count })),
    datasets: datasets.map((d) => ({ ...d })),
  };
}

/** Same content, NaN and -0 included (the index's equality: what a rebuild must reproduce exactly). */
export function sameRow(a: IndexRow, b: IndexRow): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(r: IndexRow): unknown {
  const num = (n: number) => (Number.isNaN(n) ? 'NaN' : Object.is(n, -0) ? '-0' : n === Infinity ? 'Inf' : n === -Infinity ? '-Inf' : n);
  const sorted = <T,>(o: Record<string, T>, f: (v: T) => unknown) => Object.keys(o).sort().map((k) => [k, f(o[k]!)]);
  return [
    r.runId, r.runName, r.experimentId, r.userId, r.status, num(r.startTime), r.endTime === null ? null : num(r.endTime),
    r.lifecycleStage, r.artifactUri, r.parentRunId,
    sorted(r.params, (v) => v), sorted(r.tags, (v) => v),
    sorted(r.metrics, (m) => [num(m.latest), num(m.min), num(m.max), m.count]),
    r.datasets.map((d) => [d.name, d.digest, d.context]),
  ];
}

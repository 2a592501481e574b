/**
 * The columnar run table that search evaluates over: one or more experiments' runs as plain objects, arrays and typed
 * arrays only, so it crosses a worker boundary by structured clone (or by transfer of its `.buffer`s) and can be
 * cached as it is. The experiment index (lib/run-index, built from run docs) produces this shape; `tableFromRuns`
 * builds it from plain run records for tests and for that builder.
 *
 * Invariants (the evaluator trusts them; `tableFromRuns` establishes them):
 * - every column has exactly `rowCount` entries (datasets: `offsets` has rowCount + 1);
 * - a string column's code is an index into its `dict`, or -1 = no value (a missing param/tag, no parent run);
 *   dictionary entries are distinct, so a predicate on a string is evaluated once per distinct value;
 * - a param's `numbers[i]` is the value read as a number (SPEC SEARCH-14), NaN when it is not one or is missing;
 * - a metric's `present[i]` is 1 when the run has the key: a latest value of NaN is a value, not a missing metric;
 * - `endTime[i]` is NaN while the run has no end time (timestamps are integers, never NaN otherwise);
 * - keys of `params`, `metrics` and `tags` are distinct within each list.
 */

export const TABLE_VERSION = 1;

/** Dictionary-encoded strings: `dict[codes[i]]`, or no value where `codes[i] === -1`. */
export interface StringColumn {
  codes: Int32Array;
  dict: string[];
}

export interface ParamColumn extends StringColumn {
  key: string;
  numbers: Float64Array;
}

export interface TagColumn extends StringColumn {
  key: string;
}

export interface MetricColumn {
  key: string;
  /** Latest value (MLflow's `run.data.metrics`); meaningful only where `present[i] === 1`. */
  latest: Float64Array;
  present: Uint8Array;
}

/**
 * Dataset inputs in compressed-row form: row i's inputs are entries offsets[i] .. offsets[i+1]-1. Names, digests and
 * contexts share one dictionary; context -1 = the input has no `mlflow.data.context` tag.
 */
export interface DatasetColumns {
  offsets: Uint32Array;
  name: Int32Array;
  digest: Int32Array;
  context: Int32Array;
  dict: string[];
}

export const LIFECYCLE_ACTIVE = 0;
export const LIFECYCLE_DELETED = 1;

export interface RunTable {
  version: typeof TABLE_VERSION;
  rowCount: number;
  runId: StringColumn;
  runName: StringColumn;
  userId: StringColumn;
  status: StringColumn;
  artifactUri: StringColumn;
  experimentId: StringColumn;
  parentRunId: StringColumn;
  startTime: Float64Array;
  endTime: Float64Array;
  /** LIFECYCLE_ACTIVE or LIFECYCLE_DELETED. */
  lifecycle: Uint8Array;
  params: ParamColumn[];
  metrics: MetricColumn[];
  tags: TagColumn[];
  datasets: DatasetColumns;
}

/** A run as plain data, close to lib/domain's `Run` (ids as plain strings, metrics as their latest value). */
export interface PlainRunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  userId: string;
  status: string;
  startTime: number;
  endTime: number | null;
  lifecycleStage: 'active' | 'deleted';
  artifactUri: string;
  parentRunId?: string | null;
}

export interface PlainDataset {
  name: string;
  digest: string;
  /** The input tag `mlflow.data.context` (e.g. "training"), if any. */
  context?: string | null;
}

export interface PlainRun {
  info: PlainRunInfo;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Latest value per key; NaN and ±Infinity are values. */
  metrics: Record<string, number>;
  datasets: PlainDataset[];
}

/** What lib/domain's `Run` holds, in the shape tableFromRuns takes (its metric summaries reduced to `latest`). */
export interface DomainRunLike {
  info: Omit<PlainRunInfo, 'parentRunId'>;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, { latest: number }>;
}

const PARENT_RUN_TAG = 'mlflow.parentRunId';

export function plainRunFromRun(run: DomainRunLike, datasets: PlainDataset[] = []): PlainRun {
  const metrics: Record<string, number> = {};
  for (const [k, s] of Object.entries(run.metrics)) metrics[k] = s.latest;
  return {
    info: { ...run.info, parentRunId: run.tags[PARENT_RUN_TAG] ?? null },
    params: { ...run.params },
    tags: { ...run.tags },
    metrics,
    datasets,
  };
}

/** Interns strings into one dictionary as a column is built. */
class Interner {
  readonly dict: string[] = [];
  private readonly index = new Map<string, number>();
  code(s: string): number {
    let c = this.index.get(s);
    if (c === undefined) {
      c = this.dict.length;
      this.dict.push(s);
      this.index.set(s, c);
    }
    return c;
  }
}

function stringColumn(n: number, value: (i: number) => string | null | undefined): StringColumn {
  const codes = new Int32Array(n);
  const interner = new Interner();
  for (let i = 0; i < n; i++) {
    const v = value(i);
    codes[i] = typeof v === 'string' ? interner.code(v) : -1;
  }
  return { codes, dict: interner.dict };
}

/**
 * SEARCH-14: a param value is a number when it is written as a plain decimal number — optional sign, digits with an
 * optional fraction, optional exponent — and nothing else (no spaces, no hex, no "nan", no "inf", no "1_000").
 */
const NUMERIC_PARAM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
export function paramNumber(value: string): number {
  return NUMERIC_PARAM.test(value) ? Number(value) : NaN;
}

/** Keys in first-seen order, so the same runs always give the same column order. */
function keysOf(runs: readonly PlainRun[], pick: (r: PlainRun) => Record<string, unknown>): string[] {
  const seen = new Set<string>();
  for (const r of runs) for (const k of Object.keys(pick(r))) seen.add(k);
  return [...seen];
}

const own = (o: Record<string, unknown>, k: string) => Object.hasOwn(o, k);

export function tableFromRuns(runs: readonly PlainRun[]): RunTable {
  const n = runs.length;
  const at = (i: number) => runs[i]!;
  const startTime = new Float64Array(n);
  const endTime = new Float64Array(n);
  const lifecycle = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const info = at(i).info;
    startTime[i] = info.startTime;
    endTime[i] = info.endTime ?? NaN;
    lifecycle[i] = info.lifecycleStage === 'deleted' ? LIFECYCLE_DELETED : LIFECYCLE_ACTIVE;
  }
  const params = keysOf(runs, (r) => r.params).map((key): ParamColumn => {
    const col = stringColumn(n, (i) => (own(at(i).params, key) ? at(i).params[key] : null));
    const numbers = new Float64Array(n);
    const dictNumbers = col.dict.map(paramNumber);
    for (let i = 0; i < n; i++) numbers[i] = col.codes[i]! < 0 ? NaN : dictNumbers[col.codes[i]!]!;
    return { key, ...col, numbers };
  });
  const tags = keysOf(runs, (r) => r.tags).map(
    (key): TagColumn => ({ key, ...stringColumn(n, (i) => (own(at(i).tags, key) ? at(i).tags[key] : null)) }),
  );
  const metrics = keysOf(runs, (r) => r.metrics).map((key): MetricColumn => {
    const latest = new Float64Array(n);
    const present = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const m = at(i).metrics;
      if (own(m, key) && typeof m[key] === 'number') {
        latest[i] = m[key];
        present[i] = 1;
      }
    }
    return { key, latest, present };
  });
  return {
    version: TABLE_VERSION,
    rowCount: n,
    runId: stringColumn(n, (i) => at(i).info.runId),
    runName: stringColumn(n, (i) => at(i).info.runName),
    userId: stringColumn(n, (i) => at(i).info.userId),
    status: stringColumn(n, (i) => at(i).info.status),
    artifactUri: stringColumn(n, (i) => at(i).info.artifactUri),
    experimentId: stringColumn(n, (i) => at(i).info.experimentId),
    parentRunId: stringColumn(n, (i) => at(i).info.parentRunId ?? at(i).tags[PARENT_RUN_TAG] ?? null),
    startTime,
    endTime,
    lifecycle,
    params,
    metrics,
    tags,
    datasets: datasetColumns(runs),
  };
}

function datasetColumns(runs: readonly PlainRun[]): DatasetColumns {
  const offsets = new Uint32Array(runs.length + 1);
  let total = 0;
  for (let i = 0; i < runs.length; i++) {
    offsets[i] = total;
    total += runs[i]!.datasets.length;
  }
  offsets[runs.length] = total;
  const name = new Int32Array(total);
  const digest = new Int32Array(total);
  const context = new Int32Array(total);
  const interner = new Interner();
  let j = 0;
  for (const r of runs) {
    for (const d of r.datasets) {
      name[j] = interner.code(d.name);
      digest[j] = interner.code(d.digest);
      context[j] = typeof d.context === 'string' ? interner.code(d.context) : -1;
      j++;
    }
  }
  return { offsets, name, digest, context, dict: interner.dict };
}

/** The value of a string column at row i, or null. */
export function stringAt(col: StringColumn, i: number): string | null {
  const c = col.codes[i]!;
  return c < 0 ? null : col.dict[c]!;
}

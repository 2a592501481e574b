/**
 * The columnar run table that search evaluates over: one or more experiments' runs as plain objects, arrays and typed
 * arrays only, so it crosses a worker boundary by structured clone (or by transfer of its `.buffer`s) and can be
 * cached as it is. `tableFromRows` builds it from the experiment index's rows (lib/run-index `IndexRow`, flat) and
 * `tableFromRuns` from plain run records (PlainRun, nested like lib/domain's Run) for tests and other callers.
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
  /** Dataset inputs (lib/domain's Run): searched as `datasets.name/digest/context`. */
  inputs?: readonly { dataset: { name: string; digest: string }; tags: Record<string, string> }[];
}

const PARENT_RUN_TAG = 'mlflow.parentRunId';
const CONTEXT_TAG = 'mlflow.data.context';

const datasetsOfInputs = (run: DomainRunLike): PlainDataset[] =>
  (run.inputs ?? []).map((i) => ({ name: i.dataset.name, digest: i.dataset.digest, context: Object.hasOwn(i.tags, CONTEXT_TAG) ? i.tags[CONTEXT_TAG]! : null }));

export function plainRunFromRun(run: DomainRunLike, datasets: PlainDataset[] = datasetsOfInputs(run)): PlainRun {
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

/**
 * One row of the experiment index, flat (lib/run-index's `IndexRow` has this shape; min/max/count of its metrics are
 * not searched). `tableFromRows` builds the table from these, `tableFromRuns` from PlainRun.
 */
export interface SearchRow extends Omit<PlainRunInfo, 'parentRunId'> {
  parentRunId: string | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, { latest: number }>;
  datasets: readonly PlainDataset[];
}

/** What the builder reads, so PlainRun and SearchRow share one builder without copying every row. */
interface RowSource {
  n: number;
  info(i: number): Omit<PlainRunInfo, 'parentRunId'>;
  parent(i: number): string | null;
  params(i: number): Record<string, string>;
  tags(i: number): Record<string, string>;
  metrics(i: number): Record<string, unknown>;
  metric(i: number, key: string): number | undefined;
  datasets(i: number): readonly PlainDataset[];
}

/** Keys in first-seen order, so the same runs always give the same column order. */
function keysOf(n: number, pick: (i: number) => Record<string, unknown>): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) for (const k of Object.keys(pick(i))) seen.add(k);
  return [...seen];
}

const own = (o: Record<string, unknown>, k: string) => Object.hasOwn(o, k);
const ownString = (o: Record<string, string>, k: string) => (Object.hasOwn(o, k) && typeof o[k] === 'string' ? o[k] : null);

export function tableFromRuns(runs: readonly PlainRun[]): RunTable {
  return build({
    n: runs.length,
    info: (i) => runs[i]!.info,
    parent: (i) => runs[i]!.info.parentRunId ?? ownString(runs[i]!.tags, PARENT_RUN_TAG),
    params: (i) => runs[i]!.params,
    tags: (i) => runs[i]!.tags,
    metrics: (i) => runs[i]!.metrics,
    metric: (i, k) => {
      const m = runs[i]!.metrics;
      return own(m, k) && typeof m[k] === 'number' ? m[k] : undefined;
    },
    datasets: (i) => runs[i]!.datasets,
  });
}

export function tableFromRows(rows: readonly SearchRow[]): RunTable {
  return build({
    n: rows.length,
    info: (i) => rows[i]!,
    parent: (i) => rows[i]!.parentRunId,
    params: (i) => rows[i]!.params,
    tags: (i) => rows[i]!.tags,
    metrics: (i) => rows[i]!.metrics,
    metric: (i, k) => {
      const m = rows[i]!.metrics;
      return own(m, k) && typeof m[k]?.latest === 'number' ? m[k].latest : undefined;
    },
    datasets: (i) => rows[i]!.datasets,
  });
}

function build(src: RowSource): RunTable {
  const n = src.n;
  const startTime = new Float64Array(n);
  const endTime = new Float64Array(n);
  const lifecycle = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const info = src.info(i);
    startTime[i] = info.startTime;
    endTime[i] = info.endTime ?? NaN;
    lifecycle[i] = info.lifecycleStage === 'deleted' ? LIFECYCLE_DELETED : LIFECYCLE_ACTIVE;
  }
  // Key columns are built when a filter or an order first reads them: a 10k-run table of 43 keys is searched on one or
  // two, and typing the first filter must not pay for all 43 (the same values either way; a clone reads them all).
  const params = keysOf(n, src.params).map((key) =>
    lazyColumn<ParamColumn>(key, ['codes', 'dict', 'numbers'], () => {
      const col = stringColumn(n, (i) => ownString(src.params(i), key));
      const numbers = new Float64Array(n);
      const dictNumbers = col.dict.map(paramNumber);
      for (let i = 0; i < n; i++) numbers[i] = col.codes[i]! < 0 ? NaN : dictNumbers[col.codes[i]!]!;
      return { key, ...col, numbers };
    }),
  );
  const tags = keysOf(n, src.tags).map((key) => lazyColumn<TagColumn>(key, ['codes', 'dict'], () => ({ key, ...stringColumn(n, (i) => ownString(src.tags(i), key)) })));
  const metrics = keysOf(n, src.metrics).map((key) =>
    lazyColumn<MetricColumn>(key, ['latest', 'present'], () => {
      const latest = new Float64Array(n);
      const present = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = src.metric(i, key);
        if (v !== undefined) {
          latest[i] = v;
          present[i] = 1;
        }
      }
      return { key, latest, present };
    }),
  );
  const info = src.info;
  return {
    version: TABLE_VERSION,
    rowCount: n,
    runId: stringColumn(n, (i) => info(i).runId),
    runName: stringColumn(n, (i) => info(i).runName),
    userId: stringColumn(n, (i) => info(i).userId),
    status: stringColumn(n, (i) => info(i).status),
    artifactUri: stringColumn(n, (i) => info(i).artifactUri),
    experimentId: stringColumn(n, (i) => info(i).experimentId),
    parentRunId: stringColumn(n, src.parent),
    startTime,
    endTime,
    lifecycle,
    params,
    metrics,
    tags,
    datasets: datasetColumns(n, src.datasets),
  };
}

/**
 * A column whose arrays (`fields`) are made on first read of any of them: enumerable getters, so structured clone and
 * `toEqual` see plain values. Its `key` is known at once.
 */
function lazyColumn<T extends { key: string }>(key: string, fields: readonly (keyof T & string)[], make: () => T): T {
  let made: T | undefined;
  const col = { key } as T;
  for (const f of fields) Object.defineProperty(col, f, { enumerable: true, configurable: true, get: () => (made ??= make())[f] });
  return col;
}

function datasetColumns(n: number, of: (i: number) => readonly PlainDataset[]): DatasetColumns {
  const offsets = new Uint32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = total;
    total += of(i).length;
  }
  offsets[n] = total;
  const name = new Int32Array(total);
  const digest = new Int32Array(total);
  const context = new Int32Array(total);
  const interner = new Interner();
  let j = 0;
  for (let i = 0; i < n; i++) {
    for (const d of of(i)) {
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

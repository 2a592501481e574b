import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { CairnError, LIFECYCLE_STAGES, RUN_STATUSES, type Lifecycle, type RunStatus } from '../domain';
import { setOwn, type IndexDataset, type IndexMetric, type IndexRow } from './rows';

/**
 * The index's bytes (SPEC.md IDX-4): a snapshot (every row) or a delta (rows changed and runs removed since a sequence
 * number) in one compact binary form, for the relay's SQLite, HTTP and IndexedDB alike.
 *
 *   varuint format, varString epoch, varuint fromSeq, varuint toSeq
 *   varuint n, n × varString          one dictionary for every string of the message (keys, values, names, ids)
 *   varuint rows, rows × row
 *   varuint removed, removed × varuint dictionary code of a run id
 *
 * A row: codes for run id, name, experiment id, user id; status and lifecycle as their index in the domain's lists;
 * the artifact URI as a flag (0: MLflow's default `mlflow-artifacts:/<experiment>/<run>/artifacts`, 1: a code
 * follows); parent run id code + 1 (0 = none); start time varuint; end time + 1 (0 = none); params and tags as
 * (key, value) code pairs; metrics as key code, latest, min, max (float64: NaN, ±Infinity and -0 survive) and count;
 * datasets as name, digest, context + 1 codes. Strings repeat across runs (keys, users, statuses, shared param
 * values), so the dictionary is what keeps a row small.
 */
export const INDEX_FORMAT = 1;

export interface IndexMessage {
  /** Which numbering `fromSeq`/`toSeq` belong to: a new index (a restarted relay) starts a new epoch (IDX-3). */
  epoch: string;
  fromSeq: number;
  toSeq: number;
  rows: IndexRow[];
  removed: string[];
}

class Dict {
  readonly list: string[] = [];
  private readonly codes = new Map<string, number>();
  code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.list.length;
      this.list.push(s);
      this.codes.set(s, c);
    }
    return c;
  }
}

const defaultArtifactUri = (r: { experimentId: string; runId: string }) => `mlflow-artifacts:/${r.experimentId}/${r.runId}/artifacts`;

function time(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new CairnError('INTERNAL_ERROR', `index row ${what} ${n} is not a time in ms`);
  return n;
}

export function encodeIndex(msg: IndexMessage): Uint8Array {
  const w = new IndexWriter(msg.epoch, msg.fromSeq, msg.toSeq);
  for (const r of msg.rows) w.row(r);
  for (const id of msg.removed) w.removed(id);
  return w.finish();
}

/**
 * The same bytes as `encodeIndex`, written row by row: a reader of 10k stored rows (the relay serving a snapshot)
 * never holds them all as objects, only the dictionary and the bytes so far.
 */
export class IndexWriter {
  private readonly dict = new Dict();
  private readonly rows = encoding.createEncoder();
  private readonly gone = encoding.createEncoder();
  private rowCount = 0;
  private removedCount = 0;

  constructor(
    private readonly epoch: string,
    private readonly fromSeq: number,
    private readonly toSeq: number,
  ) {}

  row(r: IndexRow): void {
    writeRow(this.rows, this.dict, r);
    this.rowCount++;
  }

  removed(runId: string): void {
    encoding.writeVarUint(this.gone, this.dict.code(runId));
    this.removedCount++;
  }

  finish(): Uint8Array {
    const out = encoding.createEncoder();
    encoding.writeVarUint(out, INDEX_FORMAT);
    encoding.writeVarString(out, this.epoch);
    encoding.writeVarUint(out, this.fromSeq);
    encoding.writeVarUint(out, this.toSeq);
    encoding.writeVarUint(out, this.dict.list.length);
    for (const s of this.dict.list) encoding.writeVarString(out, s);
    encoding.writeVarUint(out, this.rowCount);
    encoding.writeUint8Array(out, encoding.toUint8Array(this.rows));
    encoding.writeVarUint(out, this.removedCount);
    encoding.writeUint8Array(out, encoding.toUint8Array(this.gone));
    return encoding.toUint8Array(out);
  }
}

function writeRow(e: encoding.Encoder, dict: Dict, r: IndexRow): void {
  encoding.writeVarUint(e, dict.code(r.runId));
  encoding.writeVarUint(e, dict.code(r.runName));
  encoding.writeVarUint(e, dict.code(r.experimentId));
  encoding.writeVarUint(e, dict.code(r.userId));
  encoding.writeVarUint(e, RUN_STATUSES.indexOf(r.status));
  encoding.writeVarUint(e, LIFECYCLE_STAGES.indexOf(r.lifecycleStage));
  if (r.artifactUri === defaultArtifactUri(r)) encoding.writeVarUint(e, 0);
  else {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, dict.code(r.artifactUri));
  }
  encoding.writeVarUint(e, r.parentRunId === null ? 0 : dict.code(r.parentRunId) + 1);
  encoding.writeVarUint(e, time(r.startTime, 'start time'));
  encoding.writeVarUint(e, r.endTime === null ? 0 : time(r.endTime, 'end time') + 1);
  writePairs(e, dict, r.params);
  writePairs(e, dict, r.tags);
  const keys = Object.keys(r.metrics);
  encoding.writeVarUint(e, keys.length);
  for (const k of keys) {
    const m = r.metrics[k]!;
    encoding.writeVarUint(e, dict.code(k));
    encoding.writeFloat64(e, m.latest);
    encoding.writeFloat64(e, m.min);
    encoding.writeFloat64(e, m.max);
    encoding.writeVarUint(e, m.count);
  }
  encoding.writeVarUint(e, r.datasets.length);
  for (const d of r.datasets) {
    encoding.writeVarUint(e, dict.code(d.name));
    encoding.writeVarUint(e, dict.code(d.digest));
    encoding.writeVarUint(e, d.context === null ? 0 : dict.code(d.context) + 1);
  }
}

function writePairs(e: encoding.Encoder, dict: Dict, rec: Record<string, string>): void {
  const keys = Object.keys(rec);
  encoding.writeVarUint(e, keys.length);
  for (const k of keys) {
    encoding.writeVarUint(e, dict.code(k));
    encoding.writeVarUint(e, dict.code(rec[k]!));
  }
}

/** Decodes what `encodeIndex` wrote; anything else (another format, truncated, a code out of range) is DATA_LOSS. */
export function decodeIndex(bytes: Uint8Array): IndexMessage {
  try {
    const d = decoding.createDecoder(bytes);
    const format = decoding.readVarUint(d);
    if (format !== INDEX_FORMAT) throw new CairnError('DATA_LOSS', `index format ${format} is not ${INDEX_FORMAT}; rebuild the index`);
    const epoch = decoding.readVarString(d);
    const fromSeq = decoding.readVarUint(d);
    const toSeq = decoding.readVarUint(d);
    const n = decoding.readVarUint(d);
    if (n > bytes.length) throw new Error('dictionary size past the end');
    const dict: string[] = [];
    for (let i = 0; i < n; i++) dict.push(decoding.readVarString(d));
    const str = (c: number) => {
      const s = dict[c];
      if (s === undefined) throw new Error(`string code ${c} out of range`);
      return s;
    };
    const rows: IndexRow[] = [];
    const rowCount = decoding.readVarUint(d);
    const f64 = float64Reader(d);
    for (let i = 0; i < rowCount; i++) rows.push(readRow(d, str, f64));
    const removed: string[] = [];
    const removedCount = decoding.readVarUint(d);
    for (let i = 0; i < removedCount; i++) removed.push(str(decoding.readVarUint(d)));
    if (decoding.hasContent(d)) throw new Error('trailing bytes');
    return { epoch, fromSeq, toSeq, rows, removed };
  } catch (err) {
    if (err instanceof CairnError) throw err;
    throw new CairnError('DATA_LOSS', `index bytes cannot be read: ${(err as Error).message}`);
  }
}

function pick<T>(list: readonly T[], i: number, what: string): T {
  const v = list[i];
  if (v === undefined) throw new Error(`${what} ${i} out of range`);
  return v;
}

/**
 * lib0's `readFloat64` over one DataView of the whole message: lib0 makes a DataView per number, and a 10k-run index
 * holds 600k of them (~40 % of its decode time, most of it garbage collection).
 */
function float64Reader(d: decoding.Decoder): () => number {
  const view = new DataView(d.arr.buffer, d.arr.byteOffset, d.arr.byteLength);
  return () => {
    const at = d.pos;
    if (at + 8 > d.arr.length) throw new Error('unexpected end of the index bytes');
    d.pos = at + 8;
    // Big-endian, as lib0's writeFloat64 wrote it.
    return view.getFloat64(at, false);
  };
}

function readRow(d: decoding.Decoder, str: (c: number) => string, readFloat64: () => number): IndexRow {
  const runId = str(decoding.readVarUint(d));
  const runName = str(decoding.readVarUint(d));
  const experimentId = str(decoding.readVarUint(d));
  const userId = str(decoding.readVarUint(d));
  const status: RunStatus = pick(RUN_STATUSES, decoding.readVarUint(d), 'status');
  const lifecycleStage: Lifecycle = pick(LIFECYCLE_STAGES, decoding.readVarUint(d), 'lifecycle');
  const artifactUri = decoding.readVarUint(d) === 0 ? defaultArtifactUri({ experimentId, runId }) : str(decoding.readVarUint(d));
  const parent = decoding.readVarUint(d);
  const startTime = decoding.readVarUint(d);
  const end = decoding.readVarUint(d);
  const params = readPairs(d, str);
  const tags = readPairs(d, str);
  const metrics: Record<string, IndexMetric> = {};
  const metricCount = decoding.readVarUint(d);
  for (let i = 0; i < metricCount; i++) {
    const key = str(decoding.readVarUint(d));
    const m = { latest: readFloat64(), min: readFloat64(), max: readFloat64(), count: decoding.readVarUint(d) };
    setOwn(metrics, key, m);
  }
  const datasets: IndexDataset[] = [];
  const datasetCount = decoding.readVarUint(d);
  for (let i = 0; i < datasetCount; i++) {
    const name = str(decoding.readVarUint(d));
    const digest = str(decoding.readVarUint(d));
    const context = decoding.readVarUint(d);
    datasets.push({ name, digest, context: context === 0 ? null : str(context - 1) });
  }
  return {
    runId, runName, experimentId, userId, status, lifecycleStage, artifactUri,
    parentRunId: parent === 0 ? null : str(parent - 1),
    startTime,
    endTime: end === 0 ? null : end - 1,
    params, tags, metrics, datasets,
  };
}

function readPairs(d: decoding.Decoder, str: (c: number) => string): Record<string, string> {
  const out: Record<string, string> = {};
  const n = decoding.readVarUint(d);
  for (let i = 0; i < n; i++) {
    const k = str(decoding.readVarUint(d));
    setOwn(out, k, str(decoding.readVarUint(d)));
  }
  return out;
}

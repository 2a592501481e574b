import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { CairnError } from '../domain';

/**
 * The SDK's local journal: everything a caller was told is logged, kept until the relay has it.
 * Records (one append = one write, so a crashed process leaves whole records or a torn tail, which load() drops):
 *   update      a Yjs update of one doc, by its journal name: `ws` (the workspace doc), `run/<runId>` (a run doc),
 *               `run/<runId>/metrics` (its metric points). In format 1 `run/<runId>` held the points (format1.ts).
 *   points      metric points accepted by logMetric(s) but not yet turned into chunks, with a sequence number
 *   checkpoint  every points record with seq ≤ this is represented by update records before it
 *   blob        a blob waiting for upload (Node: the bytes live in <dir>/blobs/<sha256>)
 *   blobDone    that blob reached the relay
 *   dirty       (format 2) the named doc holds local changes the relay has not acknowledged (SDK-19, lib/engine ENG-3)
 *   clean       (format 2) the relay acknowledged everything the named doc held; the last of dirty/clean wins
 */
export const REC_UPDATE = 1;
export const REC_POINTS = 2;
export const REC_CHECKPOINT = 3;
export const REC_ACTOR = 4;
export const REC_BLOB = 5;
export const REC_BLOB_DONE = 6;
/** First record of every journal: the record format it was written in. */
export const REC_FORMAT = 7;
export const REC_DIRTY = 8;
export const REC_CLEAN = 9;
/** 2: lib/doc format 2 (run docs and metrics docs), with dirty/clean records. 1: runs in the workspace doc. */
export const JOURNAL_FORMAT = 2;

export interface PendingPoints {
  seq: number;
  runId: string;
  keys: string[];
  values: number[];
  steps: number[];
  timestamps: number[];
}

export interface JournalState {
  /** The format the records were written in (the highest format record; 1 for a journal with none), null if empty. */
  format: number | null;
  actor: string | null;
  updates: Map<string, Uint8Array[]>;
  points: PendingPoints[];
  lastSeq: number;
  /** The last checkpoint: points with seq ≤ this are chunks already. */
  checkpoint: number;
  pendingBlobs: Set<string>;
  /** Docs holding local changes not acknowledged by the relay (format 2). */
  dirty: Set<string>;
}

export interface Journal {
  load(): Promise<JournalState>;
  /** Appends records; in Node the write is done when this returns (survives a process crash). */
  append(records: Uint8Array[]): void;
  /** Resolves when every appended record is durable (Node: fsynced; browser: IndexedDB transaction committed). */
  durable(): Promise<void>;
  /**
   * Resolves when every appended record survives this process dying (Node: at once, `append` wrote it with writeSync;
   * browser: the IndexedDB transaction committed). What the doc engine waits for (its LocalLog's "stored").
   */
  stored(): Promise<void>;
  putBlob(sha256: string, bytes: Uint8Array): Promise<void>;
  getBlob(sha256: string): Promise<Uint8Array | null>;
  /** Rewrites the journal as the given records (snapshots), atomically. */
  rewrite(records: Uint8Array[]): Promise<void>;
  size(): number;
  close(): Promise<void>;
}

export function recUpdate(doc: string, update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, REC_UPDATE);
  encoding.writeVarString(e, doc);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

const utf8 = new TextEncoder();
/** Encoded key bytes, cached: the same few keys are logged millions of times. */
const keyBytes = new Map<string, Uint8Array>();
function keyUtf8(k: string): Uint8Array {
  let b = keyBytes.get(k);
  if (!b) {
    b = utf8.encode(k);
    if (keyBytes.size < 10_000) keyBytes.set(k, b);
  }
  return b;
}

/**
 * Points record, written on the hot path of logMetric(s), so it is hand-packed:
 *   type, varuint seq, varString runId, varuint n, u8 shared (1: one step/timestamp for all points),
 *   [f64 step, f64 ts] if shared, then per point: varuint keyLen, key, f64 value, [f64 step, f64 ts] if not shared.
 */
export function recPoints(p: PendingPoints): Uint8Array {
  const n = p.values.length;
  let shared = 1;
  for (let i = 1; i < n; i++) if (p.steps[i] !== p.steps[0] || p.timestamps[i] !== p.timestamps[0]) shared = 0;
  const run = keyUtf8(p.runId);
  let size = 32 + run.length + 16;
  const keys: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) {
    keys[i] = keyUtf8(p.keys[i]!);
    size += 5 + keys[i]!.length + (shared ? 8 : 24);
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let o = 0;
  const varuint = (v: number) => {
    while (v >= 0x80) {
      out[o++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    out[o++] = v;
  };
  const f64 = (v: number) => {
    dv.setFloat64(o, v, false);
    o += 8;
  };
  varuint(REC_POINTS);
  varuint(p.seq);
  varuint(run.length);
  out.set(run, o);
  o += run.length;
  varuint(n);
  out[o++] = shared;
  if (shared && n > 0) {
    f64(p.steps[0]!);
    f64(p.timestamps[0]!);
  }
  for (let i = 0; i < n; i++) {
    varuint(keys[i]!.length);
    out.set(keys[i]!, o);
    o += keys[i]!.length;
    f64(p.values[i]!);
    if (!shared) {
      f64(p.steps[i]!);
      f64(p.timestamps[i]!);
    }
  }
  return out.subarray(0, o);
}

export function recSimple(type: number, value: number | string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, type);
  if (typeof value === 'number') encoding.writeVarUint(e, value);
  else encoding.writeVarString(e, value);
  return encoding.toUint8Array(e);
}

/**
 * Folds records (in order) into the state a client resumes from. A journal this code cannot read (a newer format,
 * or a record that checksums but does not decode) is refused with a typed error and left untouched on disk: the
 * client must not start and then overwrite what it could not read.
 */
export function replay(records: Iterable<Uint8Array>, where: string): JournalState {
  try {
    return fold(records);
  } catch (e) {
    if (e instanceof CairnError) throw e;
    throw new CairnError('DATA_LOSS', `The Cairn journal at ${where} could not be read (${e instanceof Error ? e.message : String(e)}); it was left untouched. Use another data dir, or move this one aside.`);
  }
}

function fold(records: Iterable<Uint8Array>): JournalState {
  const st: JournalState = { format: null, actor: null, updates: new Map(), points: [], lastSeq: 0, checkpoint: 0, pendingBlobs: new Set(), dirty: new Set() };
  let checkpoint = 0;
  let any = false;
  for (const r of records) {
    any = true;
    const d = decoding.createDecoder(r);
    const type = decoding.readVarUint(d);
    if (type === REC_UPDATE) {
      const doc = decoding.readVarString(d);
      const u = decoding.readVarUint8Array(d);
      let list = st.updates.get(doc);
      if (!list) st.updates.set(doc, (list = []));
      list.push(u);
    } else if (type === REC_POINTS) {
      const seq = decoding.readVarUint(d);
      const runId = decoding.readVarString(d);
      const n = decoding.readVarUint(d);
      const p: PendingPoints = { seq, runId, keys: [], values: [], steps: [], timestamps: [] };
      const shared = decoding.readUint8(d) === 1;
      const step0 = shared && n > 0 ? decoding.readFloat64(d) : 0;
      const ts0 = shared && n > 0 ? decoding.readFloat64(d) : 0;
      for (let i = 0; i < n; i++) {
        p.keys.push(decoding.readVarString(d));
        p.values.push(decoding.readFloat64(d));
        p.steps.push(shared ? step0 : decoding.readFloat64(d));
        p.timestamps.push(shared ? ts0 : decoding.readFloat64(d));
      }
      st.points.push(p);
      st.lastSeq = Math.max(st.lastSeq, seq);
    } else if (type === REC_CHECKPOINT) {
      checkpoint = Math.max(checkpoint, decoding.readVarUint(d));
      st.lastSeq = Math.max(st.lastSeq, checkpoint);
    } else if (type === REC_ACTOR) {
      st.actor = decoding.readVarString(d);
    } else if (type === REC_BLOB) {
      st.pendingBlobs.add(decoding.readVarString(d));
    } else if (type === REC_BLOB_DONE) {
      st.pendingBlobs.delete(decoding.readVarString(d));
    } else if (type === REC_FORMAT) {
      const v = decoding.readVarUint(d);
      if (v > JOURNAL_FORMAT) throw new CairnError('INVALID_STATE', `This journal was written by a newer Cairn (format ${v}; this one reads ${JOURNAL_FORMAT}). Upgrade cairn.`);
      st.format = Math.max(st.format ?? 0, v);
    } else if (type === REC_DIRTY) {
      st.dirty.add(decoding.readVarString(d));
    } else if (type === REC_CLEAN) {
      st.dirty.delete(decoding.readVarString(d));
    } else {
      throw new Error(`unknown record type ${type}`);
    }
  }
  st.points = st.points.filter((p) => p.seq > checkpoint);
  st.checkpoint = checkpoint;
  // Journals from before the format record existed are format 1.
  if (any && st.format === null) st.format = 1;
  return st;
}

import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The SDK's local journal: everything a caller was told is logged, kept until the relay has it.
 * Records (one append = one write, so a crashed process leaves whole records or a torn tail, which load() drops):
 *   update      a Yjs update of one doc (workspace or run)
 *   points      metric points accepted by logMetric(s) but not yet turned into chunks, with a sequence number
 *   checkpoint  every points record with seq ≤ this is represented by update records before it
 *   blob        a blob waiting for upload (Node: the bytes live in <dir>/blobs/<sha256>)
 *   blobDone    that blob reached the relay
 */
export const REC_UPDATE = 1;
export const REC_POINTS = 2;
export const REC_CHECKPOINT = 3;
export const REC_ACTOR = 4;
export const REC_BLOB = 5;
export const REC_BLOB_DONE = 6;

export interface PendingPoints {
  seq: number;
  runId: string;
  keys: string[];
  values: number[];
  steps: number[];
  timestamps: number[];
}

export interface JournalState {
  actor: string | null;
  updates: Map<string, Uint8Array[]>;
  points: PendingPoints[];
  lastSeq: number;
  pendingBlobs: Set<string>;
}

export interface Journal {
  load(): Promise<JournalState>;
  /** Appends records; in Node the write is done when this returns (survives a process crash). */
  append(records: Uint8Array[]): void;
  /** Resolves when every appended record is durable (browser: IndexedDB transaction committed). */
  durable(): Promise<void>;
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

export function recPoints(p: PendingPoints): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, REC_POINTS);
  encoding.writeVarUint(e, p.seq);
  encoding.writeVarString(e, p.runId);
  encoding.writeVarUint(e, p.values.length);
  for (let i = 0; i < p.values.length; i++) {
    encoding.writeVarString(e, p.keys[i]!);
    encoding.writeFloat64(e, p.values[i]!);
    encoding.writeFloat64(e, p.steps[i]!);
    encoding.writeFloat64(e, p.timestamps[i]!);
  }
  return encoding.toUint8Array(e);
}

export function recSimple(type: number, value: number | string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, type);
  if (typeof value === 'number') encoding.writeVarUint(e, value);
  else encoding.writeVarString(e, value);
  return encoding.toUint8Array(e);
}

/** Folds records (in order) into the state a client resumes from. */
export function replay(records: Iterable<Uint8Array>): JournalState {
  const st: JournalState = { actor: null, updates: new Map(), points: [], lastSeq: 0, pendingBlobs: new Set() };
  let checkpoint = 0;
  for (const r of records) {
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
      for (let i = 0; i < n; i++) {
        p.keys.push(decoding.readVarString(d));
        p.values.push(decoding.readFloat64(d));
        p.steps.push(decoding.readFloat64(d));
        p.timestamps.push(decoding.readFloat64(d));
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
    }
  }
  st.points = st.points.filter((p) => p.seq > checkpoint);
  return st;
}

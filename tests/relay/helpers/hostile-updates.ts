import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { encodeEntries as encodeAwarenessEntries, type AwarenessEntry } from '../../../server/relay/awareness-gate';

/**
 * Hand-built Yjs v1 updates, as a hostile peer writes them: the stock library never produces these, so the relay's
 * defences can only be tested with bytes made by hand. Format (yjs encoding.js): per client a struct count, the
 * client id and the first clock, then each struct's info byte (content ref in the low 5 bits; 0x80 origin, 0x40 right
 * origin, 0x20 parentSub), its ids, parent and content; then the delete set.
 */

export type Id = readonly [client: number, clock: number];

export type RawStruct =
  | { kind: 'item'; origin?: Id; rightOrigin?: Id; parentRoot?: string; parentId?: Id; parentSub?: string; values: unknown[] }
  | { kind: 'gc'; length: number }
  | { kind: 'skip'; length: number };

export interface RawClientStructs {
  client: number;
  clock: number;
  structs: RawStruct[];
}

export interface RawDelete {
  client: number;
  ranges: [clock: number, len: number][];
}

const CONTENT_ANY = 8;
const SKIP = 10;

export function rawUpdate(clients: RawClientStructs[], deletes: RawDelete[] = []): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, clients.length);
  for (const c of clients) {
    encoding.writeVarUint(e, c.structs.length);
    encoding.writeVarUint(e, c.client);
    encoding.writeVarUint(e, c.clock);
    for (const s of c.structs) writeStruct(e, s);
  }
  encoding.writeVarUint(e, deletes.length);
  for (const d of deletes) {
    encoding.writeVarUint(e, d.client);
    encoding.writeVarUint(e, d.ranges.length);
    for (const [clock, len] of d.ranges) {
      encoding.writeVarUint(e, clock);
      encoding.writeVarUint(e, len);
    }
  }
  return encoding.toUint8Array(e);
}

function writeStruct(e: encoding.Encoder, s: RawStruct): void {
  if (s.kind === 'gc') {
    encoding.writeUint8(e, 0);
    encoding.writeVarUint(e, s.length);
    return;
  }
  if (s.kind === 'skip') {
    encoding.writeUint8(e, SKIP);
    encoding.writeVarUint(e, s.length);
    return;
  }
  const info = CONTENT_ANY | (s.origin ? 0x80 : 0) | (s.rightOrigin ? 0x40 : 0) | (s.parentSub !== undefined ? 0x20 : 0);
  encoding.writeUint8(e, info);
  if (s.origin) writeId(e, s.origin);
  if (s.rightOrigin) writeId(e, s.rightOrigin);
  if (!s.origin && !s.rightOrigin) {
    if (s.parentId) {
      encoding.writeVarUint(e, 0);
      writeId(e, s.parentId);
    } else {
      encoding.writeVarUint(e, 1);
      encoding.writeVarString(e, s.parentRoot ?? 'm');
    }
    if (s.parentSub !== undefined) encoding.writeVarString(e, s.parentSub);
  }
  encoding.writeVarUint(e, s.values.length);
  for (const v of s.values) encoding.writeAny(e, v as never);
}

function writeId(e: encoding.Encoder, [client, clock]: Id): void {
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, clock);
}

/** `[0, 2, update]`: a sync "update" frame. */
export function syncUpdateFrame(update: Uint8Array, sub = 2): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** Client id → next clock, from a state vector (as anyone with read access gets from GET /docs). */
export function clocksOf(update: Uint8Array): Map<number, number> {
  return Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update));
}

/** `[1, awareness update]` with hand-written entries (state is sent as given, JSON or not). */
export function awarenessFrame(entries: AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint8Array(e, encodeAwarenessEntries(entries));
  return encoding.toUint8Array(e);
}

/** Decodes an awareness frame from the relay: client id → parsed state (null = removed). */
export function readAwarenessFrame(frame: Uint8Array): Map<number, unknown> {
  const d = decoding.createDecoder(frame);
  if (decoding.readVarUint(d) !== 1) throw new Error('not an awareness frame');
  const inner = decoding.createDecoder(decoding.readVarUint8Array(d));
  const out = new Map<number, unknown>();
  const n = decoding.readVarUint(inner);
  for (let i = 0; i < n; i++) {
    const id = decoding.readVarUint(inner);
    decoding.readVarUint(inner);
    out.set(id, JSON.parse(decoding.readVarString(inner)));
  }
  return out;
}

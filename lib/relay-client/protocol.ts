/**
 * The wire protocol between the relay (server/relay) and its clients (this folder): the y-websocket messages plus
 * Cairn's flush ack, the auth notice with a machine-readable kind, and the close codes. One home for both sides.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';

/** y-websocket message types (first varuint of every frame). */
export const MSG_SYNC = 0;
export const MSG_AWARENESS = 1;
export const MSG_AUTH = 2;
export const MSG_QUERY_AWARENESS = 3;
/** Cairn extension: flush ack, see README "Flush acknowledgements". */
export const MSG_FLUSH = 100;
/**
 * Cairn extension, relay → client on a workspace room: an experiment's index moved to `seq` (of `epoch`), so a reader
 * holding an older copy asks `GET /index/...?since=` now instead of at its next poll. A client that does not know the
 * type ignores it.
 */
export const MSG_INDEX_CHANGED = 101;

export const SYNC_STEP1 = syncProtocol.messageYjsSyncStep1;
export const SYNC_STEP2 = syncProtocol.messageYjsSyncStep2;
export const SYNC_UPDATE = syncProtocol.messageYjsUpdate;

/** Flush ack statuses (server/relay/SPEC.md RELAY-5). */
export const FLUSH_PERSISTED = 0;
export const FLUSH_READ_ONLY = 1;
/** Some update this connection sent was refused (RELAY-24) and its data is not in the room yet: flush again later. */
export const FLUSH_INCOMPLETE = 2;

/** y-protocols/auth permission-denied value. */
const AUTH_PERMISSION_DENIED = 0;
/**
 * What an auth notice means, as a varuint after the reason (the stock provider reads the reason and ignores the rest):
 * a read-only connection stays and receives; an unauthenticated one is closed 4401 next.
 */
export const AUTH_READ_ONLY = 1;
export const AUTH_UNAUTHENTICATED = 2;
export type AuthKind = typeof AUTH_READ_ONLY | typeof AUTH_UNAUTHENTICATED;

/** WebSocket close codes; 4400-4499 tell the stock provider not to reconnect. */
export const CLOSE_BAD_REQUEST = 4400;
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_INTERNAL_ERROR = 1011;
/** Frame over the size limit (ws maxPayload, or a presence message over its own limit). */
export const CLOSE_TOO_BIG = 1009;
/** Over a per-token cap of connections or rooms (RELAY-29): the stock provider does not retry. */
export const CLOSE_TOO_MANY = 4429;

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

export const encodeSyncStep1 = (doc: Y.Doc): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    syncProtocol.writeSyncStep1(e, doc);
  });

export const encodeSyncStep2 = (doc: Y.Doc, stateVector: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    syncProtocol.writeSyncStep2(e, doc, stateVector);
  });

export const encodeSyncUpdate = (update: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    syncProtocol.writeUpdate(e, update);
  });

export const encodeAwareness = (awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MSG_AWARENESS);
    encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  });

export const encodePermissionDenied = (kind: AuthKind, reason: string): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MSG_AUTH);
    encoding.writeVarUint(e, AUTH_PERMISSION_DENIED);
    encoding.writeVarString(e, reason);
    encoding.writeVarUint(e, kind);
  });

/** The body of an auth notice after its message type, or null when it is not a permission-denied notice. */
export function readPermissionDenied(d: decoding.Decoder): { kind: AuthKind; reason: string } | null {
  if (decoding.readVarUint(d) !== AUTH_PERMISSION_DENIED) return null;
  const reason = decoding.readVarString(d);
  // No kind, or one this client does not know: the safe reading is "not allowed".
  const kind = decoding.hasContent(d) ? decoding.readVarUint(d) : AUTH_UNAUTHENTICATED;
  return { kind: kind === AUTH_READ_ONLY ? AUTH_READ_ONLY : AUTH_UNAUTHENTICATED, reason };
}

/** A flush ack's body after its message type. */
export function readFlushAck(d: decoding.Decoder): { reqId: number; status: number } {
  return { reqId: decoding.readVarUint(d), status: decoding.readVarUint(d) };
}

export const encodeFlushAck = (reqId: number, status: number): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MSG_FLUSH);
    encoding.writeVarUint(e, reqId);
    encoding.writeVarUint(e, status);
  });

export const encodeFlushRequest = (reqId: number): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MSG_FLUSH);
    encoding.writeVarUint(e, reqId);
  });

export const encodeIndexChanged = (experimentId: string, seq: number, epoch: string): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MSG_INDEX_CHANGED);
    encoding.writeVarString(e, experimentId);
    encoding.writeVarUint(e, seq);
    encoding.writeVarString(e, epoch);
  });

/** An index-changed notice's body after its message type. */
export function readIndexChanged(d: decoding.Decoder): { experimentId: string; seq: number; epoch: string } {
  return { experimentId: decoding.readVarString(d), seq: decoding.readVarUint(d), epoch: decoding.readVarString(d) };
}

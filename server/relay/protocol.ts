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

export const SYNC_STEP1 = syncProtocol.messageYjsSyncStep1;
export const SYNC_STEP2 = syncProtocol.messageYjsSyncStep2;
export const SYNC_UPDATE = syncProtocol.messageYjsUpdate;

/** Flush ack statuses. */
export const FLUSH_PERSISTED = 0;
export const FLUSH_READ_ONLY = 1;
/** Some update this connection sent was refused (RELAY-24) and its data is not in the room yet: flush again later. */
export const FLUSH_INCOMPLETE = 2;

/** y-protocols/auth permission-denied value. */
const AUTH_PERMISSION_DENIED = 0;

/** WebSocket close codes; 4400-4499 tell the stock provider not to reconnect. */
export const CLOSE_BAD_REQUEST = 4400;
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_INTERNAL_ERROR = 1011;
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

export const encodePermissionDenied = (reason: string): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MSG_AUTH);
    encoding.writeVarUint(e, AUTH_PERMISSION_DENIED);
    encoding.writeVarString(e, reason);
  });

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

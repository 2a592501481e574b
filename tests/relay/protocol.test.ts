import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { AUTH_READ_ONLY, AUTH_UNAUTHENTICATED, MSG_AUTH, encodePermissionDenied, readPermissionDenied } from '../../lib/relay-client/protocol';

const body = (frame: Uint8Array) => {
  const d = decoding.createDecoder(frame);
  expect(decoding.readVarUint(d)).toBe(MSG_AUTH);
  return d;
};

describe('wire protocol (lib/relay-client/protocol.ts, one module for relay and clients)', () => {
  it('[RELAY-11] the auth notice carries its kind as a code after the reason; the reason is free text', () => {
    expect(readPermissionDenied(body(encodePermissionDenied(AUTH_READ_ONLY, 'unauthenticated-looking text')))).toEqual({
      kind: AUTH_READ_ONLY,
      reason: 'unauthenticated-looking text',
    });
    expect(readPermissionDenied(body(encodePermissionDenied(AUTH_UNAUTHENTICATED, 'read-only, says the text')))).toEqual({
      kind: AUTH_UNAUTHENTICATED,
      reason: 'read-only, says the text',
    });
  });

  it('[RELAY-10] a notice without a kind, or with one unknown to the client, reads as unauthenticated', () => {
    const legacy = encoding.createEncoder();
    encoding.writeVarUint(legacy, MSG_AUTH);
    encoding.writeVarUint(legacy, 0);
    encoding.writeVarString(legacy, 'read-only token: updates are not accepted');
    expect(readPermissionDenied(body(encoding.toUint8Array(legacy)))?.kind).toBe(AUTH_UNAUTHENTICATED);
    const future = encoding.createEncoder();
    encoding.writeVarUint(future, MSG_AUTH);
    encoding.writeVarUint(future, 0);
    encoding.writeVarString(future, 'x');
    encoding.writeVarUint(future, 99);
    expect(readPermissionDenied(body(encoding.toUint8Array(future)))?.kind).toBe(AUTH_UNAUTHENTICATED);
  });
});

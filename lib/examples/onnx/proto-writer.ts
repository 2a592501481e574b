/**
 * A minimal protocol-buffers encoder (IRIS-7): exactly the wire types an ONNX ModelProto needs, no dependency.
 * Varint (wire type 0) for int32/int64/enum fields, length-delimited (wire type 2) for strings, bytes and nested
 * messages. Field numbers and types are the caller's (onnx-model.ts names them after onnx.proto).
 *
 * A message is built bottom-up: a nested message is encoded first and written as bytes, so every length is known when
 * it is written (protobuf has no end markers).
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const encoder = new TextEncoder();

/** Accumulates one message's bytes. */
export class ProtoWriter {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private key(field: number, wire: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`bad protobuf field number ${field}`);
    this.push(encodeVarint(BigInt(field) << 3n | BigInt(wire)));
  }

  /** An int32 / int64 / enum field. Negative values take ten bytes (two's complement as uint64), as protobuf says. */
  int(field: number, value: number | bigint): this {
    this.key(field, WIRE_VARINT);
    this.push(encodeVarint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  /** A `bytes` field (also a nested message's encoding, or a packed repeated field's payload). */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_LEN);
    this.push(encodeVarint(BigInt(value.length)));
    this.push(value);
    return this;
  }

  /** A `string` field, UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** A nested message, built by `build` on a fresh writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    return this.bytes(field, w.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Base-128 varint of an unsigned 64-bit value, least significant group first. */
export function encodeVarint(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`varint out of uint64 range: ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Uint8Array.from(out);
}

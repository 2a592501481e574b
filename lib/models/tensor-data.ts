/**
 * The typed arrays a batch hands to a runner (ONNX Runtime's tensor data types, web and Node alike): one home for
 * "which array holds which dtype" and for the range checks that make a conversion safe (MODEL-8, MODEL-9).
 */

/** Numeric numpy dtypes and their arrays. `float16` is held as its IEEE half bits in a Uint16Array (ORT's convention). */
export type NumericDtype = 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'float16' | 'float32' | 'float64';
export type TypedData = Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Uint32Array | BigUint64Array | Float32Array | Float64Array;

const INT_RANGE: Partial<Record<NumericDtype, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};
const FLOAT32_MAX = 3.4028234663852886e38;
const FLOAT16_MAX = 65504;

export function isNumericDtype(d: string): d is NumericDtype {
  return d in INT_RANGE || d === 'float16' || d === 'float32' || d === 'float64';
}
export const isIntegerDtype = (d: NumericDtype) => d in INT_RANGE;

/**
 * Whether a JSON number can be held by `dtype` without changing its meaning: integer dtypes take integers in range
 * (JSON integers beyond 2^53 are already rounded by the JSON reader, so int64/uint64 stop there); float dtypes take
 * any number that does not overflow to infinity (float32/float16 round to nearest, as numpy's cast does).
 */
export function fitsDtype(n: number, dtype: NumericDtype): boolean {
  const range = INT_RANGE[dtype];
  if (range) return Number.isInteger(n) && n >= range[0] && n <= range[1];
  if (!Number.isFinite(n)) return true;
  if (dtype === 'float32') return Math.abs(n) <= FLOAT32_MAX;
  if (dtype === 'float16') return Math.abs(n) <= FLOAT16_MAX;
  return true;
}

/** Numbers already checked with `fitsDtype` → the dtype's array. */
export function toTypedArray(values: number[], dtype: NumericDtype): TypedData {
  switch (dtype) {
    case 'int8':
      return Int8Array.from(values);
    case 'int16':
      return Int16Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'uint8':
      return Uint8Array.from(values);
    case 'uint16':
      return Uint16Array.from(values);
    case 'uint32':
      return Uint32Array.from(values);
    case 'uint64':
      return BigUint64Array.from(values, (v) => BigInt(v));
    case 'float16':
      return Uint16Array.from(values, toHalfBits);
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** IEEE 754 binary16 bits of a number, round to nearest even (via its float32 bits). */
export function toHalfBits(n: number): number {
  f32[0] = n;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa bumps the exponent, up to infinity (0x7c00): the bit layout makes that exact.
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

import { describe, expect, it } from 'vitest';
import { ChunkFormatError, chunkKey, concatSeries, decodeChunk, encodeChunk } from '@/lib/doc';

describe('[DOC-M4] chunk codec', () => {
  it('round-trips NaN, ±Infinity, -0, negative and huge steps, real timestamps', () => {
    const values = [NaN, Infinity, -Infinity, -0, 1e-300, 3.14159, -2.5e300];
    const steps = [0, 1, -5, 2 ** 53 - 1, -(2 ** 53 - 1), 7, 7];
    const ts = [1_700_000_000_000, 1_700_000_000_001, 0, 1_700_000_000_000, 2 ** 52, 5, 5];
    const b = encodeChunk('loss/train', steps, ts, values);
    const d = decodeChunk(b);
    expect(d.key).toBe('loss/train');
    expect(chunkKey(b)).toBe('loss/train');
    expect(Array.from(d.steps)).toEqual(steps);
    expect(Array.from(d.timestamps)).toEqual(ts);
    expect(d.values.length).toBe(values.length);
    for (let i = 0; i < values.length; i++) expect(Object.is(d.values[i], values[i])).toBe(true);
  });

  it('round-trips 1M points at about 10 bytes per point', () => {
    const n = 1_000_000;
    const steps = new Float64Array(n);
    const ts = new Float64Array(n);
    const vals = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      steps[i] = i;
      ts[i] = 1_700_000_000_000 + i * 3;
      vals[i] = Math.sin(i) * 1e3;
    }
    const b = encodeChunk('m', steps, ts, vals);
    expect(b.length / n).toBeLessThan(11);
    const d = decodeChunk(b);
    let mismatches = 0;
    for (let i = 0; i < n; i++) {
      if (d.steps[i] !== steps[i] || d.timestamps[i] !== ts[i] || d.values[i] !== vals[i]) mismatches++;
    }
    expect(d.values.length).toBe(n);
    expect(mismatches).toBe(0);
  });

  it('encodes a sub-range of columns', () => {
    const d = decodeChunk(encodeChunk('k', [1, 2, 3, 4], [1, 2, 3, 4], [10, 20, 30, 40], 1, 3));
    expect(Array.from(d.values)).toEqual([20, 30]);
    expect(Array.from(d.steps)).toEqual([2, 3]);
  });

  it('decodes every varint width the same, across the one- and two-byte fast paths and past them', () => {
    // Deltas at each zigzag width edge (1 byte: -64..63, 2 bytes: -8192..8191, then 3+ bytes up to ±2^52), then a
    // seeded mix, so the integer fast paths and the general loop must agree on every point.
    const edges = [0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, -8193, 2 ** 20, -(2 ** 31), 2 ** 31, 2 ** 40, -(2 ** 52), 2 ** 52];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const deltas = [...edges];
    for (let i = 0; i < 5000; i++) deltas.push(Math.round((rnd() - 0.5) * 2 ** Math.floor(rnd() * 50)));
    const steps: number[] = [];
    let at = 0;
    for (const d of deltas) steps.push((at += d));
    const ts = steps.map((_, i) => 1_700_000_000_000 + i * 37);
    const d = decodeChunk(encodeChunk('k', steps, ts, steps.map((_, i) => i)));
    expect(Array.from(d.steps)).toEqual(steps);
    expect(Array.from(d.timestamps)).toEqual(ts);
    // A two-byte varint cut after its first byte is truncation, not a short read.
    const two = encodeChunk('k', [0, 100], [0, 0], [1, 2]);
    const cut = two.subarray(0, two.length - 4); // drop the timestamps column (3 bytes) and the step's second byte
    expect(() => decodeChunk(cut)).toThrow(ChunkFormatError);
  });

  it('rejects truncated, trailing and unknown-format bytes with a typed error', () => {
    const b = encodeChunk('k', [1, 2], [1, 2], [1, 2]);
    expect(() => decodeChunk(b.subarray(0, b.length - 1))).toThrow(ChunkFormatError);
    expect(() => decodeChunk(new Uint8Array([...b, 0]))).toThrow(ChunkFormatError);
    expect(() => decodeChunk(new Uint8Array([99, 1, 2, 3]))).toThrow(ChunkFormatError);
    expect(() => decodeChunk(new Uint8Array([1, 200, 1]))).toThrow(ChunkFormatError);
  });

  it('concatenates parts and sorts by step only when out of order (stable)', () => {
    const a = decodeChunk(encodeChunk('k', [0, 1], [0, 0], [1, 2]));
    const b = decodeChunk(encodeChunk('k', [5, 1], [0, 9], [3, 4]));
    const s = concatSeries([a, b]);
    expect(Array.from(s.steps)).toEqual([0, 1, 1, 5]);
    expect(Array.from(s.values)).toEqual([1, 2, 4, 3]);
  });
});

describe('[DOC-M7] junk bytes', () => {
  it('chunkKey and decodeChunk refuse empty, truncated and foreign bytes instead of running past them', () => {
    const good = encodeChunk('loss', [1, 2], [3, 4], [5, 6]);
    const junk = [new Uint8Array(), new Uint8Array([1]), new Uint8Array([1, 0xff, 0xff]), new Uint8Array([1, 9, 9, 9]), new Uint8Array([7, 1, 0x6d]), good.subarray(0, 3)];
    for (const b of junk) {
      expect(() => chunkKey(b), `chunkKey [${[...b]}]`).toThrow(ChunkFormatError);
      expect(() => decodeChunk(b), `decodeChunk [${[...b]}]`).toThrow(ChunkFormatError);
    }
    expect(chunkKey(good)).toBe('loss');
  });
});

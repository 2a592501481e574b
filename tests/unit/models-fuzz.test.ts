import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '@/lib/domain';
import { enforceSchema, parseMLmodel, parseParamsJson, parseSchemaJson, readZip, writeZip, type Signature } from '@/lib/models';

/** mulberry32: a seeded generator, so a failure names a seed that replays it. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ROUNDS = Number(process.env.CAIRN_FUZZ_ROUNDS ?? 300);

function randomJson(r: () => number, depth = 0): unknown {
  const k = r();
  if (depth < 4 && k < 0.2) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
  if (depth < 4 && k < 0.35) {
    const keys = ['f1', 'f2', 'x', 'a', 'columns', 'data', 'inputs', 'instances', 'dataframe_split', 'dataframe_records', 'params', '__proto__'];
    return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [keys[Math.floor(r() * keys.length)]!, randomJson(r, depth + 1)]));
  }
  if (k < 0.5) return Math.floor(r() * 10) - 3;
  if (k < 0.6) return r() * 100 - 50;
  if (k < 0.7) return r() < 0.5;
  if (k < 0.8) return null;
  return ['a', '', '1', 'AAEC', '2024-01-01'][Math.floor(r() * 5)];
}

const SIGS: Signature[] = [
  { inputs: parseSchemaJson('[{"type": "double", "name": "f1", "required": true}, {"type": "long", "name": "f2", "required": false}]'), outputs: null, params: null },
  { inputs: parseSchemaJson('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2]}}]'), outputs: null, params: parseParamsJson('[{"name": "a", "default": 1, "shape": null, "type": "long"}]') },
  { inputs: parseSchemaJson('[{"name": "x", "type": "tensor", "tensor-spec": {"dtype": "int32", "shape": [-1]}}, {"name": "a", "type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1]}}]'), outputs: null, params: null },
  { inputs: parseSchemaJson('[{"type": "array", "items": {"type": "map", "values": {"type": "string"}}, "name": "a", "required": true}, {"type": "any", "name": "x", "required": false}]'), outputs: null, params: null },
  { inputs: parseSchemaJson('[{"type": "string", "required": true}, {"type": "binary", "required": true}]'), outputs: null, params: null },
];

describe('lib/models under hostile input', () => {
  it('[MODEL-13] any JSON body gives a batch or a CairnError, never another throw', () => {
    for (let seed = 1; seed <= ROUNDS; seed++) {
      const r = rng(seed);
      const formats = ['dataframe_split', 'dataframe_records', 'inputs', 'instances'];
      const body = r() < 0.8 ? { [formats[Math.floor(r() * 4)]!]: randomJson(r), ...(r() < 0.3 ? { params: randomJson(r) } : {}) } : randomJson(r);
      for (const sig of [...SIGS, null]) {
        try {
          enforceSchema(body, sig);
        } catch (e) {
          expect(e, `seed ${seed}: ${(e as Error).message}`).toBeInstanceOf(CairnError);
        }
      }
    }
  });

  it('[MODEL-13] any signature JSON gives a schema or a CairnError, never another throw', () => {
    const types = ['double', 'long', 'array', 'object', 'map', 'any', 'tensor', 'binary', 'nope'];
    for (let seed = 1; seed <= ROUNDS; seed++) {
      const r = rng(seed);
      const spec = () => ({ type: types[Math.floor(r() * types.length)], name: r() < 0.7 ? 'c' : undefined, required: r() < 0.8, items: r() < 0.3 ? { type: types[Math.floor(r() * types.length)] } : randomJson(r), values: randomJson(r), properties: r() < 0.3 ? { p: { type: 'long' } } : randomJson(r), 'tensor-spec': r() < 0.5 ? { dtype: 'float32', shape: [-1] } : randomJson(r), default: randomJson(r), shape: r() < 0.5 ? null : randomJson(r) });
      const text = JSON.stringify(r() < 0.8 ? Array.from({ length: 1 + Math.floor(r() * 3) }, spec) : randomJson(r));
      for (const parse of [parseSchemaJson, parseParamsJson]) {
        try {
          parse(text);
        } catch (e) {
          expect(e, `seed ${seed}: ${(e as Error).message}`).toBeInstanceOf(CairnError);
        }
      }
    }
  });

  it('[MODEL-13] a damaged MLmodel or zip gives a CairnError, never another throw', () => {
    const text = readFileSync(join(__dirname, 'fixtures/mlmodel-samples/sklearn-logreg/MLmodel'), 'utf8');
    const zip = writeZip(new Map([['MLmodel', new TextEncoder().encode(text)], ['model.onnx', new Uint8Array(300).fill(7)]]));
    const junk = ':{}[]\'"-#&*!|>%@`\n  \t0yn~';
    for (let seed = 1; seed <= ROUNDS; seed++) {
      const r = rng(seed);
      const chars = [...text];
      for (let i = 0; i < 1 + Math.floor(r() * 4); i++) chars.splice(Math.floor(r() * chars.length), Math.floor(r() * 3), junk[Math.floor(r() * junk.length)]!);
      try {
        parseMLmodel(chars.join(''));
      } catch (e) {
        expect(e, `seed ${seed}: ${(e as Error).message}`).toBeInstanceOf(CairnError);
      }
      const bad = zip.slice(0, zip.length - Math.floor(r() * 5));
      const at = Math.floor(r() * bad.length);
      bad[at] = bad[at]! ^ (1 << Math.floor(r() * 8));
      try {
        readZip(bad);
      } catch (e) {
        expect(e, `seed ${seed}: ${(e as Error).message}`).toBeInstanceOf(CairnError);
      }
    }
  });
});

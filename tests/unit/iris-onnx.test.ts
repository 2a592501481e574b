import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { defaultIrisParams, exportIrisOnnx, predictIris, trainIris, type IrisModelKind } from '@/lib/examples/iris';
import { encodeVarint, ProtoWriter } from '@/lib/examples/onnx/proto-writer';

/** A protobuf reader for the test's own checks: field number → list of raw values (varints as bigint, LEN as bytes). */
function readFields(buf: Uint8Array): Map<number, (bigint | Uint8Array)[]> {
  const out = new Map<number, (bigint | Uint8Array)[]>();
  let at = 0;
  const varint = () => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[at++]!;
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return v;
    }
  };
  while (at < buf.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Uint8Array;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const n = Number(varint());
      value = buf.subarray(at, at + n);
      at += n;
    } else throw new Error(`unexpected wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}
const text = (v: bigint | Uint8Array | undefined) => new TextDecoder().decode(v as Uint8Array);

const KINDS: IrisModelKind[] = ['logistic_regression', 'mlp'];
const trained = Object.fromEntries(KINDS.map((k) => [k, trainIris(defaultIrisParams(k))])) as Record<IrisModelKind, ReturnType<typeof trainIris>>;

describe('ONNX writer', () => {
  it('[IRIS-7] varints and fields are protobuf’s wire format, and the model header is ir 8 / ai.onnx 17 / producer cairn', () => {
    expect([...encodeVarint(0n)]).toEqual([0]);
    expect([...encodeVarint(300n)]).toEqual([0xac, 0x02]);
    expect([...encodeVarint((1n << 64n) - 1n)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    // A negative int64 is ten bytes of two's complement; a string is length-delimited.
    expect([...new ProtoWriter().int(3, -1).finish()]).toEqual([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect([...new ProtoWriter().string(2, 'hi').finish()]).toEqual([0x12, 2, 0x68, 0x69]);
    expect(() => encodeVarint(-1n)).toThrow(RangeError);

    const model = readFields(exportIrisOnnx(trained.mlp.model));
    expect(model.get(1)).toEqual([8n]); // ir_version
    expect(text(model.get(2)?.[0])).toBe('cairn'); // producer_name
    const opset = readFields(model.get(8)![0] as Uint8Array);
    expect(text(opset.get(1)?.[0])).toBe(''); // the default domain, ai.onnx
    expect(Number(opset.get(2)![0])).toBeGreaterThanOrEqual(13);
    expect(Number(opset.get(2)![0])).toBeLessThanOrEqual(17);
    const graph = readFields(model.get(7)![0] as Uint8Array);
    const ops = graph.get(1)!.map((n) => text(readFields(n as Uint8Array).get(4)![0]));
    expect(ops).toEqual(['Sub', 'Div', 'MatMul', 'Add', 'Relu', 'MatMul', 'Add', 'Softmax', 'ArgMax']);
    const input = readFields(graph.get(11)![0] as Uint8Array);
    expect(text(input.get(1)![0])).toBe('features');
    const tensorType = readFields(readFields(input.get(2)![0] as Uint8Array).get(1)![0] as Uint8Array);
    expect(tensorType.get(1)).toEqual([1n]); // float
    const dims = readFields(tensorType.get(2)![0] as Uint8Array).get(1)!.map((d) => readFields(d as Uint8Array));
    expect(text(dims[0]!.get(2)![0])).toBe('batch'); // dim_param: a dynamic batch
    expect(dims[1]!.get(1)).toEqual([4n]);
    const logreg = readFields(readFields(exportIrisOnnx(trained.logistic_regression.model)).get(7)![0] as Uint8Array);
    expect(logreg.get(1)!.map((n) => text(readFields(n as Uint8Array).get(4)![0]))).toEqual(['Sub', 'Div', 'MatMul', 'Add', 'Softmax', 'ArgMax']);
  });
});

/** Raw features of the held-out rows as the ONNX input takes them. */
function testInput(kind: IrisModelKind) {
  const x = Float32Array.from(trained[kind].test.features);
  return { x, n: x.length / 4 };
}

function expectSameOutputs(kind: IrisModelKind, probabilities: Float32Array, label: BigInt64Array): void {
  const { x } = testInput(kind);
  const ts = predictIris(trained[kind].model, x);
  expect(probabilities.length).toBe(ts.probabilities.length);
  let worst = 0;
  for (let i = 0; i < probabilities.length; i++) worst = Math.max(worst, Math.abs(probabilities[i]! - ts.probabilities[i]!));
  expect(worst, `${kind}: largest |onnx − ts|`).toBeLessThan(1e-5);
  expect(Array.from(label, Number)).toEqual([...ts.labels]);
  // The raw-feature model is the trained one: its labels score what training reported.
  const acc = ts.labels.filter((l, i) => l === trained[kind].test.labels[i]).length / ts.labels.length;
  expect(acc).toBe(trained[kind].testAccuracy);
}

describe('the exported model in real ONNX runtimes', () => {
  it('[IRIS-8] onnxruntime-node loads the bytes and gives the TypeScript forward pass’s outputs on raw test features', async () => {
    for (const kind of KINDS) {
      const session = await ortNode.InferenceSession.create(exportIrisOnnx(trained[kind].model));
      expect(session.inputNames).toEqual(['features']);
      expect(session.outputNames).toEqual(['probabilities', 'label']);
      const { x, n } = testInput(kind);
      const out = await session.run({ features: new ortNode.Tensor('float32', x, [n, 4]) });
      expect(out.probabilities!.dims).toEqual([n, 3]);
      expect(out.label!.dims).toEqual([n]);
      expect(out.label!.type).toBe('int64');
      expectSameOutputs(kind, out.probabilities!.data as Float32Array, out.label!.data as BigInt64Array);
      // The batch dimension is dynamic: one row runs too.
      const one = await session.run({ features: new ortNode.Tensor('float32', x.subarray(0, 4), [1, 4]) });
      expect(one.probabilities!.dims).toEqual([1, 3]);
      await session.release();
    }
  });

  it('[IRIS-8] onnxruntime-web (wasm backend, in Node) gives the same outputs', async () => {
    ortWeb.env.wasm.numThreads = 1;
    for (const kind of KINDS) {
      const session = await ortWeb.InferenceSession.create(exportIrisOnnx(trained[kind].model), { executionProviders: ['wasm'] });
      const { x, n } = testInput(kind);
      const out = await session.run({ features: new ortWeb.Tensor('float32', x, [n, 4]) });
      expectSameOutputs(kind, out.probabilities!.data as Float32Array, out.label!.data as BigInt64Array);
      await session.release();
    }
  });
});

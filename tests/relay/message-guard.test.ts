import { describe, expect, it } from 'vitest';
import { MessageSizeGuard } from '../../server/relay/message-guard';

/** A masked client frame (RFC 6455) as a browser sends it. */
function clientFrame(payload: Uint8Array, opts: { opcode?: number; fin?: boolean } = {}): Uint8Array {
  const { opcode = 2, fin = true } = opts;
  const len = payload.length;
  const ext = len < 126 ? [] : len < 65536 ? [len >> 8, len & 0xff] : [0, 0, 0, 0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff];
  const mask = [0x37, 0xfa, 0x21, 0x3d];
  const head = [(fin ? 0x80 : 0) | opcode, 0x80 | (len < 126 ? len : len < 65536 ? 126 : 127), ...ext, ...mask];
  const out = new Uint8Array(head.length + len);
  out.set(head);
  for (let i = 0; i < len; i++) out[head.length + i] = payload[i]! ^ mask[i % 4]!;
  return out;
}

const message = (type: number, size: number) => {
  const p = new Uint8Array(size).fill(7);
  p[0] = type;
  return p;
};
const LIMIT = 1000;
const limitFor = (t: number) => (t === 1 ? LIMIT : Infinity);

/** Feeds the stream in pieces of `piece` bytes; returns the refusal, if any. */
function feed(stream: Uint8Array[], piece: number): string | null {
  const all = Uint8Array.from(stream.flatMap((f) => [...f]));
  const g = new MessageSizeGuard(limitFor);
  for (let i = 0; i < all.length; i += piece) {
    const why = g.feed(all.subarray(i, i + piece));
    if (why) return why;
  }
  return null;
}

describe('[RELAY-27] message size guard', () => {
  for (const piece of [1, 3, 7, 125, 4096, 1 << 20]) {
    it(`passes big sync messages and small presence, refuses big presence (chunks of ${piece} B)`, () => {
      expect(feed([clientFrame(message(0, 70_000)), clientFrame(message(1, LIMIT)), clientFrame(new Uint8Array(2), { opcode: 9 })], piece)).toBeNull();
      expect(feed([clientFrame(message(0, 300)), clientFrame(message(1, LIMIT + 1))], piece)).toMatch(/type 1 is over 1000/);
      // Fragmented: the type is in the first fragment, the size adds up over the continuations.
      const first = clientFrame(message(1, 600), { fin: false });
      const ping = clientFrame(new Uint8Array(4), { opcode: 9 });
      const rest = clientFrame(new Uint8Array(600), { opcode: 0, fin: true });
      expect(feed([first, ping, rest], piece)).toMatch(/type 1/);
      expect(feed([clientFrame(message(0, 600), { fin: false }), rest], piece)).toBeNull();
    });
  }

  it('a 64-bit length header is read right (a giant presence message is refused before its payload)', () => {
    const g = new MessageSizeGuard(limitFor);
    const head = Uint8Array.from([0x82, 0x80 | 127, 0, 0, 0, 0, 0x04, 0, 0, 0, 1, 2, 3, 4]);
    expect(g.feed(head)).toBeNull();
    expect(g.feed(Uint8Array.from([1 ^ 1]))).toMatch(/type 1 is over/);
  });
});

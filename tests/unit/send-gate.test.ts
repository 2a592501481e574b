import { describe, expect, it } from 'vitest';
import { SendGate } from '@/lib/relay-client';

describe('SendGate (SDK-26: the journal before the wire)', () => {
  it('[SDK-26] sends wait while the gate is held and go out in order when the last hold ends, also when it threw', () => {
    const gate = new SendGate();
    const sent: string[] = [];
    gate.send(() => sent.push('free'));
    expect(sent).toEqual(['free']);
    gate.hold(() => {
      gate.send(() => sent.push('a'));
      gate.hold(() => gate.send(() => sent.push('b')));
      // The inner hold ended, the outer one did not: nothing goes yet (the journal append comes at the outer end).
      expect(sent).toEqual(['free']);
      sent.push('journal');
      gate.send(() => sent.push('c'));
    });
    expect(sent).toEqual(['free', 'journal', 'a', 'b', 'c']);
    expect(() =>
      gate.hold(() => {
        gate.send(() => sent.push('d'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(sent.at(-1)).toBe('d');
  });
});

import { describe, expect, it } from 'vitest';
import { suggestKeys, type TableKeys } from '@/lib/search/table-suggest';

const KEYS: TableKeys = { params: ['lr', 'layers', 'model name'], metrics: ['loss', 'val_loss', 'acc'], tags: ['team'] };
const apply = (text: string, s: { insert: string; from: number; to: number }) => text.slice(0, s.from) + s.insert + text.slice(s.to);

describe('filter key autocomplete (lib/search table-suggest.ts)', () => {
  it('[TABLE-3] a bare word offers prefixes and matching keys; a prefix offers its keys, quoted when needed', () => {
    expect(suggestKeys('me', 2, KEYS).map((s) => s.label)).toEqual(['metrics.']);
    expect(suggestKeys('l', 1, KEYS).map((s) => s.insert)).toEqual(['metrics.loss', 'params.lr', 'params.layers']);
    const after = suggestKeys('metrics.', 8, KEYS);
    expect(after.map((s) => s.insert)).toEqual(['metrics.loss', 'metrics.val_loss', 'metrics.acc']);
    expect(suggestKeys('metrics.lo', 10, KEYS).map((s) => s.insert)).toEqual(['metrics.loss', 'metrics.val_loss']);
    const text = "params.mo = 'x'";
    const [m] = suggestKeys(text, 9, KEYS);
    expect(apply(text, m!)).toBe("params.`model name` = 'x'");
    // In the middle of a longer filter, only the word under the caret is replaced.
    const long = 'metrics.acc > 1 and tags.te';
    expect(apply(long, suggestKeys(long, long.length, KEYS)[0]!)).toBe('metrics.acc > 1 and tags.team');
    expect(suggestKeys('attributes.st', 13, KEYS).map((s) => s.insert)).toEqual(['attributes.status', 'attributes.start_time']);
  });

  it('[TABLE-3] no suggestions on the value side of a comparison', () => {
    expect(suggestKeys('metrics.acc > 0', 15, KEYS)).toEqual([]);
    expect(suggestKeys("params.lr = lo", 14, KEYS)).toEqual([]);
  });
});

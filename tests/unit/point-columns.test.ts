import { describe, expect, it } from 'vitest';
import * as doc from '@/lib/doc';
import { CairnError, StepSchema, TimestampSchema, fastCheck } from '@/lib/domain';

const T = 1_700_000_000_000;
const codeOf = (f: () => void) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return e instanceof CairnError ? `${e.code}: ${e.message}` : `uncaught ${String(e)}`;
  }
};

describe('[DOC-M1] column-wise point validation (the SDK hot path) follows MetricPointSchema', () => {
  it('accepts what validatePoints accepts, NaN and ±Infinity included', () => {
    const values = [1, NaN, Infinity, -Infinity, -0];
    const keys = values.map(() => 'loss');
    expect(codeOf(() => doc.validatePointColumns(keys, values, values.map((_, i) => i), values.map(() => T)))).toBe('ok');
    expect(() => doc.validatePoints(values.map((value, step) => ({ key: 'loss', value, step, timestamp: T })))).not.toThrow();
  });

  it('the fast field checks accept exactly what their zod schemas accept (refinements included)', () => {
    const edges: unknown[] = [0, -1, 1.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), NaN, Infinity, -0, '1', null, undefined, 1e308, 5n];
    for (const schema of [StepSchema, TimestampSchema]) {
      const fast = fastCheck(schema);
      for (const v of edges) expect(fast(v), String(v)).toBe(schema.safeParse(v).success);
    }
  });

  it('refuses each bad field the way validatePoints does', () => {
    const cases: [string, unknown, unknown, unknown, unknown][] = [
      ['bad key', 'a//b', 1, 0, T],
      ['non-string key', 7, 1, 0, T],
      ['string value', 'loss', '1', 0, T],
      ['fractional step', 'loss', 1, 0.5, T],
      ['huge step', 'loss', 1, 2 ** 60, T],
      ['negative timestamp', 'loss', 1, 0, -1],
      ['fractional timestamp', 'loss', 1, 0, T + 0.5],
    ];
    for (const [label, key, value, step, timestamp] of cases) {
      const columns = codeOf(() => doc.validatePointColumns(['ok', key], [1, value], [0, step], [T, timestamp]));
      expect(columns, label).toMatch(/^INVALID_PARAMETER_VALUE: /);
      expect(codeOf(() => doc.validatePoints([{ key, value, step, timestamp }])), label).toMatch(/^INVALID_PARAMETER_VALUE: /);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { parseMetricLine } from '@/server/mlflow-io/file-store-source';
import { metricLines } from '@/server/mlflow-io/file-store-writer';
import { formatPythonFloat, parsePythonFloat } from '@/lib/domain/python-float';

describe('metric values as Python writes and reads them', () => {
  it('[MIO-10] values are written as Python’s str(float) and read back exactly', () => {
    const cases: [number, string][] = [
      [0.5, '0.5'], [1, '1.0'], [100, '100.0'], [-0, '-0.0'], [1e-5, '1e-05'], [0.0001, '0.0001'], [1e16, '1e+16'],
      [123456789012345680, '1.2345678901234568e+17'], [-2.5e-7, '-2.5e-07'], [0.1 + 0.2, '0.30000000000000004'],
      [1.7976931348623157e308, '1.7976931348623157e+308'], [5e-324, '5e-324'], [NaN, 'nan'], [Infinity, 'inf'], [-Infinity, '-inf'],
    ];
    for (const [v, text] of cases) {
      expect(formatPythonFloat(v), String(v)).toBe(text);
      expect(parsePythonFloat(text), text).toBe(v);
    }
    expect(metricLines([{ timestamp: 5, value: 2, step: 3 }, { timestamp: 6, value: NaN, step: -1 }])).toBe('5 2.0 3\n6 nan -1\n');
  });

  it('[MIO-1] [MIO-8] lines are read as FileStore reads them: float() spellings, step 0 when missing, anything else refused with a reason', () => {
    expect(parsePythonFloat(' Infinity ')).toBe(Infinity);
    expect(parsePythonFloat('-INF')).toBe(-Infinity);
    expect(parsePythonFloat('NaN')).toBeNaN();
    expect(parsePythonFloat('1_000.5')).toBe(1000.5);
    for (const bad of ['', '0x10', 'abc', '1__0', '_1', '1e', '--1']) expect(parsePythonFloat(bad), bad).toBeUndefined();
    expect(parseMetricLine('1700000000000 0.25')).toEqual({ timestamp: 1_700_000_000_000, value: 0.25, step: 0 });
    expect(parseMetricLine('1 nan 7\n')).toEqual({ timestamp: 1, value: NaN, step: 7 });
    expect(parseMetricLine('1 2 3 4')).toMatch(/expected "timestamp value step"/);
    expect(parseMetricLine('1.5 2 3')).toMatch(/bad timestamp/);
    expect(parseMetricLine('-1 2 3')).toMatch(/bad timestamp/);
    expect(parseMetricLine('1 two 3')).toMatch(/bad value/);
    expect(parseMetricLine('1 2 3.5')).toMatch(/bad step/);
    expect(parseMetricLine('1 2 99999999999999999999')).toMatch(/bad step/);
  });
});

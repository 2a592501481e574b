import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMLmodel, writeMLmodel } from '@/lib/models';
import { pyFloat, pyResolvesToNonString } from '@/lib/models/pyyaml';

/** Files PyYAML's safe_dump wrote (tests/unit/fixtures/pyyaml-dumps/make.py): tricky scalars, long signatures, random trees. */
const DIR = join(__dirname, 'fixtures/pyyaml-dumps');
const dumps = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

describe('lib/models PyYAML compatibility', () => {
  it('[MODEL-1] every PyYAML dump reads and writes back byte for byte', () => {
    expect(dumps.length).toBeGreaterThanOrEqual(10);
    for (const f of dumps) {
      const text = readFileSync(join(DIR, f), 'utf8');
      expect(writeMLmodel(parseMLmodel(text)), f).toBe(text);
    }
  });

  it('[MODEL-1] strings PyYAML reads as strings stay strings (y, n, 1e-10, 09 are not YAML 1.1 types to PyYAML)', () => {
    const m = parseMLmodel(readFileSync(join(DIR, 'scalars.yaml'), 'utf8'));
    for (const [k, v] of Object.entries(m.metadata!)) expect(v, k).toBe(k);
    const typed = parseMLmodel('flavors: {}\nmetadata:\n  a: y\n  b: 1e-10\n  c: 09\n  d: yes\n  e: 1.5e+3\n  f: 0x1F\n  g: 1_000\n  h: .inf\n  i: 1:30\n');
    expect(typed.metadata).toEqual({ a: 'y', b: '1e-10', c: '09', d: true, e: 1500, f: 31, g: 1000, h: Infinity, i: 90 });
    expect(pyResolvesToNonString('y')).toBe(false);
    expect(pyResolvesToNonString('Yes')).toBe(true);
    expect(pyResolvesToNonString('')).toBe(true);
  });

  it('[MODEL-1] floats are written as Python repr through PyYAML (1.0e-10, .inf, -0.0)', () => {
    expect([1.5, 1e-10, 3.3e-5, 0.1, 123.456, -2.25, 1.5e-12, Infinity, -Infinity, NaN, -0].map(pyFloat)).toEqual([
      '1.5', '1.0e-10', '3.3e-05', '0.1', '123.456', '-2.25', '1.5e-12', '.inf', '-.inf', '.nan', '-0.0',
    ]);
    expect(writeMLmodel({ flavors: {}, metadata: { big: 2 ** 70, small: 5e-7 } })).toBe('flavors: {}\nmetadata:\n  big: 1180591620717411303424\n  small: 5.0e-07\n');
  });
});

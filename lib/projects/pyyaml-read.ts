/**
 * YAML read as PyYAML's `safe_load` reads it (MLflow reads MLproject with it), and scalars turned to text as Python's
 * `str()` would (MLflow formats every parameter value with `str`). PROJ-S3.
 *
 * The resolver table repeats lib/models/pyyaml.ts on purpose: lib/projects may import only lib/domain
 * (scripts/layers.json), and the table is PyYAML's, not ours, so the two copies cannot drift apart in meaning.
 */
import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';

/** PyYAML's implicit resolvers (yaml/resolver.py). Timestamps are left out: a date stays the text it was written as. */
const PY_RESOLVERS: Record<string, RegExp> = {
  bool: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  float: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  int: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  merge: /^(?:<<)$/,
  null: /^(?:~|null|Null|NULL|)$/,
};

type Tag = { tag: string; test?: RegExp };

/** yaml-library options that read YAML as PyYAML's safe_load: YAML 1.1 types narrowed to PyYAML's patterns. */
export const PY_YAML_READ: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  intAsBigInt: true,
  uniqueKeys: false,
  customTags: (tags) =>
    (tags as Tag[])
      .filter((t) => t.tag !== 'tag:yaml.org,2002:timestamp')
      .map((t) => {
        const kind = /^tag:yaml\.org,2002:(bool|int|float|merge|null)$/.exec(t.tag)?.[1];
        if (!kind || !t.test) return t;
        // Both must match: the library's own pattern (its resolve relies on it) and PyYAML's.
        return { ...t, test: new RegExp(`(?=${PY_RESOLVERS[kind]!.source})${t.test.source}`) };
      }) as never,
};

/** Python's `repr(float)` (= `str` in Python 3): shortest round-trip digits, `1e-05`, `10.0`, `inf`, `-0.0`. */
export function pyFloatStr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Object.is(n, -0)) return '-0.0';
  const [mant, expStr] = n.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  // Python switches to exponent form below 1e-4 and from 1e16; JavaScript at 1e-7 and 1e21.
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const digits = mant.replace('-', '').replace('.', '');
  const sign = n < 0 ? '-' : '';
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${int}.${frac || '0'}`;
}

/**
 * Python's `str()` of what PyYAML made of a scalar: `True`/`False`, ints exactly, floats as repr. `null` → undefined
 * (MLflow reads a `None` default as "no default"). Anything else (bytes from `!!binary`, sets) is not a scalar here.
 */
export function pyStr(value: unknown): string | undefined | { notScalar: string } {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return value.toString();
  // With intAsBigInt every YAML int is a bigint, so a number is always a Python float (`10.0` → '10.0').
  if (typeof value === 'number') return pyFloatStr(value);
  return { notScalar: Object.prototype.toString.call(value).slice(8, -1) };
}

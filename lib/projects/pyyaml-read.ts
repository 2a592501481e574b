/**
 * YAML read as PyYAML's `safe_load` reads it (MLflow reads MLproject with it), and scalars turned to text as Python's
 * `str()` would (MLflow formats every parameter value with `str`). PROJ-S3.
 *
 * PyYAML's resolver table is lib/models/pyyaml.ts's (the MLmodel reader's); Python's float text is lib/domain's.
 * Timestamps are left out here: a date stays the text it was written as.
 */
import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';
import { formatPythonFloat } from '../domain/python-float';
import { PY_RESOLVERS } from '../models/pyyaml';

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
  if (typeof value === 'number') return formatPythonFloat(value);
  return { notScalar: Object.prototype.toString.call(value).slice(8, -1) };
}

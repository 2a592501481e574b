/**
 * Filter evaluation over a RunTable's columns (SPEC SEARCH-10..15). Each comparison fills a byte mask over all rows
 * in one tight loop over typed arrays; a string predicate runs once per DISTINCT value (the column's dictionary),
 * then rows look their code up. AND/OR/NOT combine masks. The filter must have passed `checkFilter`.
 */
import { attributeColumn } from './filter-ast';
import type { Comparison, Filter } from './filter-ast';
import type { RunTable, StringColumn } from './columns';

export type StringPredicate = (s: string) => boolean;

/** SQL LIKE: `%` any run of characters, `_` exactly one (a code point); nothing else is special, no escape. */
export function likeRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let src = '';
  for (const ch of caseInsensitive ? pattern.toLowerCase() : pattern) {
    if (ch === '%') src += '[\\s\\S]*';
    else if (ch === '_') src += '[\\s\\S]';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 'u');
}

/** MLflow drops IN values that are not lower case (`str.islower()`), because MySQL's IN ignores case. */
export const isLowerCase = (s: string) => s !== s.toUpperCase() && s === s.toLowerCase();

export function stringPredicate(c: Comparison): StringPredicate {
  const v = c.value;
  if (v.type === 'list') {
    const set = new Set(c.entity === 'attribute' ? v.values.filter(isLowerCase) : v.values);
    return c.comparator === 'IN' ? (s) => set.has(s) : (s) => !set.has(s);
  }
  if (v.type !== 'string') throw new Error(`string predicate on a ${v.type} value`);
  const x = v.value;
  switch (c.comparator) {
    case '=':
      return (s) => s === x;
    case '!=':
      return (s) => s !== x;
    case 'LIKE': {
      const re = likeRegExp(x, false);
      return (s) => re.test(s);
    }
    case 'ILIKE': {
      const re = likeRegExp(x, true);
      return (s) => re.test(s.toLowerCase());
    }
  }
  throw new Error(`unchecked comparator ${c.comparator}`);
}

type NumCmp = (a: number, b: number) => boolean;
const NUM: Record<string, NumCmp> = {
  '=': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
};

function numberValue(c: Comparison): number {
  if (c.value.type !== 'number') throw new Error('numeric comparison without a number');
  return c.value.value;
}

/** Rows whose string is present and satisfies `pred`: the predicate runs once per dictionary entry. */
function stringMask(col: StringColumn, pred: StringPredicate, out: Uint8Array): void {
  const hit = new Uint8Array(col.dict.length);
  for (let j = 0; j < col.dict.length; j++) hit[j] = pred(col.dict[j]!) ? 1 : 0;
  const codes = col.codes;
  for (let i = 0; i < out.length; i++) {
    const code = codes[i]!;
    out[i] = code >= 0 ? hit[code]! : 0;
  }
}

function presenceMask(col: StringColumn | undefined, wantPresent: boolean, out: Uint8Array): void {
  if (!col) {
    out.fill(wantPresent ? 0 : 1);
    return;
  }
  for (let i = 0; i < out.length; i++) out[i] = (col.codes[i]! >= 0) === wantPresent ? 1 : 0;
}

/** Missing (NaN in `values`, or `present[i] === 0`) never matches; a present NaN follows IEEE (only `!=` holds). */
function numberMask(values: Float64Array, present: Uint8Array | null, cmp: NumCmp, x: number, out: Uint8Array): void {
  for (let i = 0; i < out.length; i++) {
    const a = values[i]!;
    const has = present ? present[i] === 1 : a === a;
    out[i] = has && cmp(a, x) ? 1 : 0;
  }
}

function datasetMask(t: RunTable, c: Comparison, out: Uint8Array): void {
  const d = t.datasets;
  const field = c.key === 'name' ? d.name : c.key === 'digest' ? d.digest : d.context;
  const pred = stringPredicate(c);
  const hit = new Uint8Array(d.dict.length);
  for (let j = 0; j < d.dict.length; j++) hit[j] = pred(d.dict[j]!) ? 1 : 0;
  for (let i = 0; i < out.length; i++) {
    let m = 0;
    for (let j = d.offsets[i]!, end = d.offsets[i + 1]!; j < end && m === 0; j++) {
      const code = field[j]!;
      if (code >= 0) m = hit[code]!;
    }
    out[i] = m;
  }
}

const ATTRIBUTE_STRING: Record<string, (t: RunTable) => StringColumn> = {
  run_id: (t) => t.runId,
  run_name: (t) => t.runName,
  user_id: (t) => t.userId,
  status: (t) => t.status,
  artifact_uri: (t) => t.artifactUri,
};

function comparisonMask(t: RunTable, c: Comparison, out: Uint8Array): void {
  switch (c.entity) {
    case 'metric': {
      const col = t.metrics.find((m) => m.key === c.key);
      if (!col) return void out.fill(0);
      return numberMask(col.latest, col.present, NUM[c.comparator]!, numberValue(c), out);
    }
    case 'parameter':
    case 'tag': {
      const param = c.entity === 'parameter' ? t.params.find((p) => p.key === c.key) : undefined;
      const col = c.entity === 'parameter' ? param : t.tags.find((p) => p.key === c.key);
      if (c.comparator === 'IS NULL' || c.comparator === 'IS NOT NULL') return presenceMask(col, c.comparator === 'IS NOT NULL', out);
      if (!col) return void out.fill(0);
      // SEARCH-14: a non-numeric (or missing) param has NaN here and never matches, not even `!=`.
      if (param && c.value.type === 'number') return numberMask(param.numbers, null, NUM[c.comparator]!, numberValue(c), out);
      return stringMask(col, stringPredicate(c), out);
    }
    case 'attribute': {
      const a = attributeColumn(c.key);
      if (a === 'start_time' || a === 'end_time') {
        return numberMask(a === 'start_time' ? t.startTime : t.endTime, null, NUM[c.comparator]!, numberValue(c), out);
      }
      return stringMask(ATTRIBUTE_STRING[a]!(t), stringPredicate(c), out);
    }
    case 'dataset':
      return datasetMask(t, c, out);
  }
}

/** The filter's mask over every row of the table (1 = matches). */
export function filterMask(t: RunTable, f: Filter): Uint8Array {
  const out = new Uint8Array(t.rowCount);
  if (f === null) return out.fill(1);
  if (f.kind === 'compare') {
    comparisonMask(t, f, out);
    return out;
  }
  if (f.kind === 'not') {
    const m = filterMask(t, f.arg);
    for (let i = 0; i < out.length; i++) out[i] = m[i]! ^ 1;
    return out;
  }
  out.set(filterMask(t, f.args[0]!));
  for (let k = 1; k < f.args.length; k++) {
    const m = filterMask(t, f.args[k]!);
    if (f.kind === 'and') for (let i = 0; i < out.length; i++) out[i] = out[i]! & m[i]!;
    else for (let i = 0; i < out.length; i++) out[i] = out[i]! | m[i]!;
  }
  return out;
}

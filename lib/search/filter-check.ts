/**
 * Which comparator each target takes (SPEC SEARCH-6..9). MLflow checks this when it evaluates a filter, so a filter
 * can parse and still be refused; `validateFilter` does both steps for the filter box.
 */
import { isNumericAttributeKey } from './filter-ast';
import type { Comparison, Filter, Parsed, SearchError } from './filter-ast';
import { parseFilter, type ParseOptions } from './filter-parse';

const NUMERIC = ['=', '!=', '>', '>=', '<', '<='];
const STRING = ['=', '!=', 'LIKE', 'ILIKE'];
const NULLS = ['IS NULL', 'IS NOT NULL'];
const LISTS = ['IN', 'NOT IN'];

function allowed(c: Comparison): string[] {
  switch (c.entity) {
    case 'metric':
      return NUMERIC;
    case 'parameter':
      return c.value.type === 'number' ? NUMERIC : [...STRING, ...NULLS];
    case 'tag':
      return [...STRING, ...NULLS];
    case 'attribute':
      if (isNumericAttributeKey(c.key)) return NUMERIC;
      return c.key === 'run_id' ? [...STRING, ...LISTS] : STRING;
    case 'dataset':
      return [...STRING, ...LISTS];
  }
}

function hint(c: Comparison): string {
  if (c.entity === 'parameter' && c.value.type === 'string' && NUMERIC.includes(c.comparator)) {
    return `. To compare a param as a number, write the number without quotes: params.${c.key} ${c.comparator} ${c.value.value || '0.001'}`;
  }
  if (c.comparator === '==') return ". Use '=' for equality";
  if (c.comparator === '<>') return ". Use '!=' for inequality";
  return '';
}

export function checkComparison(c: Comparison): SearchError | null {
  const ok = allowed(c);
  const isList = c.value.type === 'list';
  if (isList !== LISTS.includes(c.comparator) && ok.includes(c.comparator)) {
    return {
      code: 'INVALID_PARAMETER_VALUE', field: 'filter',
      message: `Invalid comparator '${c.comparator}' for a list of values: use IN or NOT IN`,
      ...c.comparatorSpan,
    };
  }
  if (ok.includes(c.comparator)) return null;
  const target = c.entity === 'attribute' ? `attribute '${c.key}'` : c.entity === 'parameter' && c.value.type === 'number' ? 'a numeric param comparison' : `${c.entity}s`;
  return {
    code: 'INVALID_PARAMETER_VALUE',
    field: 'filter',
    message: `Invalid comparator '${c.comparator}' for ${target}: not one of ${ok.join(' ')}${hint(c)}`,
    ...c.comparatorSpan,
  };
}

export function checkFilter(f: Filter): SearchError | null {
  if (f === null) return null;
  switch (f.kind) {
    case 'compare':
      return checkComparison(f);
    case 'not':
      return checkFilter(f.arg);
    default:
      for (const a of f.args) {
        const e = checkFilter(a);
        if (e) return e;
      }
      return null;
  }
}

/** Parse, then check comparators: every error a search would give for this filter text, with its position. */
export function validateFilter(text: string, options: ParseOptions = {}): Parsed<Filter> {
  const p = parseFilter(text, options);
  if (!p.ok) return p;
  const e = checkFilter(p.value);
  return e ? { ok: false, error: e } : p;
}

import { invalid } from '../domain';
import { likeRegExp } from './evaluate';
import { tokenize, unquote, type Token } from './filter-lexer';

/**
 * The conjunction filters of MLflow's smaller searches (search_experiments, search_registered_models,
 * search_model_versions, search_logged_models; reference §2.2): `<identifier> <comparator> <value>` clauses joined by
 * AND (any case), the identifier an attribute (`attribute.`/`attr.` prefix optional) or `tag.<key>` / `tags.<key>`,
 * keys bare, quoted or backticked, tokenised by the runs grammar's lexer (sqlparse's boundaries). Each search names its
 * attributes, their comparators and value kinds (`AttrRule`); errors are MLflow's words
 * ("Invalid comparator for attribute: ===", "Invalid clause(s) in filter string: 'OR'").
 */

type Value = string | number | string[];
interface Clause {
  entity: 'attribute' | 'tag';
  key: string;
  op: string;
  value: Value;
}

export const STRING_OPS = ['=', '!=', 'LIKE', 'ILIKE'];
export const NUMBER_OPS = ['=', '!=', '>', '>=', '<', '<='];

/** What an attribute of a kind accepts: its comparators and whether its value is a number or a list. */
export interface AttrRule {
  ops: readonly string[];
  value: 'string' | 'number';
}
const isString = (t: Token | undefined) => t !== undefined && (t.kind === 'single' || t.kind === 'double');

/** A filter → clauses, or INVALID_PARAMETER_VALUE in MLflow's words. */
function parseClauses(text: string, attrs: Record<string, AttrRule>): Clause[] {
  if (text.trim() === '') return [];
  const lexed = tokenize(text);
  if (!lexed.ok) throw invalid(`Invalid filter '${text}': ${lexed.error.message}`);
  const t = lexed.tokens.filter((x) => x.kind !== 'eof');
  const out: Clause[] = [];
  let i = 0;
  const bad = (why: string) => invalid(`Invalid filter '${text}': ${why}`);
  while (i < t.length) {
    let entity: Clause['entity'] = 'attribute';
    let first = t[i++]!;
    if (t[i]?.kind === 'dot') {
      const e = first.kind === 'backtick' ? unquote(first) : first.text;
      const lower = e.toLowerCase();
      if (lower === 'tag' || lower === 'tags') entity = 'tag';
      else if (!['attribute', 'attributes', 'attr'].includes(lower)) throw invalid(`Invalid entity type '${e}'. Valid values are ['tag', 'attribute']`);
      i++;
      const k = t[i++];
      if (!k) throw bad('expected a key after the dot');
      first = k;
    }
    const key = first.kind === 'word' ? first.text : ['single', 'double', 'backtick'].includes(first.kind) ? unquote(first) : null;
    if (key === null) throw invalid(`Invalid filter '${text}'. Expected 'Identifier' found '${first.text}'`);
    const opTok = t[i++];
    if (!opTok) throw bad(`expected a comparator after '${key}'`);
    let op = opTok.kind === 'op' ? opTok.text : opTok.kind === 'word' ? opTok.text.toUpperCase() : opTok.text;
    if (op === 'NOT' && t[i]?.kind === 'word' && t[i]!.text.toUpperCase() === 'IN') {
      op = 'NOT IN';
      i++;
    }
    if (entity === 'tag') {
      if (!STRING_OPS.includes(op)) throw invalid(`Invalid comparator for tag: ${op}`);
      const v = t[i++];
      if (!isString(v)) throw invalid(`Invalid filter '${text}': tag values must be quoted strings ('value' or "value")`);
      out.push({ entity, key, op, value: unquote(v!) });
    } else {
      const rule = attrs[key];
      if (!rule) throw invalid(`Invalid attribute key '${key}' specified. Valid keys are '${Object.keys(attrs).join("', '")}'`);
      if (!rule.ops.includes(op)) throw invalid(`Invalid comparator for attribute: ${op}`);
      if (op === 'IN') {
        if (t[i++]?.kind !== 'lparen') throw bad(`expected a parenthesised list of quoted strings after IN`);
        const list: string[] = [];
        for (;;) {
          const v = t[i++];
          if (!isString(v)) throw bad('IN takes a list of quoted strings');
          list.push(unquote(v!));
          const sep = t[i++];
          if (sep?.kind === 'rparen') break;
          if (sep?.kind !== 'comma') throw bad('expected , or ) in the IN list');
        }
        out.push({ entity, key, op, value: list });
      } else if (rule.value === 'number') {
        const v = t[i++];
        const n = v?.kind === 'number' ? Number(v.text) : isString(v) && /^\s*-?\d+\s*$/.test(unquote(v!)) ? Number(unquote(v!)) : NaN;
        if (!Number.isFinite(n)) throw invalid(`Invalid filter '${text}': expected an integer value for ${key}, got '${v?.text ?? ''}'`);
        out.push({ entity, key, op, value: n });
      } else {
        const v = t[i++];
        if (!isString(v)) throw invalid(`Invalid filter '${text}': ${key} values must be quoted strings ('value' or "value")`);
        out.push({ entity, key, op, value: unquote(v!) });
      }
    }
    const sep = t[i];
    if (sep === undefined) break;
    if (sep.kind !== 'word' || sep.text.toLowerCase() !== 'and') throw invalid(`Invalid clause(s) in filter string: '${sep.text}'`);
    i++;
    if (i >= t.length) throw bad('expected a clause after AND');
  }
  return out;
}

/** A string comparison of one clause, its LIKE pattern compiled once (not once per row). */
function stringTest(op: string, want: string, missingMatchesNotEqual: boolean): (have: string | undefined) => boolean {
  if (op === '=') return (have) => have === want;
  if (op === '!=') return (have) => (have === undefined ? missingMatchesNotEqual : have !== want);
  const re = likeRegExp(want, op === 'ILIKE');
  return op === 'ILIKE' ? (have) => have !== undefined && re.test(have.toLowerCase()) : (have) => have !== undefined && re.test(have);
}

function numberMatch(op: string, a: number | null, b: number): boolean {
  if (a === null) return false;
  return op === '=' ? a === b : op === '!=' ? a !== b : op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
}

type Row = { tags: Record<string, string> };

/** How rows are read: an attribute's value (undefined/null when the row has none), and the `!=` rule for missing tags. */
export interface ConjunctionOptions<T> {
  get(row: T, key: string): string | number | null | undefined;
  /**
   * Whether a row without the tag matches `tag.k != 'v'`: true in the registry's searches (MLflow's client adds
   * ``tag.`mlflow.prompt.is_prompt` != 'true'`` to keep every untagged model), false for experiments (as runs).
   */
  missingTagMatchesNotEqual: boolean;
}

/** A filter → the predicate over rows with tags, or INVALID_PARAMETER_VALUE in MLflow's words. */
export function conjunctionFilter<T extends Row>(filter: string, attrs: Record<string, AttrRule>, opts: ConjunctionOptions<T>): (row: T) => boolean {
  const clauses = parseClauses(filter, attrs);
  const attr = opts.get;
  const tests = clauses.map((c): ((row: T) => boolean) => {
    if (c.entity === 'tag') {
      const test = stringTest(c.op, c.value as string, opts.missingTagMatchesNotEqual);
      return (row) => test(Object.hasOwn(row.tags, c.key) ? row.tags[c.key] : undefined);
    }
    if (c.op === 'IN') {
      const set = new Set(c.value as string[]);
      return (row) => {
        const have = attr(row, c.key);
        return typeof have === 'string' && set.has(have);
      };
    }
    if (typeof c.value === 'number') {
      const want = c.value;
      return (row) => {
        const have = attr(row, c.key);
        return numberMatch(c.op, typeof have === 'number' ? have : null, want);
      };
    }
    const test = stringTest(c.op, c.value as string, false);
    // A missing attribute (a version without run_id) matches nothing, as SQL's NULL.
    return (row) => {
      const have = attr(row, c.key);
      return typeof have === 'string' && test(have);
    };
  });
  return (row) => tests.every((t) => t(row));
}

/** String attributes compared with `= != LIKE ILIKE`. */
export const STRING_ATTR: AttrRule = { ops: STRING_OPS, value: 'string' };
/** Numeric attributes compared with `= != > >= < <=`. */
export const NUMBER_ATTR: AttrRule = { ops: NUMBER_OPS, value: 'number' };

/**
 * The filter parser: MLflow's search_runs grammar (reference/mlflow.md §2.1) plus OR, NOT and parentheses
 * (SPEC SEARCH-1..13). `dialect: 'mlflow'` refuses the extensions with MLflow's own message, for callers that must
 * behave exactly like MLflow. Errors are values with a 0-based position: the filter box underlines them.
 *
 * What MLflow checks while parsing (entity, key, value type) is checked here; what MLflow checks only when it
 * evaluates (is this comparator allowed for this entity?) is `checkFilter` in filter-check.ts.
 */
import { ATTRIBUTE_KEYS, DATASET_KEYS, isNumericAttributeKey } from './filter-ast';
import type { Comparison, Entity, Expr, Filter, Parsed, SearchError, Span, Value } from './filter-ast';
import { tokenize, unquote, type Token } from './filter-lexer';

export type Dialect = 'cairn' | 'mlflow';
export interface ParseOptions {
  dialect?: Dialect;
}

const ENTITIES: Readonly<Record<string, Entity>> = {
  metric: 'metric', metrics: 'metric',
  parameter: 'parameter', parameters: 'parameter', param: 'parameter', params: 'parameter',
  tag: 'tag', tags: 'tag',
  attribute: 'attribute', attributes: 'attribute', attr: 'attribute', run: 'attribute',
  dataset: 'dataset', datasets: 'dataset',
};
const ENTITY_HINT = 'Valid values are metric(s), param(s) or parameter(s), tag(s), attribute(s), attr, run, dataset(s)';
const VALID_ATTRIBUTES = "'run_id', 'run_name', 'user_id', 'status', 'start_time', 'end_time', 'artifact_uri', 'created', 'run name'";

/** Thrown inside the parser only, caught by `parseFilter`/`parseIdentifier`: callers always get a value. */
class Fail {
  constructor(readonly message: string, readonly position: number, readonly length: number) {}
}

const spanOf = (t: Token): Span => ({ position: t.position, length: Math.max(1, t.text.length) });
const between = (a: Span, b: Span): Span => ({ position: a.position, length: b.position + b.length - a.position });
const isWord = (t: Token, w: string) => t.kind === 'word' && t.text.toUpperCase() === w;

export interface Identifier {
  entity: Entity;
  key: string;
  span: Span;
}

export class TokenStream {
  private i = 0;
  constructor(readonly tokens: Token[]) {}
  peek(k = 0): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  fail(message: string, t: Token = this.peek()): never {
    throw new Fail(message, t.position, Math.max(1, t.text.length));
  }
}

/** `[entity.]key` with MLflow's quoting rules (SEARCH-3, SEARCH-4). `validAttribute` decides attribute keys. */
export function readIdentifier(s: TokenStream, validAttribute: (key: string) => boolean, validText = VALID_ATTRIBUTES): Identifier {
  const first = s.peek();
  if (first.kind === 'single' || first.kind === 'number') {
    s.fail(`Invalid comparison clause. Expected 'Identifier' found '${first.text}'. A clause starts with a key, e.g. metrics.acc > 0.9`);
  }
  if (first.kind !== 'word' && first.kind !== 'backtick' && first.kind !== 'double') {
    s.fail(first.kind === 'eof' ? 'Expected a clause (e.g. metrics.acc > 0.9) at the end of the filter' : `Expected a key (e.g. metrics.acc) but found '${first.text}'`);
  }
  s.next();
  const dot = s.peek();
  if (dot.kind !== 'dot' || dot.spaceBefore) {
    const key = first.kind === 'word' ? first.text : unquote(first);
    const dotAt = key.indexOf('.');
    if (first.kind !== 'word' && dotAt > 0 && !validAttribute(key)) {
      // MLflow splits the identifier at its first '.', quotes or not, so this is an entity error there too.
      const q = first.text[0];
      throw new Fail(
        `Invalid entity type: ${first.text} quotes the whole identifier; quote only the key: ${key.slice(0, dotAt)}.${q}${key.slice(dotAt + 1)}${q}`,
        first.position,
        first.text.length,
      );
    }
    if (!validAttribute(key)) {
      const hintKey = first.kind === 'word' ? first.text : `\`${key}\``;
      throw new Fail(
        `Invalid attribute key '${key}' specified. Valid keys are ${validText}. ` +
          `For a metric, param or tag, name the entity: metrics.${hintKey}, params.${hintKey}, tags.${hintKey}`,
        first.position,
        first.text.length,
      );
    }
    return { entity: 'attribute', key, span: spanOf(first) };
  }
  const entityName = first.kind === 'backtick' ? unquote(first) : first.text;
  const entity = first.kind === 'double' || !Object.hasOwn(ENTITIES, entityName) ? undefined : ENTITIES[entityName];
  if (!entity) s.fail(`Invalid entity type '${entityName}'. ${ENTITY_HINT}`, first);
  s.next();
  const k = s.peek();
  if (k.spaceBefore || !['word', 'single', 'double', 'backtick', 'number'].includes(k.kind)) {
    s.fail(`Expected a key right after '${first.text}.' (quote keys with spaces or symbols: ${first.text}.\`my key\`)`, k.spaceBefore ? dot : k);
  }
  if (k.kind === 'number') s.fail(`A key that starts with a digit must be quoted: ${first.text}.\`${k.text}\``, k);
  s.next();
  let key = k.kind === 'word' ? k.text : unquote(k);
  let last = k;
  // A bare dotted key (metrics.a.b) is one key, as in sqlparse's grouping of `a.b.c` into one identifier.
  while (k.kind === 'word' && s.peek().kind === 'dot' && !s.peek().spaceBefore && s.peek(1).kind === 'word' && !s.peek(1).spaceBefore) {
    s.next();
    last = s.next();
    key += `.${last.text}`;
  }
  const span = between(spanOf(first), spanOf(last));
  if (entity === 'attribute' && !validAttribute(key)) {
    throw new Fail(`Invalid attribute key '${key}' specified. Valid keys are ${validText}`, span.position, span.length);
  }
  if (entity === 'dataset' && !DATASET_KEYS.includes(key)) {
    throw new Fail(`Invalid dataset key '${key}' specified. Valid keys are 'name', 'digest', 'context'`, span.position, span.length);
  }
  return { entity, key, span };
}

const isFilterAttribute = (key: string) => Object.hasOwn(ATTRIBUTE_KEYS, key);

class FilterParser {
  constructor(private readonly s: TokenStream, private readonly dialect: Dialect) {}

  private extension(t: Token, what: string): void {
    if (this.dialect === 'mlflow') this.s.fail(`Invalid clause(s) in filter string: '${t.text}'. MLflow's search has no ${what}`, t);
  }

  /** ANDs with nothing on one side are skipped, as MLflow does (`a AND`, `AND a`, `a AND AND b`). */
  private skipAnds(): void {
    while (isWord(this.s.peek(), 'AND')) this.s.next();
  }

  parseTop(): Filter {
    const e = this.orExpr(true);
    const t = this.s.peek();
    if (t.kind === 'rparen') this.s.fail("Unmatched ')': there is no '(' for it", t);
    if (t.kind !== 'eof') {
      if (this.dialect === 'mlflow') this.s.fail(`Invalid clause(s) in filter string: '${t.text}'`, t);
      this.s.fail(`Expected AND, OR or the end of the filter, found '${t.text}'`, t);
    }
    return e;
  }

  private orExpr(top: boolean): Expr | null {
    const first = this.andExpr();
    if (!isWord(this.s.peek(), 'OR')) {
      if (first === null && !top) this.s.fail('Expected a clause (e.g. metrics.acc > 0.9) here');
      return first;
    }
    const args: Expr[] = [];
    if (first === null) this.s.fail('Expected a clause before OR');
    args.push(first);
    while (isWord(this.s.peek(), 'OR')) {
      const or = this.s.next();
      this.extension(or, 'OR (combine clauses with AND)');
      const next = this.andExpr();
      if (next === null) this.s.fail('Expected a clause after OR', or);
      args.push(next);
    }
    return { kind: 'or', args, span: between(args[0]!.span, args.at(-1)!.span) };
  }

  private andExpr(): Expr | null {
    this.skipAnds();
    if (!this.startsOperand()) return null;
    const args: Expr[] = [this.notExpr()];
    while (isWord(this.s.peek(), 'AND')) {
      this.skipAnds();
      if (!this.startsOperand()) break;
      args.push(this.notExpr());
    }
    if (args.length === 1) return args[0]!;
    return { kind: 'and', args, span: between(args[0]!.span, args.at(-1)!.span) };
  }

  private startsOperand(): boolean {
    const t = this.s.peek();
    return !(t.kind === 'eof' || t.kind === 'rparen' || isWord(t, 'OR'));
  }

  private notExpr(): Expr {
    const t = this.s.peek();
    if (isWord(t, 'NOT')) {
      this.s.next();
      this.extension(t, 'NOT (except NOT IN)');
      const arg = this.notExpr();
      return { kind: 'not', arg, span: between(spanOf(t), arg.span) };
    }
    if (t.kind === 'lparen') {
      this.s.next();
      this.extension(t, 'parentheses');
      const e = this.orExpr(false)!;
      const close = this.s.peek();
      if (close.kind !== 'rparen') this.s.fail(`Missing ')' to close the '(' at position ${t.position}`, close);
      this.s.next();
      this.afterClause();
      return e;
    }
    return this.clause();
  }

  private clause(): Comparison {
    const id = readIdentifier(this.s, isFilterAttribute);
    const { comparator, span: comparatorSpan } = this.comparator(id);
    let value: Value;
    let valueSpan: Span;
    if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') {
      if (id.entity !== 'tag' && id.entity !== 'parameter') {
        throw new Fail('IS NULL / IS NOT NULL is only supported for tags and params', comparatorSpan.position, comparatorSpan.length);
      }
      value = { type: 'null' };
      valueSpan = comparatorSpan;
    } else {
      ({ value, span: valueSpan } = this.value(id, comparator));
    }
    this.afterClause();
    return { kind: 'compare', entity: id.entity, key: id.key, comparator, value, span: between(id.span, valueSpan), keySpan: id.span, comparatorSpan, valueSpan };
  }

  private afterClause(): void {
    const t = this.s.peek();
    if (t.kind === 'eof' || t.kind === 'rparen' || isWord(t, 'AND') || isWord(t, 'OR')) return;
    if (this.dialect === 'mlflow') this.s.fail(`Invalid clause(s) in filter string: '${t.text}'`, t);
    this.s.fail(`Expected AND, OR or the end of the filter after this clause, found '${t.text}'`, t);
  }

  private comparator(id: Identifier): { comparator: string; span: Span } {
    const t = this.s.next();
    if (t.kind === 'op') return { comparator: t.text, span: spanOf(t) };
    const w = t.kind === 'word' ? t.text.toUpperCase() : '';
    if (w === 'LIKE' || w === 'ILIKE' || w === 'RLIKE' || w === 'REGEXP' || w === 'IN') return { comparator: w, span: spanOf(t) };
    if (w === 'NOT' || w === 'IS') {
      const second = this.s.next();
      const w2 = second.kind === 'word' ? second.text.toUpperCase() : '';
      if (w === 'NOT' && ['IN', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP'].includes(w2)) return { comparator: `NOT ${w2}`, span: between(spanOf(t), spanOf(second)) };
      if (w === 'IS' && w2 === 'NULL') return { comparator: 'IS NULL', span: between(spanOf(t), spanOf(second)) };
      if (w === 'IS' && w2 === 'NOT' && isWord(this.s.peek(), 'NULL')) {
        const third = this.s.next();
        return { comparator: 'IS NOT NULL', span: between(spanOf(t), spanOf(third)) };
      }
      this.s.fail(w === 'NOT' ? `Expected IN after NOT, found '${second.text}'` : `Expected NULL or NOT NULL after IS, found '${second.text}'`, second);
    }
    const where = t.kind === 'eof' ? 'at the end of the filter' : `but found '${t.text}'`;
    this.s.fail(`Expected a comparator after '${id.key}' (one of = != < <= > >= LIKE ILIKE IN NOT IN) ${where}`, t);
  }

  private value(id: Identifier, comparator: string): { value: Value; span: Span } {
    const t = this.s.peek();
    const { entity, key } = id;
    if (comparator === 'IN' || comparator === 'NOT IN') {
      if (t.kind !== 'lparen') this.s.fail(`${comparator} takes a list of quoted strings in parentheses, e.g. ${key} ${comparator} ('a', 'b')`, t);
    }
    if (t.kind === 'lparen') return this.list(id);
    if (t.kind === 'eof') this.s.fail(`Expected a value after '${comparator}'`, t);
    if (t.kind !== 'number' && t.kind !== 'single' && t.kind !== 'double' && t.kind !== 'word' && t.kind !== 'backtick') {
      this.s.fail(`Expected a value after '${comparator}', found '${t.text}'`, t);
    }
    this.s.next();
    const span = spanOf(t);
    const numeric = entity === 'metric' || (entity === 'attribute' && isNumericAttributeKey(key));
    if (numeric) {
      if (t.kind !== 'number') {
        const what = entity === 'metric' ? 'metric' : `numeric attribute: ${key}`;
        this.s.fail(`Expected numeric value type for ${what}. Found ${t.text}. Write the number without quotes, e.g. ${entity === 'metric' ? 'metrics.acc > 0.9' : `${key} > 1700000000000`}`, t);
      }
      return { value: { type: 'number', text: t.text, value: Number(t.text) }, span };
    }
    if (t.kind === 'single' || t.kind === 'double') return { value: { type: 'string', value: unquote(t) }, span };
    if (t.kind === 'number') {
      if (entity === 'parameter' && this.dialect === 'cairn') return { value: { type: 'number', text: t.text, value: Number(t.text) }, span };
      const what = entity === 'attribute' ? 'attributes' : entity === 'dataset' ? 'dataset attributes' : `${entity} (e.g. 'my-value')`;
      this.s.fail(`Expected a quoted string value for ${what}. Got value ${t.text}`, t);
    }
    this.s.fail(
      `Parameter value is either not quoted or unidentified quote types used for string value ${t.text}. Use either single or double quotes.`,
      t,
    );
  }

  private list(id: Identifier): { value: Value; span: Span } {
    const open = this.s.next();
    if (id.entity === 'attribute' && id.key !== 'run_id') {
      this.s.fail("Only the 'run_id' attribute supports comparison with a list of quoted string values.", open);
    }
    if (id.entity !== 'attribute' && id.entity !== 'dataset') {
      this.s.fail(`A list of values works only with run_id and datasets.name/digest/context, not with ${id.entity}s`, open);
    }
    const values: string[] = [];
    if (this.s.peek().kind === 'rparen') {
      this.s.fail('While parsing a list in the query, expected a non-empty list of string values, but got empty list', this.s.peek());
    }
    for (;;) {
      const v = this.s.next();
      if (v.kind !== 'single') {
        this.s.fail(`While parsing a list in the query, expected a 'single-quoted' string, but got '${v.text || 'the end of the filter'}'`, v);
      }
      values.push(unquote(v));
      const sep = this.s.next();
      if (sep.kind === 'rparen') return { value: { type: 'list', values }, span: between(spanOf(open), spanOf(sep)) };
      if (sep.kind !== 'comma') this.s.fail(`Expected ',' or ')' in the list opened at position ${open.position}`, sep);
      if (this.s.peek().kind === 'rparen') return { value: { type: 'list', values }, span: between(spanOf(open), spanOf(this.s.next())) };
    }
  }
}

function filterError(message: string, position: number, length: number): { ok: false; error: SearchError } {
  return { ok: false, error: { code: 'INVALID_PARAMETER_VALUE', field: 'filter', message, position, length } };
}

export function parseFilter(text: string, options: ParseOptions = {}): Parsed<Filter> {
  if (text.trim() === '') return { ok: true, value: null };
  const lexed = tokenize(text);
  if (!lexed.ok) return filterError(lexed.error.message, lexed.error.position, lexed.error.length);
  const tokens = lexed.tokens;
  const semi = tokens.findIndex((t) => t.kind === 'semicolon');
  if (semi >= 0) {
    const t = tokens[semi]!;
    if (tokens[semi + 1]!.kind !== 'eof') {
      return filterError(`Search filter contained multiple expression '${text}'. Provide AND-ed expression list.`, t.position, 1);
    }
    return filterError("Invalid clause(s) in filter string: ';'. Remove the ';' at the end", t.position, 1);
  }
  try {
    return { ok: true, value: new FilterParser(new TokenStream(tokens), options.dialect ?? 'cairn').parseTop() };
  } catch (e) {
    if (e instanceof Fail) return filterError(e.message, e.position, e.length);
    throw e;
  }
}

export { Fail as ParseFail };

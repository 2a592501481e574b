/**
 * order_by clauses (SPEC SEARCH-16..18): `<identifier> [ASC|DESC]`, ascending by default. The accepted text is
 * MLflow's: one identifier with the filter's quoting rules, then at most one word, and nothing around them (MLflow
 * refuses `'params.p '` with its trailing space, and so does this).
 */
import { ORDER_BY_ATTRIBUTE_KEYS, type Entity, type Parsed, type SearchError } from './filter-ast';
import { tokenize } from './filter-lexer';
import { ParseFail, readIdentifier, TokenStream } from './filter-parse';

export interface OrderClause {
  entity: Exclude<Entity, 'dataset'>;
  /** As written (`created` stays `created`; attributeColumn resolves it). */
  key: string;
  ascending: boolean;
}

const ORDER_ATTRIBUTES_TEXT = ORDER_BY_ATTRIBUTE_KEYS.map((k) => `'${k}'`).join(', ');

function fail(index: number, message: string, position?: number, length?: number): { ok: false; error: SearchError } {
  return {
    ok: false,
    error: { code: 'INVALID_PARAMETER_VALUE', field: 'order_by', message, index, ...(position === undefined ? {} : { position, length: length ?? 1 }) },
  };
}

export function parseOrderClause(text: string, index = 0): Parsed<OrderClause> {
  const invalid = (why: string, position?: number, length?: number) =>
    fail(index, `Invalid order_by clause '${text}'. Could not be parsed: ${why}`, position, length);
  if (text.trim() === '') return invalid('it is empty', 0, 0);
  if (/^\s/.test(text)) return invalid('remove the whitespace at the start', 0, text.length - text.trimStart().length);
  if (/\s$/.test(text)) {
    const end = text.trimEnd().length;
    return invalid('remove the whitespace at the end', end, text.length - end);
  }
  const lexed = tokenize(text);
  if (!lexed.ok) return invalid(lexed.error.message, lexed.error.position, lexed.error.length);
  const s = new TokenStream(lexed.tokens);
  let id;
  try {
    id = readIdentifier(s, (k) => ORDER_BY_ATTRIBUTE_KEYS.includes(k), ORDER_ATTRIBUTES_TEXT);
  } catch (e) {
    if (e instanceof ParseFail) return fail(index, e.message, e.position, e.length);
    throw e;
  }
  if (id.entity === 'dataset') return fail(index, "Invalid order_by entity type 'dataset': runs cannot be sorted by dataset", id.span.position, id.span.length);
  let ascending = true;
  const dir = s.peek();
  if (dir.kind === 'word') {
    const d = dir.text.toLowerCase();
    if (d !== 'asc' && d !== 'desc') {
      return fail(index, `Invalid ordering key in order_by clause '${text}': '${dir.text}' is neither ASC nor DESC`, dir.position, dir.text.length);
    }
    ascending = d === 'asc';
    s.next();
  }
  const rest = s.peek();
  if (rest.kind !== 'eof') return invalid(`unexpected '${rest.text}' (write <key> [ASC|DESC])`, rest.position, rest.text.length);
  return { ok: true, value: { entity: id.entity, key: id.key, ascending } };
}

export function parseOrderBy(list: readonly string[] | undefined): Parsed<OrderClause[]> {
  const out: OrderClause[] = [];
  for (const [i, text] of (list ?? []).entries()) {
    const p = parseOrderClause(text, i);
    if (!p.ok) return p;
    out.push(p.value);
  }
  return { ok: true, value: out };
}

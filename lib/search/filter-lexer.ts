/**
 * Tokens of the filter and order_by languages. MLflow tokenises with sqlparse, so string, number and comparator
 * boundaries here follow sqlparse's lexer (SPEC SEARCH-2): a quoted token runs to its closing quote, with `''`
 * (or `\'`) inside single quotes, `""` (or `\"`) inside double quotes and ` `` ` inside backticks not closing it;
 * every run of `< > = ~ !` is ONE comparator token (so `==` and `<>` are refused as comparators, not split).
 */

export type TokenKind =
  | 'word' // bare name: letters, digits, _, $, # (not starting like a number)
  | 'number'
  | 'single' // 'text'
  | 'double' // "text"
  | 'backtick' // `text`
  | 'op' // run of < > = ~ !
  | 'dot'
  | 'comma'
  | 'lparen'
  | 'rparen'
  | 'semicolon'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token, quotes included. */
  text: string;
  /** 0-based offset of the first character in the input. */
  position: number;
  /** Whitespace (or the start of input) comes right before the token. */
  spaceBefore: boolean;
}

export interface LexError {
  message: string;
  position: number;
  length: number;
}

const SINGLE = /'(?:''|\\'|[^'])*'/y;
const DOUBLE = /"(?:""|\\"|[^"])*"/y;
const BACKTICK = /`(?:``|[^`])*`/y;
/** sqlparse's Integer/Float: a number not glued to a following letter or underscore. */
const NUMBER = /-?(?:\d+(?:\.\d+)?[eE]-?\d+|\d+\.\d*|\.\d+|\d+)(?![\p{L}_])/uy;
const WORD = /[\p{L}\p{N}_][\p{L}\p{N}_$#]*/uy;
const OP = /[<>=~!]+/y;
const SPACE = /\s+/y;

function match(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0] : null;
}

const QUOTE_NAMES: Record<string, string> = { "'": 'single quote', '"': 'double quote', '`': 'backtick' };

export function tokenize(text: string): { ok: true; tokens: Token[] } | { ok: false; error: LexError } {
  const tokens: Token[] = [];
  let i = 0;
  let spaceBefore = true;
  while (i < text.length) {
    const space = match(SPACE, text, i);
    if (space) {
      i += space.length;
      spaceBefore = true;
      continue;
    }
    const ch = text[i]!;
    const push = (kind: TokenKind, t: string) => {
      tokens.push({ kind, text: t, position: i, spaceBefore });
      i += t.length;
      spaceBefore = false;
    };
    if (ch === "'" || ch === '"' || ch === '`') {
      const t = match(ch === "'" ? SINGLE : ch === '"' ? DOUBLE : BACKTICK, text, i);
      if (t === null) {
        return {
          ok: false,
          error: { message: `Unclosed ${QUOTE_NAMES[ch]}: add the closing ${ch}`, position: i, length: text.length - i },
        };
      }
      push(ch === "'" ? 'single' : ch === '"' ? 'double' : 'backtick', t);
      continue;
    }
    // A '.' right after a name is the entity separator, never the start of a number (`metrics.5` is a key).
    const afterName = !spaceBefore && tokens.length > 0 && ['word', 'backtick', 'double'].includes(tokens.at(-1)!.kind);
    if (ch === '.' && afterName) {
      push('dot', '.');
      continue;
    }
    const num = match(NUMBER, text, i);
    if (num) {
      push('number', num);
      continue;
    }
    const word = match(WORD, text, i);
    if (word) {
      push('word', word);
      continue;
    }
    const op = match(OP, text, i);
    if (op) {
      push('op', op);
      continue;
    }
    const single: Partial<Record<string, TokenKind>> = { '.': 'dot', ',': 'comma', '(': 'lparen', ')': 'rparen', ';': 'semicolon' };
    const kind = single[ch];
    if (kind) {
      push(kind, ch);
      continue;
    }
    const cp = String.fromCodePoint(text.codePointAt(i)!);
    return {
      ok: false,
      error: {
        message: `Unexpected character '${cp}'. Keys with characters other than letters, digits and _ must be quoted: metrics.\`my-key\``,
        position: i,
        length: cp.length,
      },
    };
  }
  tokens.push({ kind: 'eof', text: '', position: text.length, spaceBefore });
  return { ok: true, tokens };
}

/** The text between a quoted token's quotes, verbatim: like MLflow, no escape sequence is decoded (SEARCH-2). */
export function unquote(t: Token): string {
  return t.text.slice(1, -1);
}

/**
 * YAML as PyYAML reads and writes it, because MLflow's MLmodel is `yaml.safe_load` / `yaml.safe_dump(...,
 * default_flow_style=False)` (MODEL-1).
 *
 * Reading: the `yaml` library's YAML 1.1 schema, with every implicit type narrowed to PyYAML's resolver regexes
 * (yaml/resolver.py): `y`, `n`, `1e-10`, `09` are strings to PyYAML and must stay strings here.
 * Writing: a port of PyYAML's emitter for block style — keys sorted, sequences not indented under their key, scalar
 * style chosen by `analyze_scalar` / `choose_scalar_style`, and long scalars folded at column 80 exactly where PyYAML
 * folds them (after the word that crosses the width) — so an MLmodel MLflow wrote comes back byte for byte.
 * This file is long because the emitter is one state machine; splitting it would scatter its shared column state.
 */
import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';
import { formatPythonFloat } from '../domain/python-float';

/** PyYAML's implicit resolvers (yaml/resolver.py), in its words. */
export const PY_RESOLVERS: Record<string, RegExp> = {
  bool: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  float: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  int: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  merge: /^(?:<<)$/,
  null: /^(?:~|null|Null|NULL|)$/,
  timestamp: /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  value: /^(?:=)$/,
};

/** Whether PyYAML would read this text, written plain, as something other than a string. */
export function pyResolvesToNonString(text: string): boolean {
  // Python's `$` also matches before a final newline.
  const t = text.endsWith('\n') ? text.slice(0, -1) : text;
  return Object.values(PY_RESOLVERS).some((re) => re.test(t) || re.test(text));
}

type Tag = { tag: string; test?: RegExp };
/** yaml-library options that read YAML as PyYAML's safe_load does. */
export const PY_YAML_PARSE: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags) =>
    (tags as Tag[]).map((t) => {
      const kind = /^tag:yaml\.org,2002:(bool|int|float|merge|null|timestamp)$/.exec(t.tag)?.[1];
      if (!kind || !t.test) return t;
      // Both must match: the library's own pattern (its resolve relies on it) and PyYAML's.
      return { ...t, test: new RegExp(`(?=${PY_RESOLVERS[kind]!.source})${t.test.source}`) };
    }) as never,
};

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
const LINE_BREAKS = '\n\x85\u2028\u2029';
const WS = '\0 \t\r\n\x85\u2028\u2029';
const ESCAPES: Record<string, string> = {
  '\0': '0', '\x07': 'a', '\x08': 'b', '\x09': 't', '\x0A': 'n', '\x0B': 'v', '\x0C': 'f', '\x0D': 'r', '\x1B': 'e',
  '"': '"', '\\': '\\', '\x85': 'N', '\xA0': '_', '\u2028': 'L', '\u2029': 'P',
};

interface Analysis {
  empty: boolean;
  multiline: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

/** `Emitter.analyze_scalar` with allow_unicode=False (safe_dump's default), over code points as Python sees them. */
function analyze(cps: string[]): Analysis {
  if (cps.length === 0) return { empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true };
  const s = cps.join('');
  let block = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false, special = false;
  let leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false, breakSpace = false, spaceBreak = false;
  let prevSpace = false, prevBreak = false;
  let preceded = true;
  let followed = cps.length === 1 || WS.includes(cps[1]!);
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) block = true;
      if ('?:'.includes(ch) && followed) block = true;
      if (ch === '-' && followed) block = true;
    } else if ((ch === ':' && followed) || (ch === '#' && preceded)) block = true;
    if (LINE_BREAKS.includes(ch)) lineBreaks = true;
    const cp = ch.codePointAt(0)!;
    if (!(ch === '\n' || (cp >= 0x20 && cp <= 0x7e))) special = true; // non-ASCII counts as special without allow_unicode
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (LINE_BREAKS.includes(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    preceded = WS.includes(ch);
    followed = i + 2 >= cps.length || WS.includes(cps[i + 2]!);
  }
  let allowBlockPlain = true, allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowBlockPlain = false;
  // Spaces before or after a line break survive only in double quotes.
  if (breakSpace || spaceBreak) allowBlockPlain = allowSingleQuoted = false;
  if (special) allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks || block) allowBlockPlain = false;
  return { empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted };
}

/** Python's `repr(float)` as PyYAML's `represent_float` writes it (`1.0e-10`, `.inf`, `-0.0`). */
export function pyFloat(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (n === Infinity) return '.inf';
  if (n === -Infinity) return '-.inf';
  // represent_float: repr(data).lower(), with '.0' put before an exponent that has no dot ('1e-10' → '1.0e-10').
  const r = formatPythonFloat(n);
  return !r.includes('.') && r.includes('e') ? r.replace('e', '.0e') : r;
}

/** The emitter's state, as PyYAML keeps it. */
class Writer {
  out = '';
  column = 0;
  whitespace = true;
  indention = true;
  indent = 0;

  write(s: string) {
    this.out += s;
    this.column += [...s].length;
  }
  lineBreak(data = '\n') {
    this.out += data;
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
  }
  writeIndent(indent: number) {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.lineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.out += ' '.repeat(indent - this.column);
      this.column = indent;
    }
  }
  indicator(ind: string, needWhitespace: boolean, whitespace = false, indention = false) {
    const data = this.whitespace || !needWhitespace ? ind : ` ${ind}`;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.write(data);
  }

  plain(cps: string[], split: boolean) {
    if (!cps.length) return;
    if (!this.whitespace) this.write(' ');
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= cps.length; end++) {
      const ch = end < cps.length ? cps[end] : undefined;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent(this.indent);
            this.whitespace = false;
            this.indention = false;
          } else this.write(cps.slice(start, end).join(''));
          start = end;
        }
      } else if (ch === undefined || ' \n\x85\u2028\u2029'.includes(ch)) {
        this.write(cps.slice(start, end).join(''));
        start = end;
      }
      if (ch !== undefined) spaces = ch === ' ';
    }
  }

  singleQuoted(cps: string[], split: boolean) {
    this.indicator("'", true);
    let spaces = false, breaks = false;
    let start = 0;
    for (let end = 0; end <= cps.length; end++) {
      const ch = end < cps.length ? cps[end] : undefined;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== cps.length) this.writeIndent(this.indent);
          else this.write(cps.slice(start, end).join(''));
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !LINE_BREAKS.includes(ch)) {
          if (cps[start] === '\n') this.lineBreak();
          for (const br of cps.slice(start, end)) this.lineBreak(br);
          this.writeIndent(this.indent);
          start = end;
        }
      } else if ((ch === undefined || ' \n\x85\u2028\u2029'.includes(ch) || ch === "'") && start < end) {
        this.write(cps.slice(start, end).join(''));
        start = end;
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === ' ';
        breaks = LINE_BREAKS.includes(ch);
      }
    }
    this.indicator("'", false);
  }

  doubleQuoted(cps: string[], split: boolean) {
    this.indicator('"', true);
    let start = 0;
    for (let end = 0; end <= cps.length; end++) {
      const ch = end < cps.length ? cps[end] : undefined;
      const cp = ch === undefined ? 0 : ch.codePointAt(0)!;
      if (ch === undefined || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) || !(cp >= 0x20 && cp <= 0x7e)) {
        if (start < end) {
          this.write(cps.slice(start, end).join(''));
          start = end;
        }
        if (ch !== undefined) {
          const hex = cp.toString(16).toUpperCase();
          this.write(ESCAPES[ch] !== undefined ? `\\${ESCAPES[ch]}` : cp <= 0xff ? `\\x${hex.padStart(2, '0')}` : cp <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`);
          start = end + 1;
        }
      }
      if (end > 0 && end < cps.length - 1 && (ch === ' ' || start >= end) && this.column + (end - start) > BEST_WIDTH && split) {
        this.write(`${cps.slice(start, end).join('')}\\`);
        if (start < end) start = end;
        this.writeIndent(this.indent);
        this.whitespace = false;
        this.indention = false;
        if (cps[start] === ' ') this.write('\\');
      }
    }
    this.indicator('"', false);
  }

  /** `process_scalar` for a string: plain if PyYAML reads it back as a string, else single, else double quoted. */
  string(s: string, simpleKey: boolean) {
    const cps = [...s];
    const a = analyze(cps);
    const split = !simpleKey;
    if (!pyResolvesToNonString(s) && !(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain) this.plain(cps, split);
    else if (a.allowSingleQuoted && !(simpleKey && a.multiline)) this.singleQuoted(cps, split);
    else this.doubleQuoted(cps, split);
  }
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array) && !(v instanceof Map) && !(v instanceof Set);
}

/** `yaml.safe_dump(value, default_flow_style=False)`: keys sorted, block style, PyYAML's scalar styles and folding. */
export function pyYamlDump(value: unknown): string {
  const w = new Writer();
  const scalar = (v: unknown, indent: number, simpleKey = false) => {
    const saved = w.indent;
    w.indent = indent;
    if (typeof v === 'string') w.string(v, simpleKey);
    else if (v === null || v === undefined) w.plain(['n', 'u', 'l', 'l'], false);
    else if (typeof v === 'boolean') w.plain([...(v ? 'true' : 'false')], false);
    else if (typeof v === 'bigint') w.plain([...v.toString()], false);
    else if (typeof v === 'number') w.plain([...(Number.isInteger(v) && !Object.is(v, -0) ? BigInt(v).toString() : pyFloat(v))], false);
    else if (v instanceof Date) w.plain([...pyIsoformat(v)], false);
    else throw new TypeError(`pyYamlDump: cannot write a ${Object.prototype.toString.call(v)}`);
    w.indent = saved;
  };
  const node = (v: unknown, indent: number, inMappingValue: boolean) => {
    if (Array.isArray(v) && v.length) {
      // A sequence right after `key:` is not indented (PyYAML's indentless sequence: mapping context, no indention).
      const seqIndent = inMappingValue && !w.indention ? indent - BEST_INDENT : indent;
      for (const item of v) {
        w.writeIndent(seqIndent);
        w.indicator('-', true, false, true);
        node(item, seqIndent + BEST_INDENT, false);
      }
    } else if (isMapping(v) && Object.keys(v).length) {
      for (const k of Object.keys(v).sort()) {
        w.writeIndent(indent);
        const cps = [...k];
        // check_simple_key: the key plus its '!!str' tag under 128 characters, not empty, on one line.
        if (cps.length + 5 < 128 && cps.length > 0 && !cps.some((c) => LINE_BREAKS.includes(c))) {
          scalar(k, indent, true);
          w.indicator(':', false);
        } else {
          w.indicator('?', true, false, true);
          scalar(k, indent + BEST_INDENT);
          w.writeIndent(indent);
          w.indicator(':', true, false, true);
        }
        node(v[k], indent + BEST_INDENT, true);
      }
    } else if (v instanceof Uint8Array) {
      // represent_binary: base64 in 76-character lines (Python's encodebytes) as a literal block.
      w.indicator('!!binary', true);
      w.indicator('|', true);
      let b64 = '';
      for (let i = 0; i < v.length; i += 0x8000) b64 += String.fromCharCode(...v.subarray(i, i + 0x8000));
      b64 = btoa(b64);
      for (let i = 0; i < b64.length; i += 76) {
        w.lineBreak();
        w.write(' '.repeat(indent) + b64.slice(i, i + 76));
      }
    } else if (Array.isArray(v) || isMapping(v)) {
      const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
      w.indicator(open, true, true);
      w.indicator(close, false);
    } else scalar(v, indent);
  };
  node(value, 0, false);
  w.writeIndent(0);
  return w.out;
}

/** `datetime.isoformat()` of a timestamp read from YAML (naive, UTC). */
function pyIsoformat(d: Date): string {
  const base = d.toISOString().slice(0, 19);
  const ms = d.getUTCMilliseconds();
  return ms ? `${base}.${String(ms * 1000).padStart(6, '0')}` : base;
}

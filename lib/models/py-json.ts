/**
 * `json.dumps` as Python writes it with its defaults: `", "` and `": "` separators, keys in insertion order and
 * `ensure_ascii` (every non-ASCII character as a `\uXXXX` escape, astral ones as a surrogate pair). MLflow stores the
 * signature's inputs/outputs/params as such strings inside the MLmodel YAML, so writing them the same way keeps a
 * Cairn-written MLmodel byte-identical to MLflow's for the same schema.
 *
 * One difference cannot be avoided: a JavaScript number does not know whether it was `1` or `1.0`, so a float
 * that holds an integer is written `1`. Both parse to the same number (MODEL-3).
 */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${pyString(k)}: ${pyJsonDumps(v)}`);
    return `{${parts.join(', ')}}`;
  }
  throw new TypeError(`pyJsonDumps: cannot write a ${typeof value}`);
}

function pyNumber(n: number): string {
  // Python writes the non-finite floats as bare words (allow_nan=True), which its json.loads reads back.
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return JSON.stringify(n);
}

function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

const SENTINEL = '\u0000py:';
/**
 * `json.loads` as Python reads it: standard JSON plus the bare `NaN`, `Infinity` and `-Infinity` Python's
 * `json.dumps` writes for non-finite floats (in params defaults, input examples). Throws SyntaxError like JSON.parse.
 */
export function parsePyJson(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const word = /^(?:-?Infinity|NaN)/.exec(text.slice(i, i + 9))?.[0];
    if (word) {
      out += JSON.stringify(SENTINEL + word);
      i += word.length - 1;
    } else out += c;
  }
  return JSON.parse(out, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(SENTINEL) ? Number(v.slice(SENTINEL.length)) : v));
}

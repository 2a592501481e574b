/**
 * Python's float text, both ways. MLflow writes floats with Python's `str()` ("0.5", "1e-05", "nan", "inf", "-inf"):
 * metric values in a file store (server/mlflow-io), MLproject parameter defaults (lib/projects), and PyYAML's floats in
 * an MLmodel (lib/models/pyyaml.ts, which adds YAML's spelling). JavaScript's `Number()` reads "inf" as NaN and "" as
 * 0, and its `String()` switches to exponents elsewhere, so both directions live here, once.
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Python's `float(text)`: surrounding whitespace, `_` between digits, inf/infinity/nan in any case. Undefined if
 * Python would raise. */
export function parsePythonFloat(text: string): number | undefined {
  const s = text.trim();
  const special = SPECIAL.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (/(^|[^\d])_|_($|[^\d])/.test(s)) return undefined;
  const plain = s.replace(/_/g, '');
  return DECIMAL.test(plain) ? Number(plain) : undefined;
}

/** Python's `repr(float)` (what `str()` gives): shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function formatPythonFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mant, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace('-', '').replace('.', '');
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    return `${sign}${int}.${digits.slice(exp + 1) || '0'}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

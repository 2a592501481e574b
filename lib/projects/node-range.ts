/**
 * The Node version a `node_env` asks for: npm's semver range syntax, the part `engines.node` uses (`>=20`, `^20.6`,
 * `~20.1.0`, `20.x`, `18 || 20`, `>=18 <21`, `18 - 20`, `*`). Pure, so the parser refuses a range nobody could
 * satisfy and the runner checks `process.version` against it (PROJ-S10). Prerelease tags are not supported: Node
 * releases have none.
 */
import { CairnError } from '@/lib/domain';

type Version = [number, number, number];
type Op = '<' | '<=' | '>' | '>=' | '=';
type Comparator = { op: Op; v: Version };
/** A partial version: `20`, `20.6`, `20.x` leave the rest undefined. */
type Partial = [number, number | undefined, number | undefined];

const PARTIAL = /^v?(\d+|[xX*])(?:\.(\d+|[xX*])(?:\.(\d+|[xX*]))?)?$/;

function bad(range: string, why: string): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', `'${range}' is not a Node version range (${why}); write e.g. ">=20" or "^20.6"`, { field: 'node' });
}

function partial(text: string, range: string): Partial | null {
  const m = PARTIAL.exec(text);
  if (!m) throw bad(range, `'${text}' is not a version`);
  const n = (s: string | undefined) => (s === undefined || /^[xX*]$/.test(s) ? undefined : Number(s));
  const [maj, min, pat] = [n(m[1]), n(m[2]), n(m[3])];
  if (maj === undefined) return null;
  return [maj, min === undefined ? undefined : min, min === undefined ? undefined : pat];
}

/** The lowest version a partial names, and the first one past it (`20.6` → 20.6.0 and 20.7.0). */
function bounds(p: Partial): [Version, Version] {
  const [a, b, c] = p;
  if (b === undefined) return [[a, 0, 0], [a + 1, 0, 0]];
  if (c === undefined) return [[a, b, 0], [a, b + 1, 0]];
  return [[a, b, c], [a, b, c + 1]];
}

function comparators(word: string, range: string): Comparator[] {
  const m = /^(<=|>=|<|>|=|~>?|\^)?\s*(.*)$/.exec(word)!;
  const op = m[1];
  const p = partial(m[2]!, range);
  if (!p) return op === '<' || op === '>' ? [{ op: '<', v: [0, 0, 0] }] : [];
  const [lo, hi] = bounds(p);
  const exact = p[2] !== undefined;
  switch (op) {
    case undefined:
    case '=':
      return exact ? [{ op: '=', v: lo }] : [{ op: '>=', v: lo }, { op: '<', v: hi }];
    case '>=':
      return [{ op: '>=', v: lo }];
    case '>':
      return exact ? [{ op: '>', v: lo }] : [{ op: '>=', v: hi }];
    case '<':
      return [{ op: '<', v: lo }];
    case '<=':
      return exact ? [{ op: '<=', v: lo }] : [{ op: '<', v: hi }];
    case '^': {
      const [a, b, c] = p;
      const up: Version = a > 0 || b === undefined ? [a + 1, 0, 0] : b > 0 || c === undefined ? [0, b + 1, 0] : [0, 0, c + 1];
      return [{ op: '>=', v: lo }, { op: '<', v: up }];
    }
    default: // ~ and ~>
      return [{ op: '>=', v: lo }, { op: '<', v: p[1] === undefined ? [p[0] + 1, 0, 0] : [p[0], p[1] + 1, 0] }];
  }
}

/** One `||` alternative: a hyphen range or space-separated comparators (operators may stand apart: `>= 20`). */
function alternative(text: string, range: string): Comparator[] {
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
  if (hyphen) {
    const from = partial(hyphen[1]!, range);
    const to = partial(hyphen[2]!, range);
    const out: Comparator[] = from ? [{ op: '>=', v: bounds(from)[0] }] : [];
    if (to) out.push(to[2] !== undefined ? { op: '<=', v: bounds(to)[0] } : { op: '<', v: bounds(to)[1] });
    return out;
  }
  const words = text.replace(/(<=|>=|<|>|=|~>?|\^)\s+/g, '$1').split(/\s+/).filter(Boolean);
  return words.flatMap((w) => comparators(w, range));
}

/** The range as alternatives of comparators; throws CairnError for text that is not a range. */
export function parseNodeRange(range: string): Comparator[][] {
  if (range.trim() === '') throw bad(range, 'empty');
  return range.split('||').map((alt) => {
    if (alt.trim() === '' && range.includes('||')) throw bad(range, "empty alternative around '||'");
    return alternative(alt.trim(), range);
  });
}

function cmp(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether a Node version (`v20.20.0`, `20.20.0`) is in the range. */
export function nodeSatisfies(range: string, version: string): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new CairnError('INVALID_PARAMETER_VALUE', `'${version}' is not a Node version`);
  const v: Version = [Number(m[1]), Number(m[2]), Number(m[3])];
  const holds = (c: Comparator) => {
    const d = cmp(v, c.v);
    return c.op === '=' ? d === 0 : c.op === '<' ? d < 0 : c.op === '<=' ? d <= 0 : c.op === '>' ? d > 0 : d >= 0;
  };
  return parseNodeRange(range).some((alt) => alt.every(holds));
}

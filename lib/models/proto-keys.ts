/**
 * Model files come from peers (an uploaded model, a replica's artifact). An own `__proto__` key survives YAML and
 * JSON parsing but zod drops it silently, so a user's key would vanish without a word: readers refuse it loudly
 * instead (STYLE habit 2, as lib/domain `parseInput` does).
 */

/** The path of the first own `__proto__` key in a parsed value, or null. Walks Maps as the YAML reader may build them. */
export function protoKeyPath(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (!value || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = protoKeyPath(v, [...path, i]);
      if (p) return p;
    }
    return null;
  }
  if (value instanceof Uint8Array || value instanceof Date) return null;
  if (Object.hasOwn(value, '__proto__')) return [...path, '__proto__'];
  for (const [k, v] of Object.entries(value)) {
    const p = protoKeyPath(v, [...path, k]);
    if (p) return p;
  }
  return null;
}

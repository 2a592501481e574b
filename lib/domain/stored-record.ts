import { z } from 'zod';

/**
 * Records read back from documents a peer may have garbled (lib/doc SPEC.md DOC-L5..DOC-L8). A stored record is
 * defined ONCE, as a shape of domain schemas plus the fallback of each field that has one; from that come
 *   - `read` / `parse`: the fast reader every lib/doc reader uses (10k runs are ~130k records: zod's per-call cost,
 *     ~0.5 µs an object, would double a cold runs-table read), and
 *   - `schema`: the same rules as a zod object (`.catch(fallback)` per field), which the reader is tested against
 *     (tests/unit/hostile-content.test.ts) so the two cannot drift apart.
 * A field's fast check is derived from its schema (`fastCheck`), never written a second time.
 */

type Check = (v: unknown) => boolean;

/** Strings checked through zod are remembered: ids, keys and paths repeat across the runs of a workspace. */
const MEMO_MAX = 50_000;

/** `check` remembered per distinct string (bounded: past MEMO_MAX distinct strings it starts over). */
export function memoize(check: (s: string) => boolean): (v: unknown) => boolean {
  const memo = new Map<string, boolean>();
  return (v) => {
    if (typeof v !== 'string') return false;
    let ok = memo.get(v);
    if (ok === undefined) {
      ok = check(v);
      if (memo.size >= MEMO_MAX) memo.clear();
      memo.set(v, ok);
    }
    return ok;
  };
}

function memoized(schema: z.ZodType): Check {
  const strings = memoize((s) => schema.safeParse(s).success);
  // A string schema refuses every other type: zod need not see them (it reads `.length` of whatever it gets).
  if (schema._zod.def.type === 'string') return strings;
  return (v) => (typeof v === 'string' ? strings(v) : schema.safeParse(v).success);
}

interface CheckDef {
  check: string;
  format?: string;
  inclusive?: boolean;
  /** A `.refine()` predicate (check 'custom'). */
  fn?: (v: unknown) => unknown;
}
const checksOf = (s: z.ZodType): CheckDef[] =>
  ((s._zod.def as { checks?: { _zod: { def: CheckDef } }[] }).checks ?? []).map((c) => c._zod.def);

/**
 * A predicate that accepts exactly what `schema` accepts. Length-bounded strings, finite (safe-integer, inclusively
 * bounded) numbers, enums, `z.custom`, nullable and optional are compiled to plain comparisons; anything else (regexes,
 * refinements, transforms) asks zod, strings through a memo.
 */
export function fastCheck(schema: z.ZodType): Check {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; fn?: (v: unknown) => unknown };
  const checks = checksOf(schema);
  switch (def.type) {
    case 'string': {
      if (!checks.every((c) => c.check === 'min_length' || c.check === 'max_length')) break;
      const s = schema as z.ZodString;
      const min = s.minLength ?? 0;
      const max = s.maxLength ?? Infinity;
      return (v) => typeof v === 'string' && v.length >= min && v.length <= max;
    }
    case 'number': {
      const plain = checks.every(
        (c) =>
          (c.check === 'number_format' && c.format === 'safeint') ||
          ((c.check === 'greater_than' || c.check === 'less_than') && c.inclusive) ||
          (c.check === 'custom' && typeof c.fn === 'function'),
      );
      if (!plain) break;
      const n = schema as z.ZodNumber;
      const int = n.isInt === true;
      const min = n.minValue ?? -Infinity;
      const max = n.maxValue ?? Infinity;
      // Refinements run after the type and range checks, as in zod (they only ever see a valid number).
      const refinements = checks.filter((c) => c.check === 'custom').map((c) => c.fn!);
      const base = (v: unknown): v is number => typeof v === 'number' && (int ? Number.isSafeInteger(v) : Number.isFinite(v)) && v >= min && v <= max;
      if (refinements.length === 0) return base;
      return (v) => base(v) && refinements.every((f) => !!f(v));
    }
    case 'enum': {
      if (checks.length) break;
      const values = new Set<unknown>((schema as z.ZodEnum).options);
      return (v) => values.has(v);
    }
    case 'custom':
      if (checks.length || !def.fn) break;
      return (v) => !!def.fn!(v);
    case 'nullable': {
      if (checks.length) break;
      const inner = fastCheck(def.innerType!);
      return (v) => v === null || inner(v);
    }
    case 'optional': {
      if (checks.length) break;
      const inner = fastCheck(def.innerType!);
      return (v) => v === undefined || inner(v);
    }
  }
  return memoized(schema);
}

/** Field name → the domain schema of the field. */
type Shape = Record<string, z.ZodType>;
type Out<S extends Shape> = { [K in keyof S]: z.output<S[K]> };

/** What `field` returns for a wrong value without a fallback (undefined may be a valid field value). */
const NONE = Symbol('none');

/** Where a record's fields are read from: a Y.Map, or anything else with `get` (lib/domain does not know Yjs). */
export interface FieldSource {
  get(field: string): unknown;
}

export interface StoredRecord<S extends Shape> {
  /** The field names, in the shape's order. */
  readonly fields: readonly (keyof S & string)[];
  /** The zod form of the same rules: a field with a fallback is `.catch(fallback)`. */
  readonly schema: z.ZodObject<Shape>;
  /** The record from `source.get(field)`; undefined when a field without a fallback is wrong. Only the shape's fields. */
  read(source: FieldSource): Out<S> | undefined;
  /** The same for a value that should be a plain object (a Yjs JSON value): anything else is no record. */
  parse(value: unknown): Out<S> | undefined;
}

export function storedRecord<S extends Shape>(shape: S, fallbacks: { [K in keyof S]?: z.output<S[K]> } = {}): StoredRecord<S> {
  const fields = Object.keys(shape) as (keyof S & string)[];
  const checks = fields.map((f) => fastCheck(shape[f]!));
  const hasFallback = fields.map((f) => Object.hasOwn(fallbacks, f));
  const fallback = fields.map((f) => fallbacks[f]);
  /** `i`-th field's value as read, its fallback, or NONE. Called per field of ~100k records: no allocation here. */
  const field = (i: number, v: unknown): unknown => (checks[i]!(v) ? v : hasFallback[i] ? fallback[i] : NONE);
  return {
    fields,
    schema: z.object(Object.fromEntries(fields.map((f, i) => [f, hasFallback[i] ? shape[f]!.catch(fallback[i]) : shape[f]!]))),
    read(source) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const v = field(i, source.get(fields[i]!));
        if (v === NONE) return undefined;
        out[fields[i]!] = v;
      }
      return out as Out<S>;
    },
    parse(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      const o = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const v = field(i, o[fields[i]!]);
        if (v === NONE) return undefined;
        out[fields[i]!] = v;
      }
      return out as Out<S>;
    },
  };
}

import { typeLabel, type Schema, type Signature } from '@/lib/react';

/** One input or output of a signature as the table shows it: name, type, shape (tensors), optional (columns). */
export interface SignatureRow {
  name: string;
  type: string;
  /** `(-1, 4)` for a tensor; empty for a column. */
  shape: string;
  optional: boolean;
}

/** REGUI-5: a schema's rows. An unnamed column or tensor is named by its position (`[0]`), as MLflow's UI does. */
export function schemaRows(schema: Schema | null | undefined): SignatureRow[] {
  if (!schema) return [];
  if (schema.kind === 'columns') {
    return schema.columns.map((c, i) => ({ name: c.name ?? `[${i}]`, type: typeLabel(c.type), shape: '', optional: !c.required }));
  }
  return schema.tensors.map((t, i) => ({ name: t.name ?? `[${i}]`, type: `Tensor (${t.dtype})`, shape: `(${t.shape.join(', ')})`, optional: false }));
}

/** How one row differs between two versions' schemas. */
export interface SchemaDiffRow {
  side: 'inputs' | 'outputs';
  name: string;
  /** One entry per version compared: the row's description there, or null where it is missing. */
  cells: (string | null)[];
  same: boolean;
}

const describe = (r: SignatureRow) => `${r.type}${r.shape ? ` ${r.shape}` : ''}${r.optional ? ' (optional)' : ''}`;

/**
 * REGUI-8: inputs and outputs of several signatures, aligned by name (first appearance order); `same` when every
 * version has the row with the same type, shape and optionality. A version with no signature has no rows.
 */
export function schemaDiff(signatures: readonly (Signature | null)[]): SchemaDiffRow[] {
  const out: SchemaDiffRow[] = [];
  for (const side of ['inputs', 'outputs'] as const) {
    const perVersion = signatures.map((s) => new Map(schemaRows(s?.[side]).map((r) => [r.name, describe(r)])));
    const names: string[] = [];
    for (const m of perVersion) for (const n of m.keys()) if (!names.includes(n)) names.push(n);
    for (const name of names) {
      const cells = perVersion.map((m) => m.get(name) ?? null);
      out.push({ side, name, cells, same: cells.every((c) => c !== null && c === cells[0]) });
    }
  }
  return out;
}

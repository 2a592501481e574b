import type { ReactNode } from 'react';

export interface Column {
  /** React key; defaults to the label when it is a string. */
  id?: string;
  label: ReactNode;
  /** Extra classes for this header cell (alignment, width, case). */
  className?: string;
}

/** The one header row style of every table in the app. */
export default function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr className="border-b border-stone-300 text-left text-xs uppercase tracking-wide text-stone-500">
        {columns.map((c, i) => (
          <th key={c.id ?? (typeof c.label === 'string' ? c.label : i)} scope="col" className={`py-1.5 pr-4 font-medium ${c.className ?? ''}`}>
            {c.label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

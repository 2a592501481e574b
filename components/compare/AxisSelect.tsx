'use client';

import { useId } from 'react';
import type { Axis } from '@/lib/react';
import { axisLabel, parseAxis } from './run-values';

/** A labelled picker of one axis among `axes` (any param, metric or attribute of the runs: run-values.ts). */
export default function AxisSelect({ label, axes, value, onChange }: { label: string; axes: readonly Axis[]; value: Axis | null; onChange: (a: Axis) => void }) {
  const id = useId();
  const current = value ? axisLabel(value) : '';
  return (
    <span className="inline-flex items-center gap-1 text-sm">
      <label htmlFor={id} className="text-stone-600 dark:text-stone-400">
        {label}
      </label>
      <select
        id={id}
        value={current}
        onChange={(e) => {
          const a = parseAxis(e.target.value);
          if (a) onChange(a);
        }}
        className="max-w-56 rounded border border-stone-300 bg-white px-1 py-0.5 font-mono text-xs focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 dark:bg-stone-900 dark:border-stone-600"
      >
        {!current && <option value="">choose…</option>}
        {axes.map((a) => (
          <option key={axisLabel(a)} value={axisLabel(a)}>
            {axisLabel(a)}
          </option>
        ))}
      </select>
    </span>
  );
}

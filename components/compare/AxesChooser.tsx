'use client';

import type { Axis } from '@/lib/react';
import { axisLabel, sameAxis } from './run-values';

/** Checkboxes choosing the axes of a parallel-coordinates chart, in the order of `axes`; at most `max` at once. */
export default function AxesChooser({ axes, chosen, onChange, max }: { axes: readonly Axis[]; chosen: readonly Axis[]; onChange: (a: Axis[]) => void; max: number }) {
  const isChosen = (a: Axis) => chosen.some((c) => sameAxis(c, a));
  const toggle = (a: Axis) => onChange(isChosen(a) ? chosen.filter((c) => !sameAxis(c, a)) : axes.filter((x) => isChosen(x) || sameAxis(x, a)));
  return (
    <details className="text-sm">
      <summary className="cursor-pointer rounded px-1 text-stone-700 hover:text-sky-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 dark:text-stone-300">
        Axes ({chosen.length} of {axes.length})
      </summary>
      <fieldset className="mt-1 flex max-h-48 flex-wrap gap-x-4 gap-y-1 overflow-y-auto rounded border border-stone-200 p-2 dark:border-stone-700">
        <legend className="sr-only">Axes of the parallel coordinates</legend>
        {axes.map((a) => {
          const label = axisLabel(a);
          const on = isChosen(a);
          return (
            <label key={label} className="inline-flex items-center gap-1 font-mono text-xs">
              <input type="checkbox" checked={on} disabled={!on && chosen.length >= max} onChange={() => toggle(a)} />
              {label}
            </label>
          );
        })}
      </fieldset>
    </details>
  );
}

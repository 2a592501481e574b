'use client';

import { useState } from 'react';
import { ATTRIBUTE_COLUMNS, ATTRIBUTE_LABELS, columnId, type TableKeys } from '@/lib/react';
import { useDismiss } from './use-dismiss';

const FOCUS = 'focus-visible:outline-2 focus-visible:outline-sky-600';

/**
 * "Columns": attributes, any param, any metric (latest, and min/max on demand) or tag of the experiment's runs, each a
 * checkbox; the key lists come from the experiment index (useTableKeys). A search box narrows long key lists.
 */
export default function ColumnPicker({ shown, keys, onChange }: { shown: string[]; keys: TableKeys; onChange: (columns: string[]) => void }) {
  const [find, setFind] = useState('');
  const menu = useDismiss();
  const set = new Set(shown);
  const toggle = (id: string) => onChange(set.has(id) ? shown.filter((c) => c !== id) : [...shown, id]);
  const match = (k: string) => k.toLowerCase().includes(find.trim().toLowerCase());
  const box = (id: string, label: string) => (
    <label key={id} className="flex items-center gap-1.5 py-0.5 whitespace-nowrap">
      <input type="checkbox" checked={set.has(id)} disabled={id === 'attr:name'} onChange={() => toggle(id)} className={FOCUS} />
      <span className="truncate">{label}</span>
    </label>
  );
  return (
    <details ref={menu} className="relative">
      <summary className={`cursor-pointer list-none rounded border border-stone-300 px-2 py-1 text-xs hover:bg-stone-100 ${FOCUS} dark:border-stone-600 dark:hover:bg-stone-800`}>Columns</summary>
      <div role="group" aria-label="Columns" className="absolute z-30 mt-1 max-h-96 w-80 overflow-auto rounded border border-stone-300 bg-white p-2 text-xs shadow dark:bg-stone-900 dark:border-stone-600">
        <label className="mb-2 block">
          <span className="sr-only">Find a key</span>
          <input value={find} onChange={(e) => setFind(e.target.value)} placeholder="Find a key" className="w-full rounded border border-stone-300 px-1.5 py-0.5 dark:border-stone-600" />
        </label>
        <fieldset className="mb-2">
          <legend className="font-semibold text-stone-600 dark:text-stone-400">Attributes</legend>
          {ATTRIBUTE_COLUMNS.map((a) => box(columnId('attr', a), ATTRIBUTE_LABELS[a]))}
        </fieldset>
        <fieldset className="mb-2">
          <legend className="font-semibold text-stone-600 dark:text-stone-400">Metrics (latest · min · max)</legend>
          {keys.metrics.filter(match).map((k) => (
            <div key={k} className="flex items-center gap-2">
              {box(columnId('metric', k), k)}
              <label className="flex items-center gap-0.5 text-stone-500 dark:text-stone-400">
                <input type="checkbox" aria-label={`${k} min`} checked={set.has(columnId('metricmin', k))} onChange={() => toggle(columnId('metricmin', k))} className={FOCUS} />
                min
              </label>
              <label className="flex items-center gap-0.5 text-stone-500 dark:text-stone-400">
                <input type="checkbox" aria-label={`${k} max`} checked={set.has(columnId('metricmax', k))} onChange={() => toggle(columnId('metricmax', k))} className={FOCUS} />
                max
              </label>
            </div>
          ))}
          {keys.metrics.length === 0 && <p className="text-stone-400">No metrics logged.</p>}
        </fieldset>
        <fieldset className="mb-2">
          <legend className="font-semibold text-stone-600 dark:text-stone-400">Params</legend>
          {keys.params.filter(match).map((k) => box(columnId('param', k), k))}
          {keys.params.length === 0 && <p className="text-stone-400">No params logged.</p>}
        </fieldset>
        <fieldset>
          <legend className="font-semibold text-stone-600 dark:text-stone-400">Tags</legend>
          {keys.tags.filter(match).map((k) => box(columnId('tag', k), k))}
          {keys.tags.length === 0 && <p className="text-stone-400">No tags.</p>}
        </fieldset>
      </div>
    </details>
  );
}

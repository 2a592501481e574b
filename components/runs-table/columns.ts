import { parseColumn } from '@/lib/react';

/** Fixed widths per column (px): a virtualized table cannot let cell contents size its columns as rows come and go. */
export function columnWidth(id: string): number {
  const c = parseColumn(id);
  if (!c) return 120;
  if (c.kind === 'attr') return ({ name: 240, status: 100, created: 160, duration: 90, user: 120, source: 180, version: 110, dataset: 180 } as const)[c.key as 'name'] ?? 120;
  if (c.kind === 'tag') return 150;
  return 120;
}

/** Metric-valued columns are right-aligned numbers. */
export const isNumeric = (id: string): boolean => /^(metric|metricmin|metricmax):/.test(id) || id === 'attr:duration';

/** The fixed columns before the data columns: select, pin; after them: actions. */
export const LEAD_WIDTHS = [36, 36] as const;
export const ACTIONS_WIDTH = 96;

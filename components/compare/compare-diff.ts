import type { RunRow } from '@/lib/react';
import { formatDuration, formatMetric, formatTime } from '../format';

/**
 * The rows of compare's diff table (CMP-2): one per attribute, param, metric (latest value) and tag that any of the
 * runs has, with each run's value as shown and whether they differ. Pure, so "only differences" is tested as data.
 */

export type DiffSection = 'attribute' | 'param' | 'metric' | 'tag';

export interface DiffRow {
  section: DiffSection;
  key: string;
  /** One per run, in the runs' order; null when that run has no value. */
  values: (string | null)[];
  /** Some run's value differs from another's (a run without the key differs from one with it). */
  differs: boolean;
}

export const SECTION_TITLES: Record<DiffSection, string> = {
  attribute: 'Attributes',
  param: 'Parameters',
  metric: 'Metrics (latest)',
  tag: 'Tags',
};

/** Attributes first, in this order; the run name is the column header, so it is not a row. */
const ATTRIBUTE_ROWS: [string, (r: RunRow) => string | null][] = [
  ['Status', (r) => r.info.status],
  ['User', (r) => r.info.userId || null],
  ['Start time', (r) => (r.info.startTime ? formatTime(r.info.startTime) : null)],
  ['Duration', (r) => (r.info.endTime !== null && r.info.startTime ? formatDuration(r.info.endTime - r.info.startTime) : null)],
  ['Datasets', (r) => (r.datasets.length ? r.datasets.map((d) => d.name).join(', ') : null)],
];

function differs(values: readonly (string | number | null)[]): boolean {
  return values.some((v) => !Object.is(v, values[0]));
}

function keyRows(section: DiffSection, runs: readonly RunRow[], of: (r: RunRow) => Record<string, unknown>, show: (v: unknown) => string): DiffRow[] {
  const recs = runs.map(of);
  const keys = new Set<string>();
  for (const rec of recs) for (const k of Object.keys(rec)) keys.add(k);
  return [...keys]
    .sort((a, b) => a.localeCompare(b))
    .map((key) => {
      const raw = recs.map((rec) => (Object.hasOwn(rec, key) ? rec[key] : null));
      // Compare raw values (a metric's 0.1 + 0.2 differs from 0.3 even where both display as 0.3).
      const cmp = raw.map((v) => (v === null ? null : typeof v === 'number' ? v : String(v)));
      return { section, key, values: raw.map((v) => (v === null ? null : show(v))), differs: differs(cmp) };
    });
}

/** Every row of the diff table for these runs, sections in order: attributes, params, metrics, tags. */
export function diffRows(runs: readonly RunRow[]): DiffRow[] {
  const attrs = ATTRIBUTE_ROWS.map(([key, f]): DiffRow => {
    const values = runs.map(f);
    return { section: 'attribute', key, values, differs: differs(values) };
  });
  return [
    ...attrs,
    ...keyRows('param', runs, (r) => r.params, String),
    ...keyRows('metric', runs, (r) => Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, m.latest])), (v) => formatMetric(v as number)),
    ...keyRows('tag', runs, (r) => r.tags, String),
  ];
}

/** The rows to show: all of them, or with "only differences" just those where the runs do not all agree. */
export function visibleDiffRows(rows: readonly DiffRow[], onlyDifferences: boolean): DiffRow[] {
  return onlyDifferences ? rows.filter((r) => r.differs) : [...rows];
}

import type { Axis, CardConfig, CardKind, RunRow } from '@/lib/react';
import { axisLabel, defaultParallelAxes, defaultScatterAxes, metricKeysOf } from '../compare/run-values';

/** The kinds of dashboard card, as the "Add card" form offers them. */
export const CARD_KINDS: { kind: CardKind; label: string }[] = [
  { kind: 'line', label: 'Line over runs' },
  { kind: 'scatter', label: 'Scatter' },
  { kind: 'parallel', label: 'Parallel coordinates' },
  { kind: 'bar', label: 'Bar of latest values' },
  { kind: 'table', label: 'Runs table' },
];

/** Runs a new chart card draws: the newest ten of the experiment. */
export const DEFAULT_CARD_RUNS = 10;
/** Axes a new parallel-coordinates card starts with. */
const DEFAULT_PARALLEL_AXES = 6;

/** A new card of `kind` filled from what the experiment's runs have (its first metric, params as axes). */
export function defaultCard(kind: CardKind, runs: readonly RunRow[]): CardConfig {
  const metric = metricKeysOf(runs)[0] ?? 'loss';
  const selection = { mode: 'filter' as const, filter: '', limit: DEFAULT_CARD_RUNS };
  switch (kind) {
    case 'line':
      return { kind, title: '', metric, runs: selection };
    case 'bar':
      return { kind, title: '', metric, runs: selection };
    case 'scatter':
      return { kind, title: '', ...defaultScatterAxes(runs), runs: selection };
    case 'parallel': {
      const axes = defaultParallelAxes(runs, DEFAULT_PARALLEL_AXES);
      const two: Axis[] = axes.length >= 2 ? axes : [{ kind: 'attr', key: 'start_time' }, { kind: 'attr', key: 'duration' }];
      return { kind, title: '', axes: two, runs: selection };
    }
    case 'table':
      return { kind, title: '', metric, order: 'desc', limit: DEFAULT_CARD_RUNS, filter: '' };
  }
}

/** What a card is called when its title is empty: what it shows. */
export function cardTitle(c: CardConfig): string {
  if (c.title.trim()) return c.title;
  switch (c.kind) {
    case 'line':
      return c.metric;
    case 'bar':
      return `Latest ${c.metric}`;
    case 'scatter':
      return `${axisLabel(c.y)} vs ${axisLabel(c.x)}`;
    case 'parallel':
      return 'Parallel coordinates';
    case 'table':
      return `Top runs by ${c.metric}`;
  }
}

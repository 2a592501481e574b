import type { Axis, CardConfig } from '@/lib/react';
import { axisLabel, parseAxis } from '../compare/run-values';

/**
 * `/embed/?...` links (BOARD-E1): one chart of chosen runs, alone, for iframes in notebooks and docs. The query holds
 * everything the chart needs, so a link keeps working for anyone who can open the workspace:
 *   experiment=<expId>  runs=<id1>,<id2>,...  chart=line|bar|scatter|parallel (default line)
 *   line, bar: metric=<key>     scatter: x=<axis>&y=<axis>     parallel: axes=<axis>,<axis>,...
 *   line chart settings: s.<name>=<value> (the card's settings, as the line chart keeps them)
 * Axes are written as `params.lr`, `metrics.loss`, `attributes.duration` (run-values.ts axisLabel).
 */

export type ChartSpec =
  | { kind: 'line'; metric: string; settings: Record<string, string | number | boolean | null> }
  | { kind: 'bar'; metric: string }
  | { kind: 'scatter'; x: Axis; y: Axis }
  | { kind: 'parallel'; axes: Axis[] };

export interface EmbedSpec {
  experimentId: string;
  runIds: string[];
  chart: ChartSpec;
}

/** Runs one embedded chart may draw (the worker refuses more, as for a card). */
const MAX_EMBED_RUNS = 100;
const SETTING_PREFIX = 's.';
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The chart a card shows (and its embed link draws); null for a card that is not a chart (the runs table). */
export function chartOfCard(config: CardConfig): ChartSpec | null {
  switch (config.kind) {
    case 'line':
      return { kind: 'line', metric: config.metric, settings: { ...(config.settings ?? {}) } };
    case 'bar':
      return { kind: 'bar', metric: config.metric };
    case 'scatter':
      return { kind: 'scatter', x: config.x, y: config.y };
    case 'parallel':
      return { kind: 'parallel', axes: config.axes };
    case 'table':
      return null;
  }
}

/** The path and query of an embed link (prefix the app's origin for a full URL). */
export function embedPath(spec: EmbedSpec): string {
  const q = new URLSearchParams();
  q.set('experiment', spec.experimentId);
  q.set('runs', spec.runIds.join(','));
  const c = spec.chart;
  if (c.kind !== 'line') q.set('chart', c.kind);
  if (c.kind === 'line' || c.kind === 'bar') q.set('metric', c.metric);
  if (c.kind === 'scatter') {
    q.set('x', axisLabel(c.x));
    q.set('y', axisLabel(c.y));
  }
  if (c.kind === 'parallel') q.set('axes', c.axes.map(axisLabel).join(','));
  if (c.kind === 'line') for (const [k, v] of Object.entries(c.settings)) if (v !== null) q.set(SETTING_PREFIX + k, String(v));
  return `/embed/?${q.toString()}`;
}

/** A setting's value from the query: numbers and booleans as such, the rest as text. */
function settingValue(s: string): string | number | boolean {
  if (s === 'true') return true;
  if (s === 'false') return false;
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) ? n : s;
}

/** Reads an embed query back; a query that cannot draw a chart says why (the embed page shows it). */
export function parseEmbedQuery(q: URLSearchParams): { ok: true; spec: EmbedSpec } | { ok: false; message: string } {
  const experimentId = q.get('experiment')?.trim() ?? '';
  if (!experimentId) return { ok: false, message: 'The link names no experiment (experiment=).' };
  const runIds = [...new Set((q.get('runs') ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
  if (runIds.length === 0) return { ok: false, message: 'The link names no runs (runs=<id>,<id>).' };
  if (runIds.length > MAX_EMBED_RUNS) return { ok: false, message: `An embedded chart draws at most ${MAX_EMBED_RUNS} runs; the link names ${runIds.length}.` };
  const kind = q.get('chart') ?? 'line';
  const metric = q.get('metric')?.trim() ?? '';
  const base = { experimentId, runIds };
  switch (kind) {
    case 'line':
    case 'bar': {
      if (!metric) return { ok: false, message: 'The link names no metric (metric=<key>).' };
      if (kind === 'bar') return { ok: true, spec: { ...base, chart: { kind, metric } } };
      const settings: Record<string, string | number | boolean> = {};
      for (const [k, v] of q) {
        const name = k.slice(SETTING_PREFIX.length);
        // A link is input from anyone: a setting named like a prototype key is dropped, never assigned.
        if (k.startsWith(SETTING_PREFIX) && name && !UNSAFE_KEYS.has(name)) settings[name] = settingValue(v);
      }
      return { ok: true, spec: { ...base, chart: { kind, metric, settings } } };
    }
    case 'scatter': {
      const x = parseAxis(q.get('x') ?? '');
      const y = parseAxis(q.get('y') ?? '');
      if (!x || !y) return { ok: false, message: 'A scatter link needs x= and y= axes (params.<key>, metrics.<key> or attributes.<name>).' };
      return { ok: true, spec: { ...base, chart: { kind, x, y } } };
    }
    case 'parallel': {
      const axes = (q.get('axes') ?? '').split(',').map(parseAxis);
      if (axes.length < 2 || axes.some((a) => a === null)) return { ok: false, message: 'A parallel-coordinates link needs axes= with two or more axes.' };
      return { ok: true, spec: { ...base, chart: { kind, axes: axes as Axis[] } } };
    }
    default:
      return { ok: false, message: `Unknown chart '${kind}' (line, bar, scatter or parallel).` };
  }
}

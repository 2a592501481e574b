import type { Axis, CardConfig, LineSettings } from '@/lib/react';
import { axisLabel, parseAxis } from '../compare/run-values';

/**
 * `/embed/?...` links (BOARD-E1): one chart of chosen runs, alone, for iframes in notebooks and docs. The query holds
 * everything the chart needs, so a link keeps working for anyone who can open the workspace:
 *   experiment=<expId>  runs=<id1>,<id2>,...  chart=line|bar|scatter|parallel (default line)
 *   line, bar: metric=<key>     scatter: x=<axis>&y=<axis>     parallel: axes=<axis>,<axis>,...
 *   line chart settings (components/charts' ChartSettings): s.smoothing=<0..100>, s.xAxis=step|wall|relative|metric:<key>,
 *   s.logX, s.logY, s.clipOutliers = true|false; anything else is ignored
 * Axes are written as `params.lr`, `metrics.loss`, `attributes.duration` (run-values.ts axisLabel).
 */

export type ChartSpec =
  | { kind: 'line'; metric: string; settings: LineSettings }
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
const FLAGS = ['logX', 'logY', 'clipOutliers'] as const;

function settingsQuery(q: URLSearchParams, s: LineSettings): void {
  if (s.smoothing !== undefined) q.set(`${SETTING_PREFIX}smoothing`, String(s.smoothing));
  if (s.xAxis) q.set(`${SETTING_PREFIX}xAxis`, s.xAxis.kind === 'metric' ? `metric:${s.xAxis.key}` : s.xAxis.kind);
  for (const f of FLAGS) if (s[f] !== undefined) q.set(SETTING_PREFIX + f, String(s[f]));
}

/** The line settings of a link: only the known ones, each checked (a link is input from anyone). */
function settingsOf(q: URLSearchParams): LineSettings {
  const out: LineSettings = {};
  const get = (name: string) => q.get(SETTING_PREFIX + name);
  const smoothing = Number(get('smoothing') ?? NaN);
  if (Number.isFinite(smoothing)) out.smoothing = Math.min(100, Math.max(0, smoothing));
  const x = get('xAxis');
  if (x === 'step' || x === 'wall' || x === 'relative') out.xAxis = { kind: x };
  else if (x?.startsWith('metric:') && x.length > 'metric:'.length) out.xAxis = { kind: 'metric', key: x.slice('metric:'.length) };
  for (const f of FLAGS) {
    const v = get(f);
    if (v === 'true' || v === 'false') out[f] = v === 'true';
  }
  return out;
}

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
  if (c.kind === 'line') settingsQuery(q, c.settings);
  return `/embed/?${q.toString()}`;
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
      const settings = settingsOf(q);
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

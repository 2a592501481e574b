import type { XAxis } from '@/lib/react';

export type { XAxis };

/**
 * How a line chart is drawn, shared by every chart of a page (the run page, compare, a dashboard card): the
 * ChartControls edit it, the chart reads it. Plain JSON, so a dashboard can store it and a URL can carry it.
 */
export interface ChartSettings {
  /** EMA smoothing weight, 0 (off) .. 100 (heaviest): see smoothingBeta. */
  smoothing: number;
  xAxis: XAxis;
  logX: boolean;
  logY: boolean;
  /** y range from the 5th–95th percentiles (with a margin) instead of the extremes: W&B's "ignore outliers". */
  clipOutliers: boolean;
}

export const DEFAULT_CHART_SETTINGS: ChartSettings = Object.freeze({
  smoothing: 0,
  xAxis: Object.freeze({ kind: 'step' }) as XAxis,
  logX: false,
  logY: false,
  clipOutliers: false,
});

/** The smoothing slider (0..100) as the EMA's β: linear up to 0.999 (β = 1 would never move). */
export function smoothingBeta(smoothing: number): number {
  if (!Number.isFinite(smoothing) || smoothing <= 0) return 0;
  return Math.min(0.999, smoothing / 100);
}

/** Short label of an x axis (axis name, select option). */
export function xAxisLabel(x: XAxis): string {
  switch (x.kind) {
    case 'step':
      return 'step';
    case 'wall':
      return 'wall time';
    case 'relative':
      return 'relative time (s)';
    case 'metric':
      return x.key;
  }
}

/** Settings read from untrusted JSON (a stored dashboard, a URL): anything odd falls back to the default. */
export function chartSettingsFrom(raw: unknown): ChartSettings {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const x = (o.xAxis && typeof o.xAxis === 'object' ? o.xAxis : {}) as Record<string, unknown>;
  const xAxis: XAxis =
    x.kind === 'wall' || x.kind === 'relative' || x.kind === 'step'
      ? { kind: x.kind }
      : x.kind === 'metric' && typeof x.key === 'string' && x.key.length > 0
        ? { kind: 'metric', key: x.key }
        : DEFAULT_CHART_SETTINGS.xAxis;
  const smoothing = typeof o.smoothing === 'number' && Number.isFinite(o.smoothing) ? Math.min(100, Math.max(0, o.smoothing)) : 0;
  return { smoothing, xAxis, logX: o.logX === true, logY: o.logY === true, clipOutliers: o.clipOutliers === true };
}

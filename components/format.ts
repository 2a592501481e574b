/**
 * Display formatting shared by the tracking screens. Pure functions: no React, no data access. The readers hand over
 * checked records (lib/doc SPEC.md DOC-L5), but a formatter still never throws on a value that is not what its type
 * says: it shows a blank or an em dash, so one odd value cannot take a whole page down.
 */

const isNumber = (v: unknown): v is number => typeof v === 'number';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2026-11-27 14:03:09` in local time; an em dash for a missing time (0 = unknown, e.g. the Default experiment). */
export function formatTime(ms: number | null | undefined): string {
  if (!isNumber(ms) || !Number.isFinite(ms) || ms <= 0) return '—';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** MLflow-style duration: `850ms`, `12.3s`, `4.2min`, `1.5h`, `2.0d`. */
export function formatDuration(ms: number | null | undefined): string {
  if (!isNumber(ms) || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const min = s / 60;
  if (min < 60) return `${min.toFixed(1)}min`;
  const h = min / 60;
  if (h < 24) return `${h.toFixed(1)}h`;
  return `${(h / 24).toFixed(1)}d`;
}

/** Metric values: integers as they are, others to 6 significant digits; NaN and ±Infinity spelled out. */
export function formatMetric(v: number | undefined): string {
  if (!isNumber(v)) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** `1,234` — fixed locale so tests and screenshots read the same everywhere. */
export function formatCount(n: number): string {
  return isNumber(n) ? n.toLocaleString('en-US') : '';
}

export function formatBytes(n: number): string {
  if (!isNumber(n) || !Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** What names a run in a table or heading: its name, or its id when it has none (a peer may have sent a bad one). */
export function runLabel(info: { runId: string; runName: string }): string {
  return info.runName || info.runId;
}

/** The same for an experiment. */
export function experimentLabel(e: { experimentId: string; name: string }): string {
  return e.name || e.experimentId;
}

/** Message of a thrown command error (`CairnError` or its wire shape), for showing in a form. */
export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err && typeof (err as { message: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}

/**
 * One colour per run, the same in every chart, table swatch and legend of every page: picked from the run id (a
 * stable hash into a palette readable on light and dark backgrounds), so two people see the same run in the same
 * colour without storing anything. Callers may override per view (a user-chosen colour); this is the default.
 */
export const RUN_PALETTE = [
  '#0369a1', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0f766e', '#a16207', '#be185d',
  '#4338ca', '#4d7c0f', '#9f1239', '#0e7490', '#6d28d9', '#b45309', '#047857', '#1d4ed8',
] as const;

/** FNV-1a over the id's UTF-16 code units: fast, stable across sessions and machines. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function runColor(runId: string): string {
  return RUN_PALETTE[hash(runId) % RUN_PALETTE.length]!;
}

import type { Skipped } from './source';

/** What `cairn import mlflow` did: counts of what it wrote and of what the target already had, and every skip. */
export interface ImportSummary {
  experiments: { created: number; reused: number };
  runs: { created: number; updated: number; unchanged: number };
  params: { written: number; present: number };
  tags: { written: number; present: number };
  points: { written: number; present: number };
  artifacts: { written: number; present: number; bytes: number };
  inputs: { written: number; present: number };
  /** MIO-12: registered models and their versions. */
  registry: { models: { written: number; present: number }; versions: { written: number; present: number } };
  skipped: Skipped[];
}

export function emptyImportSummary(): ImportSummary {
  return {
    experiments: { created: 0, reused: 0 },
    runs: { created: 0, updated: 0, unchanged: 0 },
    params: { written: 0, present: 0 },
    tags: { written: 0, present: 0 },
    points: { written: 0, present: 0 },
    artifacts: { written: 0, present: 0, bytes: 0 },
    inputs: { written: 0, present: 0 },
    registry: { models: { written: 0, present: 0 }, versions: { written: 0, present: 0 } },
    skipped: [],
  };
}

/** Skips listed one per line up to this many; the rest are counted by kind and reason. */
const LISTED_SKIPS = 50;

/** The summary as the CLI prints it: one line per record type, then the skips with their reasons. */
export function formatImportSummary(s: ImportSummary): string {
  const lines = [
    `experiments  ${s.experiments.created} created, ${s.experiments.reused} already present`,
    `runs         ${s.runs.created} created, ${s.runs.updated} completed, ${s.runs.unchanged} already present`,
    `params       ${s.params.written} written, ${s.params.present} already present`,
    `tags         ${s.tags.written} written, ${s.tags.present} already present`,
    `metric points ${s.points.written} written, ${s.points.present} already present`,
    `artifacts    ${s.artifacts.written} written (${formatBytes(s.artifacts.bytes)}), ${s.artifacts.present} already present`,
    `inputs       ${s.inputs.written} written, ${s.inputs.present} already present`,
    `registry     ${s.registry.models.written} models and ${s.registry.versions.written} versions written, ${s.registry.models.present} models and ${s.registry.versions.present} versions already present`,
  ];
  return [...lines, ...formatSkips(s.skipped)].join('\n') + '\n';
}

export function formatSkips(skipped: readonly Skipped[]): string[] {
  if (skipped.length === 0) return ['skipped      nothing'];
  const counts = new Map<string, number>();
  for (const k of skipped) counts.set(`${k.kind} (${k.reason})`, (counts.get(`${k.kind} (${k.reason})`) ?? 0) + 1);
  const out = [`skipped      ${skipped.length}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`];
  for (const k of skipped.slice(0, LISTED_SKIPS)) out.push(`  ${k.reason}: ${k.kind} ${k.item}: ${k.detail}`);
  if (skipped.length > LISTED_SKIPS) out.push(`  ... and ${skipped.length - LISTED_SKIPS} more`);
  return out;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

'use client';

import Link from 'next/link';
import type { Stage } from '@/lib/react';
import { modelHref, versionHref, versionLabel } from './links';

const STAGE_STYLE: Record<Stage, string> = {
  None: 'bg-stone-100 text-stone-600',
  Staging: 'bg-amber-100 text-amber-900',
  Production: 'bg-emerald-100 text-emerald-900',
  Archived: 'bg-stone-200 text-stone-500',
};

/** A version's stage as a small badge. */
export function StageBadge({ stage }: { stage: Stage }) {
  return <span data-testid="stage-badge" className={`rounded px-1.5 py-0.5 text-xs ${STAGE_STYLE[stage] ?? STAGE_STYLE.None}`}>{stage}</span>;
}

/** An alias as a chip (`@champion`). */
export function AliasChip({ alias }: { alias: string }) {
  return (
    <span data-testid="alias-chip" className="rounded-full border border-sky-200 bg-sky-50 px-2 py-0.5 font-mono text-xs text-sky-900">
      @{alias}
    </span>
  );
}

/** A link to a version's page, labelled `v3` or "pending". */
export function VersionLink({ v }: { v: { name: string; version: number | null; versionId: string } }) {
  return (
    <Link prefetch={false} href={versionHref(v)} className={`hover:underline ${v.version === null ? 'italic text-stone-500' : 'text-sky-800'}`}>
      {versionLabel(v)}
    </Link>
  );
}

/** A link to the run a version was registered from. */
export function RunLink({ runId }: { runId: string | null | undefined }) {
  if (!runId) return <span className="text-stone-400">—</span>;
  return (
    <Link prefetch={false} href={`/run/?id=${encodeURIComponent(runId)}`} data-testid="source-run" className="font-mono text-xs text-sky-800 hover:underline">
      {runId.slice(0, 8)}…
    </Link>
  );
}

/** The registry pages' trail: "Models /", then the model's name when the page is below it. */
export function ModelsTrail({ model }: { model?: string }) {
  return (
    <p className="text-xs text-stone-500">
      <Link prefetch={false} href="/models/" className="hover:underline">
        Models
      </Link>{' '}
      /
      {model !== undefined && (
        <>
          {' '}
          <Link prefetch={false} href={modelHref(model)} className="hover:underline">
            {model}
          </Link>{' '}
          /
        </>
      )}
    </p>
  );
}

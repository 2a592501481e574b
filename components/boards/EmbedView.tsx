'use client';

import { useSearchParams } from 'next/navigation';
import { useMemo, type ReactNode } from 'react';
import { useBoardRuns, type RunId } from '@/lib/react';
import LoadError from '../LoadError';
import ChartOfRuns from './ChartOfRuns';
import { parseEmbedQuery } from './embed-link';

/**
 * `/embed/?experiment=<expId>&runs=<ids>&metric=<key>[&chart=...]`: one chart of the chosen runs alone, filling the
 * frame (BOARD-E2: AppShell draws this route without its header). Live like every view: a running run's chart grows.
 */
export default function EmbedView() {
  const params = useSearchParams();
  const parsed = useMemo(() => parseEmbedQuery(new URLSearchParams(params.toString())), [params]);
  const spec = parsed.ok ? parsed.spec : null;
  const selected = useBoardRuns(spec?.experimentId ?? null, spec ? { mode: 'selected', runIds: spec.runIds as RunId[] } : null);

  if (!parsed.ok) return <Message alert>{parsed.message}</Message>;
  if (selected.error) return <LoadError error={selected.error} />;
  const data = selected.data;
  if (!data) return <Message>Loading chart…</Message>;
  if (data.runs.length === 0) return <Message alert>None of the runs of this link are in the experiment (unknown, deleted, or not synced yet).</Message>;
  return (
    <figure data-testid="embed-chart" className="flex h-full flex-col">
      {data.missing.length > 0 && <p className="text-xs text-amber-800">{data.missing.length} of the link's runs are not in the experiment.</p>}
      <div className="relative min-h-0 flex-1">
        <div className="absolute inset-0">
          <ChartOfRuns chart={parsed.spec.chart} runs={data.runs} />
        </div>
      </div>
    </figure>
  );
}

function Message({ children, alert }: { children: ReactNode; alert?: boolean }) {
  return (
    <p role={alert ? 'alert' : undefined} data-testid="embed-message" className={`p-3 text-sm ${alert ? 'text-red-800' : 'text-stone-500'}`}>
      {children}
    </p>
  );
}

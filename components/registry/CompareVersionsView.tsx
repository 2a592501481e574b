'use client';

import { useSearchParams } from 'next/navigation';
import type { VersionCompareEntry } from '@/lib/react';
import { useCompareModelVersions } from '@/lib/react';
import { formatMetric } from '../format';
import LoadError from '../LoadError';
import PageSection from '../PageSection';
import { ModelsTrail, RunLink, StageBadge, VersionLink } from './bits';
import { schemaDiff } from './signature-rows';

interface Row {
  key: string;
  cells: string[];
  differs: boolean;
}

/** REGUI-8: one row per key of any version's run, a cell per version (blank where that run has no such key). */
export function valueRows(entries: readonly VersionCompareEntry[], pick: (e: VersionCompareEntry) => Record<string, string> | undefined): Row[] {
  const keys = [...new Set(entries.flatMap((e) => Object.keys(pick(e) ?? {})))].sort((a, b) => a.localeCompare(b));
  return keys.map((key) => {
    const cells = entries.map((e) => pick(e)?.[key] ?? '');
    return { key, cells, differs: cells.some((c) => c !== cells[0]) };
  });
}

function Table({ label, entries, rows }: { label: string; entries: readonly VersionCompareEntry[]; rows: Row[] }) {
  if (rows.length === 0) return <p className="text-sm text-stone-500">None.</p>;
  return (
    <div className="overflow-x-auto">
      <table aria-label={label} className="w-full border-collapse text-sm">
        <thead>
          <tr className="border-b border-stone-300 text-left text-xs text-stone-500">
            <th scope="col" className="py-1.5 pr-4 font-medium uppercase tracking-wide">
              Key
            </th>
            {entries.map((e) => (
              <th key={e.version.versionId} scope="col" className="py-1.5 pr-4 font-medium">
                <VersionLink v={e.version} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-testid="compare-row" data-key={r.key} data-differs={r.differs} className={`border-b border-stone-100 ${r.differs ? 'bg-amber-50' : ''}`}>
              <th scope="row" className="py-1 pr-4 text-left font-mono text-xs font-normal">
                {r.key}
              </th>
              {r.cells.map((c, i) => (
                <td key={i} className="break-all py-1 pr-4 font-mono text-xs">
                  {c || <span className="text-stone-400">—</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `/compare-versions/?name=&versions=1,2`: versions of a model side by side: their runs' params and metrics, their schemas. */
export default function CompareVersionsView() {
  const params = useSearchParams();
  const name = params.get('name') ?? '';
  const versions = (params.get('versions') ?? '')
    .split(',')
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
  const { data, error, loading } = useCompareModelVersions(name || null, versions);
  if (!name) return <p className="text-sm text-stone-600">No model name given.</p>;
  if (error) return <LoadError error={error} />;
  if (loading && data === undefined) return <p className="text-sm text-stone-500">Loading versions…</p>;
  if (!data) return null;
  const { entries, missing } = data;
  const schema = schemaDiff(entries.map((e) => (e.files.state === 'ok' ? e.files.signature : null)));
  return (
    <article className="space-y-6">
      <header className="space-y-2">
        <ModelsTrail model={data.model.name} />
        <h1 className="text-xl font-semibold">Compare {entries.length} versions of {data.model.name}</h1>
        {missing.length > 0 && (
          <p role="status" className="text-xs text-amber-900">
            Not found: {missing.map((n) => `v${n}`).join(', ')}
          </p>
        )}
      </header>
      <PageSection title="Versions">
        <Table
          label="Versions"
          entries={entries}
          rows={[
            { key: 'stage', cells: entries.map((e) => e.version.stage), differs: false },
            { key: 'aliases', cells: entries.map((e) => e.version.aliases.map((a) => `@${a}`).join(' ')), differs: false },
            { key: 'source run', cells: entries.map((e) => e.run?.runName || e.version.runId || ''), differs: false },
          ].map((r) => ({ ...r, differs: r.cells.some((c) => c !== r.cells[0]) }))}
        />
        <ul className="flex flex-wrap gap-4 text-xs">
          {entries.map((e) => (
            <li key={e.version.versionId} className="inline-flex items-center gap-1">
              <VersionLink v={e.version} /> <StageBadge stage={e.version.stage} /> <RunLink runId={e.version.runId} />
            </li>
          ))}
        </ul>
      </PageSection>
      <PageSection title="Parameters">
        <Table label="Parameters" entries={entries} rows={valueRows(entries, (e) => e.run?.params)} />
      </PageSection>
      <PageSection title="Metrics">
        <Table
          label="Metrics"
          entries={entries}
          rows={valueRows(entries, (e) => (e.run ? Object.fromEntries(Object.entries(e.run.metrics).map(([k, v]) => [k, formatMetric(v)])) : undefined))}
        />
      </PageSection>
      <PageSection title="Schema">
        {schema.length === 0 ? (
          <p className="text-sm text-stone-500">No version has a signature.</p>
        ) : (
          <Table label="Schema" entries={entries} rows={schema.map((r) => ({ key: `${r.side}: ${r.name}`, cells: r.cells.map((c) => c ?? ''), differs: !r.same }))} />
        )}
      </PageSection>
    </article>
  );
}

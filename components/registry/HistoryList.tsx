'use client';

import type { HistoryEntry, RegistryEventKind } from '@/lib/react';
import { formatTime } from '../format';
import { versionLabel } from './links';
import TableHead from '../TableHead';

const WHAT: Record<RegistryEventKind, string> = {
  'model.create': 'created the model',
  'model.rename': 'renamed the model',
  'model.description': 'edited the description',
  'model.tag': 'tag',
  'model.delete': 'deleted the model',
  'version.create': 'registered a version',
  'version.number': 'numbered by the relay',
  'version.stage': 'stage',
  'version.description': 'edited the description',
  'version.tag': 'tag',
  'version.delete': 'deleted the version',
  'alias.set': 'alias',
  'alias.delete': 'removed alias',
};

/** What an event's from/to shows: version ids (aliases) as their version label, text cut short. */
function valueOf(v: HistoryEntry['from'], label: (versionId: string) => string, isVersionId: boolean): string {
  if (v === null || v === undefined) return '—';
  if (isVersionId && typeof v === 'string') return label(v);
  const s = String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/**
 * REGUI-6: the history of a model or a version, newest first: who, when, what, from → to. A move that lost to a
 * concurrent change (REG-H2 `lost`) is marked, and one replaced later is shown as superseded.
 */
export default function HistoryList({ entries, versions }: { entries: HistoryEntry[]; versions: readonly { versionId: string; version: number | null }[] }) {
  if (entries.length === 0) return <p className="text-sm text-stone-500">No history.</p>;
  const byId = new Map(versions.map((v) => [v.versionId, v]));
  // Only creations carry the user's name; the writer (actor) of other events is the same device, so it names them too.
  const userOf = new Map<string, string>();
  for (const e of entries) if (e.userId && !userOf.has(e.actor)) userOf.set(e.actor, e.userId);
  const labelOf = (versionId: string) => {
    const v = byId.get(versionId);
    return v ? versionLabel(v) : `${versionId.slice(0, 8)}… (deleted)`;
  };
  const rows = [...entries].reverse();
  return (
    <table aria-label="History" data-testid="history" className="w-full border-collapse text-sm">
      <TableHead columns={[{ label: 'When' }, { label: 'Who' }, { label: 'What' }, { label: 'From → to' }, { id: 'outcome', label: <span className="sr-only">Outcome</span> }]} />
      <tbody>
        {rows.map((e) => {
          const alias = e.kind.startsWith('alias.');
          const key = e.key ? ` ${alias ? '@' : ''}${e.key}` : '';
          return (
            <tr key={e.id} data-testid="history-row" data-kind={e.kind} data-outcome={e.outcome} className={`border-b border-stone-100 ${e.outcome === 'lost' ? 'bg-amber-50' : ''}`}>
              <td className="whitespace-nowrap py-1 pr-4 text-xs text-stone-600">{formatTime(e.at)}</td>
              <td className="py-1 pr-4 text-xs" title={`actor ${e.actor}`}>
                {e.userId || userOf.get(e.actor) || <span className="font-mono text-stone-500">{e.actor.slice(0, 8)}</span>}
              </td>
              <td className="py-1 pr-4 text-xs">
                {WHAT[e.kind] ?? e.kind}
                <span className="font-mono">{key}</span>
                {e.kind === 'version.stage' && !alias && e.versionId && <span className="text-stone-500"> of {labelOf(e.versionId)}</span>}
              </td>
              <td className="py-1 pr-4 font-mono text-xs">
                {valueOf(e.from, labelOf, alias)} → {valueOf(e.to, labelOf, alias)}
              </td>
              <td className="py-1 text-xs">
                {e.outcome === 'lost' && (
                  <span data-testid="history-lost" className="rounded bg-amber-100 px-1.5 py-0.5 text-amber-900" title="Made at the same time as another change, which the merge kept">
                    lost to a concurrent change
                  </span>
                )}
                {e.outcome === 'superseded' && <span className="text-stone-400">superseded</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

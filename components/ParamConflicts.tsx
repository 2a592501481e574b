import type { ParamConflict } from '@/lib/domain';
import { formatTime } from './format';

/** Params are write-once: a concurrent writer that lost is listed here, never silently dropped. */
export default function ParamConflicts({ conflicts }: { conflicts: ParamConflict[] }) {
  if (conflicts.length === 0) return null;
  return (
    <section aria-label="Parameter conflicts" data-testid="param-conflicts" className="rounded border border-amber-200 bg-amber-50 p-3">
      <h3 className="mb-1 text-sm font-semibold text-amber-900">Parameter conflicts</h3>
      <ul className="space-y-0.5 text-sm text-amber-900">
        {conflicts.map((c) => (
          <li key={`${c.key}|${c.rejectedBy}|${c.at}|${c.rejectedValue}`}>
            <span className="font-mono">{c.key}</span> — conflict: kept <span className="font-mono">{c.keptValue}</span>, rejected{' '}
            <span className="font-mono">{c.rejectedValue}</span>
            <span className="text-xs text-amber-700">
              {' '}
              (from {c.rejectedBy}, {formatTime(c.at)})
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

import type { RunStatus } from '@/lib/domain';

const STYLE: Record<RunStatus, string> = {
  RUNNING: 'bg-sky-100 text-sky-800',
  SCHEDULED: 'bg-stone-100 text-stone-700',
  FINISHED: 'bg-emerald-100 text-emerald-800',
  FAILED: 'bg-red-100 text-red-800',
  KILLED: 'bg-amber-100 text-amber-900',
};

export default function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span data-testid="run-status" className={`rounded px-1.5 py-0.5 text-xs font-medium ${STYLE[status]}`}>
      {status}
    </span>
  );
}

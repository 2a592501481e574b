'use client';

import { useSyncStatus } from '@/lib/react';
import type { SyncState } from '@/lib/react';

const STYLE: Record<SyncState, string> = {
  offline: 'bg-stone-100 text-stone-600 ring-stone-300',
  connecting: 'bg-amber-50 text-amber-800 ring-amber-300',
  syncing: 'bg-sky-50 text-sky-800 ring-sky-300',
  synced: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  error: 'bg-red-50 text-red-800 ring-red-300',
};

const DOT: Record<SyncState, string> = {
  offline: 'bg-stone-400',
  connecting: 'bg-amber-500 animate-pulse',
  syncing: 'bg-sky-500 animate-pulse',
  synced: 'bg-emerald-500',
  error: 'bg-red-500',
};

/** The sync state machine's current state, read-only (STYLE habit 8): the UI shows it and never drives it. */
export default function SyncBadge() {
  const status = useSyncStatus();
  const title = [status.relay ? `Relay: ${status.relay}` : 'Local only: no relay configured', status.detail]
    .filter(Boolean)
    .join('\n');
  return (
    <span className="flex items-center gap-2">
      <span
        data-testid="sync-status"
        data-state={status.state}
        role="status"
        aria-label={`Sync status: ${status.state}`}
        title={title}
        className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLE[status.state]}`}
      >
        <span aria-hidden className={`h-1.5 w-1.5 rounded-full ${DOT[status.state]}`} />
        {status.state}
      </span>
      {status.readOnly && (
        <span data-testid="read-only" className="rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">
          read-only: changes stay on this device
        </span>
      )}
      {status.state === 'error' && status.detail && (
        <span data-testid="sync-error" className="max-w-xs truncate text-xs text-red-700" title={status.detail}>
          {status.detail}
        </span>
      )}
    </span>
  );
}

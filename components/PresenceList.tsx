'use client';

import { usePresence } from '@/lib/react';

const MAX_SHOWN = 5;

/** Who else is in this workspace right now (awareness), as coloured initials with the name on hover. */
export default function PresenceList() {
  const peers = usePresence();
  const shown = peers.slice(0, MAX_SHOWN);
  return (
    <ul data-testid="presence" aria-label="People in this workspace" className="flex items-center -space-x-1">
      {shown.map((p) => (
        <li
          key={p.clientId}
          title={p.name}
          data-testid="presence-peer"
          className="flex h-6 w-6 items-center justify-center rounded-full text-[11px] font-semibold text-white ring-2 ring-white"
          style={{ backgroundColor: p.color }}
        >
          <span aria-hidden>{initials(p.name)}</span>
          <span className="sr-only">{p.name}</span>
        </li>
      ))}
      {peers.length > MAX_SHOWN && (
        <li className="pl-2 text-xs text-stone-500" title={peers.slice(MAX_SHOWN).map((p) => p.name).join(', ')}>
          +{peers.length - MAX_SHOWN}
        </li>
      )}
    </ul>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  return parts.length === 1 ? parts[0]!.slice(0, 2).toUpperCase() : (parts[0]![0]! + parts[1]![0]!).toUpperCase();
}

import type { Awareness } from 'y-protocols/awareness';

/**
 * Presence over the workspace doc's awareness: each client publishes `{ user: { name, color } }`. Peer states come
 * from other people's browsers, so they are validated and clipped before anything shows them.
 */

/** Longest name shown for a peer; anything longer is cut, not refused (it is someone else's input). */
const MAX_PEER_NAME = 64;
/** Colors readable on light and dark backgrounds; a peer keeps its color across sessions (hashed from the actor). */
const PALETTE = ['#e11d48', '#db2777', '#9333ea', '#4f46e5', '#2563eb', '#0891b2', '#059669', '#65a30d', '#d97706', '#ea580c'];

/** Same shape as lib/react/contract.ts `Peer`. */
export interface PeerView {
  clientId: number;
  name: string;
  color: string;
}

export function colorFor(actor: string): string {
  let h = 0;
  for (let i = 0; i < actor.length; i++) h = (h * 31 + actor.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

export function setLocalUser(awareness: Awareness, name: string, color: string): void {
  awareness.setLocalStateField('user', { name, color });
}

/** Everyone else present in the workspace (not this client), ordered by name then client id. */
export function peersOf(awareness: Awareness): PeerView[] {
  const out: PeerView[] = [];
  for (const [clientId, state] of awareness.getStates()) {
    if (clientId === awareness.clientID) continue;
    const user = (state as { user?: unknown }).user;
    if (!user || typeof user !== 'object') continue;
    const { name, color } = user as { name?: unknown; color?: unknown };
    if (typeof name !== 'string' || name.trim() === '') continue;
    out.push({
      clientId,
      name: name.slice(0, MAX_PEER_NAME),
      color: typeof color === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(color) ? color : '#6b7280',
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.clientId - b.clientId);
}

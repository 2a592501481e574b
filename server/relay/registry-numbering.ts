import type * as Y from 'yjs';
import { invalid } from '../../lib/domain/index';
import { assignVersionNumbers, mayHavePendingVersions, readRegistry } from '../../lib/registry/index';
import type { Room } from './rooms';

/** The actor the relay writes version numbers as (REG-N1). */
export const NUMBERING_ACTOR = 'relay';

const noRunDoc = (): Y.Doc => {
  throw invalid('no run doc in a registry numbering write');
};

/**
 * REG-N1: the relay is the registry's numbering authority. After a workspace room committed an update (a peer's
 * version registered offline arriving, or any other change) or was loaded (a crash between a commit and its numbering),
 * every version still without a number gets one, committed as the relay's own write and sent to every peer. Deferred
 * to a microtask so it never runs inside the commit that triggered it. Returns how many it numbered (tests).
 */
export function numberPendingVersions(room: Room): number {
  if (readRegistry(room.doc).pending.length === 0) return 0;
  let n = 0;
  room.writeLocal((d) => {
    n = assignVersionNumbers({ ws: d, actor: NUMBERING_ACTOR, runDoc: noRunDoc });
  });
  return n;
}

/** Schedules `numberPendingVersions` after the current commit (cheap when no version lacks a number). */
export function scheduleNumbering(room: Room, onError: (err: unknown) => void): void {
  // No view is built for the check: most commits change no version.
  if (!mayHavePendingVersions(room.doc)) return;
  queueMicrotask(() => {
    try {
      numberPendingVersions(room);
    } catch (err) {
      // A failed commit rebuilt the doc from the store: the versions stay pending and the next commit numbers them.
      onError(err);
    }
  });
}

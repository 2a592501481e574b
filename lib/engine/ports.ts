import type * as Y from 'yjs';

/**
 * The doc engine's ports (doc-engine.ts, SPEC.md ENG-*): the local log a doc is stored in and the remote side that
 * reaches the relay, with the origins the engine gives the updates it applies. The data worker (IndexedDB log,
 * RoomConnection), the SDK (journal log) and the tests' in-memory logs implement them.
 */

/** Where a doc's updates are kept on this device (IndexedDB in the worker, the journal in the SDK). */
export interface LocalLog {
  /**
   * Applies what is stored for `name` to `doc` with origin LOAD_ORIGIN, then stores every later update of `doc` (any
   * other origin). A bind after an unbind of the same name sees everything the earlier binding stored, including
   * writes still pending at the unbind (ENG-L4).
   */
  bind(name: string, doc: Y.Doc): LocalBinding;
  /** Names of the docs that hold local changes the relay has not acknowledged (ENG-3, ENG-L3). */
  dirty(): Promise<Set<string>>;
  /** Records that `name` holds (or no longer holds) unacknowledged local changes; settles once stored. */
  setDirty(name: string, dirty: boolean): Promise<void>;
  /** Optional: whether `name` is dirty, without listing every dirty name (a log with thousands of dirty docs). */
  isDirty?(name: string): Promise<boolean>;
}

export interface LocalBinding {
  /** Settles when the stored updates are applied (an unreadable log settles too: the relay's copy still comes). */
  readonly loaded: Promise<void>;
  /** Settles after every update emitted so far is stored; rejects if that write failed. */
  whenStored(): Promise<void>;
  /** Stops storing (pending writes complete). */
  unbind(): void;
  /**
   * Applies an update fetched from the relay to the bound doc and stores those bytes as they are, rather than the
   * update Yjs would encode again from them (SYNC-P5). Optional: without it the engine applies the bytes itself.
   */
  applyFetched?(update: Uint8Array, origin: unknown): void;
}

/** How a doc reaches the relay (none when the host works local-only). */
export interface RemoteSide {
  live(doc: Y.Doc, room: string): LiveLink;
  /** What the relay holds of `room` beyond the state vector `sv`, as one update. Rejects when unreachable. */
  fetchMissing(room: string, sv: Uint8Array): Promise<Uint8Array>;
}

export interface LiveLink {
  readonly synced: boolean;
  onSynced(cb: () => void): () => void;
  /** Resolves when the relay persisted everything the doc holds now; rejects when `signal` aborts or it is refused. */
  flush(signal?: AbortSignal): Promise<void>;
  /** Closes once flushes others started are done. */
  release(): void;
  /** Closes at once. */
  destroy(): void;
}

export const LOAD_ORIGIN = Symbol('cairn-engine-load');
export const FETCH_ORIGIN = Symbol('cairn-engine-fetch');

/** Whether a transaction changed the doc, as Yjs decides whether to emit 'update': items added or deleted. */
export function changedDoc(tr: Y.Transaction): boolean {
  if (tr.deleteSet.clients.size > 0) return true;
  for (const [client, clock] of tr.afterState) if (tr.beforeState.get(client) !== clock) return true;
  return false;
}

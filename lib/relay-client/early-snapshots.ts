import { fetchRoomSnapshot, type FetchLike } from './snapshot-fetch';
import { normaliseRelay } from './urls';

/** An early snapshot not taken by then is dropped: it was for a page that never asked, and it holds megabytes. */
export const EARLY_SNAPSHOT_TTL_MS = 15_000;

/**
 * Snapshots of rooms fetched before anything holds their docs: the data worker's first module starts them for the docs
 * a cold page will open (workers/boot.ts, components/charts/SPEC.md CHART-18) while the rest of the worker still
 * loads. The doc engine's first snapshot fetch of the same room, from the same relay with the same token, takes the
 * answer instead of asking again (lib/engine relay-remote.ts); each is taken at most once, within `ttlMs`.
 *
 * Taking one in place of `GET /docs/<room>?sv=<the doc's state>` is safe: it is the relay's whole state of the room
 * when it was asked, a superset of what the doc lacked then (Yjs applies what it holds already as a no-op), and no
 * older than `ttlMs`, which a doc in snapshot or poll mode tolerates anyway (it is a snapshot of a finished run). A
 * fetch that failed is not reused: the taker asks again.
 */
export class EarlySnapshots {
  private readonly entries = new Map<string, { bytes: Promise<Uint8Array>; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly fetchImpl: FetchLike,
    private readonly ttlMs = EARLY_SNAPSHOT_TTL_MS,
  ) {}

  /** `GET <relay>/docs/<room>` now, kept for the first `take` of the same relay, token and room. */
  start(relay: string, room: string, token: string | null): void {
    const key = keyOf(relay, room, token);
    if (key === null || this.entries.has(key)) return;
    // Low priority: a browser has six connections to a host, and the page's small requests made later (the experiment
    // index, a run doc) go ahead of the early docs still queued instead of waiting for all of them.
    const lowPriority: FetchLike = (input, init) => this.fetchImpl(input, { ...init, priority: 'low' });
    const bytes = fetchRoomSnapshot(lowPriority, relay, room, token);
    // A failure is the taker's to handle (it fetches again); nobody taking it must not be an unhandled rejection.
    bytes.catch(() => {});
    const timer = setTimeout(() => this.entries.delete(key), this.ttlMs);
    this.entries.set(key, { bytes, timer });
  }

  /** The early answer for this relay, token and room, once; null when there is none (never started, taken, expired). */
  take(relay: string, room: string, token: string | null): Promise<Uint8Array> | null {
    const key = keyOf(relay, room, token);
    const e = key === null ? undefined : this.entries.get(key);
    if (!e) return null;
    clearTimeout(e.timer);
    this.entries.delete(key!);
    return e.bytes;
  }

  /** How many are waiting to be taken. */
  get size(): number {
    return this.entries.size;
  }
}

function keyOf(relay: string, room: string, token: string | null): string | null {
  try {
    return `${normaliseRelay(relay).http}\n${token ?? ''}\n${room}`;
  } catch {
    return null;
  }
}

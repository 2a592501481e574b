import { fetchIndex, fetchRoomSnapshot, type FetchLike } from './snapshot-fetch';
import { normaliseRelay } from './urls';

/** An early snapshot not taken by then is dropped: it was for a page that never asked, and it holds megabytes. */
export const EARLY_SNAPSHOT_TTL_MS = 15_000;

/**
 * Snapshots asked for before anything holds them: the data worker's first module starts them for what a cold page
 * opens first (workers/boot.ts, components/charts/SPEC.md CHART-18) while the rest of the worker still loads. Two
 * kinds: a room's whole state (`GET /docs/<room>`), which the doc engine's first snapshot fetch of the same room
 * takes (lib/engine relay-remote.ts), and an experiment's index from scratch (`GET /index/<ws>/<exp>?since=0`),
 * which lib/sync's ExperimentRuns takes for its first fetch of that experiment when it holds no saved copy. Each is
 * taken at most once, by a request to the same relay with the same token, within `ttlMs`.
 *
 * Taking one in place of the request the taker would make is safe: a room's snapshot is the relay's whole state of it
 * when it was asked, a superset of what the doc lacked (Yjs applies what it holds already as a no-op); an index
 * snapshot is exactly the `since=0` answer, and the taker catches up with a delta right after, as it does after any
 * snapshot. Neither is older than `ttlMs`. A fetch that failed is not reused: the taker asks again.
 */
export class EarlySnapshots {
  private readonly entries = new Map<string, { bytes: Promise<Uint8Array>; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly fetchImpl: FetchLike,
    private readonly ttlMs = EARLY_SNAPSHOT_TTL_MS,
  ) {}

  /**
   * `GET <relay>/docs/<room>` now, kept for the first `take` of the same relay, token and room. Low priority: a
   * browser has six connections to a host, and the page's small requests made later (a run doc, the experiment
   * index) go ahead of the early docs still queued instead of waiting for all of them.
   */
  start(relay: string, room: string, token: string | null): void {
    const low: FetchLike = (input, init) => this.fetchImpl(input, { ...init, priority: 'low' });
    this.begin(keyOf(relay, token, `docs:${room}`), () => fetchRoomSnapshot(low, relay, room, token));
  }

  /** The early answer for this relay, token and room, once; null when there is none (never started, taken, expired). */
  take(relay: string, room: string, token: string | null): Promise<Uint8Array> | null {
    return this.takeKey(keyOf(relay, token, `docs:${room}`));
  }

  /** `GET <relay>/index/<workspace>/<experimentId>?since=0` now (the page's first need: normal priority). */
  startIndex(relay: string, workspace: string, experimentId: string, token: string | null): void {
    this.begin(keyOf(relay, token, `index:${workspace}\n${experimentId}`), () => fetchIndex(this.fetchImpl, relay, workspace, experimentId, token, 0, ''));
  }

  /** The early `since=0` index of this experiment, once; null when there is none. */
  takeIndex(relay: string, workspace: string, experimentId: string, token: string | null): Promise<Uint8Array> | null {
    return this.takeKey(keyOf(relay, token, `index:${workspace}\n${experimentId}`));
  }

  /** How many are waiting to be taken. */
  get size(): number {
    return this.entries.size;
  }

  private begin(key: string | null, ask: () => Promise<Uint8Array>): void {
    if (key === null || this.entries.has(key)) return;
    const bytes = ask();
    // A failure is the taker's to handle (it fetches again); nobody taking it must not be an unhandled rejection.
    bytes.catch(() => {});
    const timer = setTimeout(() => this.entries.delete(key), this.ttlMs);
    this.entries.set(key, { bytes, timer });
  }

  private takeKey(key: string | null): Promise<Uint8Array> | null {
    const e = key === null ? undefined : this.entries.get(key);
    if (!e) return null;
    clearTimeout(e.timer);
    this.entries.delete(key!);
    return e.bytes;
  }
}

function keyOf(relay: string, token: string | null, what: string): string | null {
  try {
    return `${normaliseRelay(relay).http}\n${token ?? ''}\n${what}`;
  } catch {
    return null;
  }
}

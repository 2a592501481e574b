import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * Limits on presence (SPEC.md RELAY-27). Awareness is not document data and is never stored, but the relay keeps the
 * latest state of every client id and replays all of them to each joiner, so without limits one peer (a read token
 * too) can make the relay hold and resend anything it likes, or overwrite another user's presence by reusing their id.
 */

/** A presence state is a name, a colour, a cursor: 16 KiB is generous, and bounds what a joiner is replayed. */
export const MAX_AWARENESS_STATE_BYTES = 16 * 1024;
/** One provider has one awareness id; a few more allow a connection to carry a couple of local editors. */
export const MAX_AWARENESS_IDS_PER_CONNECTION = 4;
/** Entries one awareness update may list (a provider sends one; removals on leave may list a few). */
export const MAX_AWARENESS_ENTRIES = 16;
/** The largest awareness message that can pass: refused while still arriving (message-guard.ts), never buffered. */
export const MAX_AWARENESS_MESSAGE_BYTES = 16 + MAX_AWARENESS_ENTRIES * (MAX_AWARENESS_STATE_BYTES + 32);
/** Cursor moves arrive at pointer rate; 20 updates a second keeps presence live without letting a peer flood. */
export const AWARENESS_UPDATES_PER_SECOND = 20;
export const AWARENESS_BURST = 40;
/**
 * What one party (a token, or a connection in open mode) may do across all its sockets and rooms: many viewers may share
 * one read token, so its rate is higher than one socket's, but 64 sockets of one token no longer get 64 budgets.
 */
export const PRINCIPAL_UPDATES_PER_SECOND = 100;
export const PRINCIPAL_BURST = 200;
/** Presence bytes one party may have the relay hold (and replay to every joiner) at once, over all rooms. */
export const MAX_AWARENESS_BYTES_PER_PRINCIPAL = 256 * 1024;

export class AwarenessRefused extends Error {}

/** A token bucket: `take()` spends one unit if there is one. */
class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.last = now();
  }
  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }
  has(): boolean {
    this.refill();
    return this.tokens >= 1;
  }
  take(): void {
    this.tokens -= 1;
  }
  /** Milliseconds until one unit is there. */
  wait(): number {
    this.refill();
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
  }
}

/** One party's shared presence budget: rate over all its sockets, bytes held over all its rooms. */
export class AwarenessBudget {
  readonly bucket: Bucket;
  heldBytes = 0;
  constructor(now: () => number = Date.now) {
    this.bucket = new Bucket(PRINCIPAL_UPDATES_PER_SECOND, PRINCIPAL_BURST, now);
  }
}

/** One entry of an awareness update: the state as the JSON text it travels as ('null' = removed). */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: string;
}
type Entry = AwarenessEntry;

/**
 * One connection's gate: validates an awareness update, drops entries for ids another connection holds (or beyond
 * this connection's quota of ids), and rate-limits what is left; over the rate, the latest entry per id waits and is
 * applied when the budget allows, so the final state always arrives.
 */
export class AwarenessGate {
  private readonly bucket: Bucket;
  private readonly deferred = new Map<number, Entry>();
  /** Bytes of the state this connection has the relay hold, per client id (charged to the party's budget). */
  private readonly held = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Applies an (already filtered) awareness update to the room. */
    private readonly apply: (update: Uint8Array) => void,
    private readonly budget: AwarenessBudget = new AwarenessBudget(),
    now: () => number = Date.now,
  ) {
    this.bucket = new Bucket(AWARENESS_UPDATES_PER_SECOND, AWARENESS_BURST, now);
  }

  /**
   * `mine`: ids this connection already holds; `heldByOther(id)`: true when another connection holds it.
   * Throws AwarenessRefused for a malformed or oversized update (the caller closes 4400).
   */
  receive(update: Uint8Array, mine: ReadonlySet<number>, heldByOther: (id: number) => boolean): void {
    const entries = decodeEntries(update);
    let quota = MAX_AWARENESS_IDS_PER_CONNECTION - mine.size;
    const kept: Entry[] = [];
    for (const e of entries) {
      if (mine.has(e.clientId) || this.deferred.has(e.clientId)) kept.push(e);
      else if (!heldByOther(e.clientId) && quota > 0) {
        quota--;
        kept.push(e);
      }
    }
    if (kept.length === 0) return;
    if (this.deferred.size === 0 && this.bucket.has() && this.budget.bucket.has()) return this.send(kept);
    for (const e of kept) this.deferred.set(e.clientId, e);
    this.schedule();
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.deferred.clear();
    for (const bytes of this.held.values()) this.budget.heldBytes -= bytes;
    this.held.clear();
  }

  /** Spends one unit of both budgets and applies what fits in the party's held-bytes budget. */
  private send(entries: Entry[]): void {
    const fits: Entry[] = [];
    for (const e of entries) {
      const size = e.state === 'null' ? 0 : e.state.length;
      const delta = size - (this.held.get(e.clientId) ?? 0);
      if (delta > 0 && this.budget.heldBytes + delta > MAX_AWARENESS_BYTES_PER_PRINCIPAL) continue;
      this.budget.heldBytes += delta;
      if (size === 0) this.held.delete(e.clientId);
      else this.held.set(e.clientId, size);
      fits.push(e);
    }
    if (fits.length === 0) return;
    this.bucket.take();
    this.budget.bucket.take();
    this.apply(encodeEntries(fits));
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(this.bucket.wait(), this.budget.bucket.wait());
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.deferred.size === 0) return;
      if (!this.bucket.has() || !this.budget.bucket.has()) return this.schedule();
      const entries = [...this.deferred.values()];
      this.deferred.clear();
      this.send(entries);
    }, wait);
    this.timer.unref();
  }
}

/** y-protocols' awareness update: varuint n, then n × (varuint clientId, varuint clock, varString JSON state). */
function decodeEntries(update: Uint8Array): Entry[] {
  const d = decoding.createDecoder(update);
  const entries: Entry[] = [];
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    const n = decoding.readVarUint(d);
    if (n > MAX_AWARENESS_ENTRIES) throw new AwarenessRefused(`awareness update lists ${n} clients`);
    for (let i = 0; i < n; i++) {
      const clientId = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      // Read the length first: an oversized state is refused before it is copied or decoded.
      const len = decoding.readVarUint(d);
      if (len > MAX_AWARENESS_STATE_BYTES) {
        throw new AwarenessRefused(`awareness state of ${len} bytes is over the limit of ${MAX_AWARENESS_STATE_BYTES}`);
      }
      const state = text.decode(decoding.readUint8Array(d, len));
      JSON.parse(state);
      entries.push({ clientId, clock, state });
    }
  } catch (err) {
    if (err instanceof AwarenessRefused) throw err;
    throw new AwarenessRefused(`malformed awareness update: ${(err as Error).message}`);
  }
  return entries;
}

/** y-protocols' awareness update encoding, entry by entry (the body of a type-1 message). */
export function encodeEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const x of entries) {
    encoding.writeVarUint(e, x.clientId);
    encoding.writeVarUint(e, x.clock);
    encoding.writeVarString(e, x.state);
  }
  return encoding.toUint8Array(e);
}

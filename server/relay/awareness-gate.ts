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
/** Cursor moves arrive at pointer rate; 20 updates a second keeps presence live without letting a peer flood. */
export const AWARENESS_UPDATES_PER_SECOND = 20;
export const AWARENESS_BURST = 40;

export class AwarenessRefused extends Error {}

interface Entry {
  clientId: number;
  clock: number;
  state: string;
}

/**
 * One connection's gate: validates an awareness update, drops entries for ids another connection holds (or beyond
 * this connection's quota of ids), and rate-limits what is left; over the rate, the latest entry per id waits and is
 * applied when the budget allows, so the final state always arrives.
 */
export class AwarenessGate {
  private tokens = AWARENESS_BURST;
  private last: number;
  private readonly deferred = new Map<number, Entry>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Applies an (already filtered) awareness update to the room. */
    private readonly apply: (update: Uint8Array) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.last = this.now();
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
    this.refill();
    if (this.tokens >= 1 && this.deferred.size === 0) {
      this.tokens -= 1;
      this.apply(encodeEntries(kept));
      return;
    }
    for (const e of kept) this.deferred.set(e.clientId, e);
    this.schedule();
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.deferred.clear();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(AWARENESS_BURST, this.tokens + ((t - this.last) / 1000) * AWARENESS_UPDATES_PER_SECOND);
    this.last = t;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) / AWARENESS_UPDATES_PER_SECOND) * 1000));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refill();
      if (this.deferred.size === 0) return;
      if (this.tokens < 1) return this.schedule();
      this.tokens -= 1;
      const entries = [...this.deferred.values()];
      this.deferred.clear();
      this.apply(encodeEntries(entries));
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
    if (n > MAX_AWARENESS_IDS_PER_CONNECTION * 4) throw new AwarenessRefused(`awareness update lists ${n} clients`);
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

function encodeEntries(entries: Entry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const x of entries) {
    encoding.writeVarUint(e, x.clientId);
    encoding.writeVarUint(e, x.clock);
    encoding.writeVarString(e, x.state);
  }
  return encoding.toUint8Array(e);
}

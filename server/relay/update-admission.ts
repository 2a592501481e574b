import * as Y from 'yjs';

/**
 * Which peer updates a room takes in (SPEC.md RELAY-24, RELAY-25). Yjs trusts whoever sends a struct: it does not
 * authenticate client ids, and it parks structs whose predecessors it has not seen as "pending", to be integrated
 * later. A hostile peer can use both to make another writer's acknowledged updates vanish (a struct under the victim's
 * id at its next clock makes the victim's own struct at that clock look like a duplicate). So, before anything is
 * applied or stored, an update must
 *   - continue every client's clock sequence from what the room holds (no gap, inside the update or before it),
 *   - reference only items that exist (in the room or earlier in the update; a client's own items precede it),
 *   - delete only clocks that exist,
 *   - add structs only under client ids that no other writer holds in this room right now.
 * The check is a single pass over the decoded structs; the room keeps a second line of defence (anything Yjs still
 * leaves pending after applying is rolled back, RELAY-25).
 */

export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

export type Admission =
  | { ok: true; /** Client ids that get new structs (claimed by the sender). */ claims: number[] }
  | {
      ok: false;
      /** gap: data the room lacks (a race, or a trick); claimed: another writer's id; invalid: no client makes it. */
      reason: 'gap' | 'claimed' | 'invalid';
      message: string;
      /** For each client the update touched, the clock the room must reach before the sender's data is complete. */
      needs: Map<number, number>;
    };

/** Who holds a client id in a room: the principal (token id, or the connection in open mode). */
export type ClaimLookup = (client: number) => string | undefined;

interface Span {
  /** The room's clock for this client before the update. */
  before: number;
  /** End of the contiguous run of structs the update adds (>= before). */
  end: number;
  /** Highest clock the update mentions for this client, contiguous or not. */
  touched: number;
}

export function admitUpdate(doc: Y.Doc, update: DecodedUpdate, principal: string, holderOf: ClaimLookup): Admission {
  const spans = new Map<number, Span>();
  const span = (client: number): Span => {
    let s = spans.get(client);
    if (!s) {
      const before = Y.getState(doc.store, client);
      s = { before, end: before, touched: before };
      spans.set(client, s);
    }
    return s;
  };
  let problem: string | null = null;
  let invalid: string | null = null;
  const note = (message: string) => {
    problem ??= message;
  };

  // Pass 1: per-client contiguity. decodeUpdate lists each client's structs in clock order.
  for (const struct of update.structs) {
    const { client, clock } = struct.id;
    const s = span(client);
    const end = clock + struct.length;
    s.touched = Math.max(s.touched, end);
    if (struct instanceof Y.Skip) continue;
    if (clock > s.end) note(`client ${client}: structs start at clock ${clock} but the room holds clocks below ${s.end} only`);
    else s.end = Math.max(s.end, end);
  }

  // Pass 2: every reference points at an item that exists once the update's contiguous part is in.
  const exists = (id: Y.ID): boolean => {
    const s = spans.get(id.client);
    return id.clock < (s ? s.end : Y.getState(doc.store, id.client));
  };
  for (const struct of update.structs) {
    if (!(struct instanceof Y.Item)) continue;
    const refs: [string, Y.ID | null][] = [
      ['origin', struct.origin],
      ['right origin', struct.rightOrigin],
      ['parent', struct.parent instanceof Y.ID ? struct.parent : null],
    ];
    for (const [what, ref] of refs) {
      if (!ref) continue;
      const where = `client ${struct.id.client} clock ${struct.id.clock}: its ${what} ${ref.client}:${ref.clock}`;
      // A client's items only ever point back at items it wrote before: anything else is hand-made.
      if (ref.client === struct.id.client && ref.clock >= struct.id.clock) invalid ??= `${where} is not an earlier item`;
      else if (!exists(ref)) note(`${where} does not exist`);
    }
  }

  // Pass 3: deletions of clocks nobody has written would wait as "pending deletes" and hit future structs.
  for (const [client, ranges] of update.ds.clients) {
    const s = span(client);
    for (const r of ranges) {
      const end = r.clock + r.len;
      s.touched = Math.max(s.touched, end);
      if (end > s.end) note(`client ${client}: deletes clocks up to ${end} but only ${s.end} exist`);
    }
  }

  const claims: number[] = [];
  let claimed: string | null = null;
  for (const [client, s] of spans) {
    if (s.end <= s.before) continue;
    const holder = holderOf(client);
    if (holder !== undefined && holder !== principal) claimed ??= `client id ${client} is held by another writer in this room`;
    claims.push(client);
  }

  if (problem === null && claimed === null && invalid === null) return { ok: true, claims };
  const needs = new Map<number, number>();
  for (const [client, s] of spans) if (s.touched > s.before) needs.set(client, s.touched);
  if (invalid !== null) return { ok: false, reason: 'invalid', message: invalid, needs };
  return problem !== null
    ? { ok: false, reason: 'gap', message: problem, needs }
    : { ok: false, reason: 'claimed', message: claimed!, needs };
}

import { CairnError, errorFromResponse } from '../domain/errors';
import { base64url, normaliseRelay } from './urls';

/** `fetch` as the caller has it (the browser's, Node's, a test's). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A snapshot of a big finished run is a few MB; give a slow link time, but not forever. */
const SNAPSHOT_TIMEOUT_MS = 30_000;

/**
 * `GET <relay>/docs/<room>`: the relay's whole state of one room as one Yjs update (or, with a state vector, what it
 * lacks): the one snapshot fetch of the browser's run docs and the SDK's metric history. Used for finished runs, which
 * need no socket. Errors come back as CairnError with the relay's code (UNAUTHENTICATED, RESOURCE_DOES_NOT_EXIST...).
 */
export async function fetchRoomSnapshot(
  fetchImpl: FetchLike,
  relay: string,
  room: string,
  token: string | null,
  /** The state already held: the relay then sends only what is missing. */
  stateVector?: Uint8Array,
): Promise<Uint8Array> {
  const query = stateVector ? `?sv=${base64url(stateVector)}` : '';
  return getBytes(fetchImpl, relay, `/docs/${roomPath(room)}${query}`, token, `reading room ${room}`);
}

/**
 * `GET <relay>/sv/<room>`: the relay's state vector of one room (what it holds, as Yjs encodes it). A replica upgrading
 * a format-1 store asks it to learn which of its runs hold changes the relay lacks (lib/doc DOC-U3).
 */
export function fetchStateVector(fetchImpl: FetchLike, relay: string, room: string, token: string | null): Promise<Uint8Array> {
  return getBytes(fetchImpl, relay, `/sv/${roomPath(room)}`, token, `reading the state of room ${room}`);
}

/**
 * `GET <relay>/index/<workspace>/<experimentId>?since=&epoch=`: lib/run-index's encoded message (a snapshot, or the
 * delta past `since` when `epoch` is still the relay's), which `decodeIndex` reads and an IndexReplica applies.
 */
export function fetchIndex(
  fetchImpl: FetchLike,
  relay: string,
  workspace: string,
  experimentId: string,
  token: string | null,
  since = 0,
  epoch = '',
): Promise<Uint8Array> {
  const q = `?since=${since}&epoch=${encodeURIComponent(epoch)}`;
  return getBytes(fetchImpl, relay, `/index/${encodeURIComponent(workspace)}/${encodeURIComponent(experimentId)}${q}`, token, `reading the runs of experiment ${experimentId}`);
}

const roomPath = (room: string) => room.split('/').map(encodeURIComponent).join('/');

async function getBytes(fetchImpl: FetchLike, relay: string, path: string, token: string | null, what: string): Promise<Uint8Array> {
  const { http } = normaliseRelay(relay);
  let res: Response;
  try {
    res = await fetchImpl(`${http}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      cache: 'no-store',
      signal: AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS),
    });
  } catch (err) {
    throw new CairnError('TEMPORARILY_UNAVAILABLE', `Could not reach the relay: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw await errorFromResponse(res, what);
  try {
    return await readBody(res);
  } catch (err) {
    // The connection dropped or the timeout struck mid-body: the same as not reaching the relay (SNAP-1).
    throw new CairnError('TEMPORARILY_UNAVAILABLE', `The relay's answer broke off while ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Past this a declared length is not believed up front: the body is read as `arrayBuffer()` reads it. */
const MAX_PREALLOCATED_BYTES = 512 * 1024 * 1024;
/** What a read past the declared length asks for at a time (a proxy that compressed the body sent a shorter one). */
const OVERRUN_READ_BYTES = 64 * 1024;

/**
 * The body's bytes, read straight into one buffer of the length the response declares (SNAP-1), with a BYOB reader.
 * `arrayBuffer()` gathers a body in buffers it grows as the data comes and then copies out: in Chromium's data worker
 * a 1 MB snapshot touched ~5 MB of fresh memory, and fetching a compare page's 50 metrics docs (55 MB) cost the worker
 * 234 MB of page faults and ~490 ms, against 111 MB and ~300 ms this way. A body longer than declared still comes
 * whole, a shorter one is cut to size; where the body is no byte stream, `arrayBuffer()` reads it.
 */
export async function readBody(res: Response): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  let reader: ReadableStreamBYOBReader | null = null;
  if (res.body && Number.isSafeInteger(declared) && declared >= 0 && declared <= MAX_PREALLOCATED_BYTES) {
    try {
      reader = res.body.getReader({ mode: 'byob' });
    } catch {
      reader = null; // not a byte stream
    }
  }
  if (!reader) return new Uint8Array(await res.arrayBuffer());
  // Each read hands `buf` to the stream and gives it back (the same memory) in the view it returns.
  let buf = new ArrayBuffer(declared);
  let at = 0;
  const overrun: Uint8Array[] = [];
  for (;;) {
    const into = at < buf.byteLength;
    const { done, value } = await reader.read(into ? new Uint8Array(buf, at) : new Uint8Array(OVERRUN_READ_BYTES));
    if (into && value) buf = value.buffer as ArrayBuffer;
    if (done) break;
    if (into) at += value.byteLength;
    else overrun.push(value);
  }
  if (overrun.length === 0) return at === buf.byteLength ? new Uint8Array(buf) : new Uint8Array(buf.slice(0, at));
  const out = new Uint8Array(at + overrun.reduce((n, c) => n + c.byteLength, 0));
  out.set(new Uint8Array(buf, 0, at));
  let pos = at;
  for (const c of overrun) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

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
  return new Uint8Array(await res.arrayBuffer());
}

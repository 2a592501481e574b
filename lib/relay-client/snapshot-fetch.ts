import { CairnError, errorFromResponse } from '../domain';
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
  const { http } = normaliseRelay(relay);
  const path = room.split('/').map(encodeURIComponent).join('/');
  const query = stateVector ? `?sv=${base64url(stateVector)}` : '';
  let res: Response;
  try {
    res = await fetchImpl(`${http}/docs/${path}${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      cache: 'no-store',
      signal: AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS),
    });
  } catch (err) {
    throw new CairnError('TEMPORARILY_UNAVAILABLE', `Could not reach the relay: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw await errorFromResponse(res, `reading room ${room}`);
  return new Uint8Array(await res.arrayBuffer());
}


import { CairnError, isErrorCode } from '../domain';
import { base64url, normaliseRelay } from '../relay-client';
import type { FetchLike } from './settings';

/** A snapshot of a big finished run is a few MB; give a slow link time, but not forever. */
const SNAPSHOT_TIMEOUT_MS = 30_000;

/**
 * `GET <relay>/docs/<room>`: the relay's whole state of one room as one Yjs update. Used for finished runs, which
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
  if (!res.ok) {
    let body: { error_code?: unknown; message?: unknown } = {};
    try {
      body = (await res.json()) as typeof body;
    } catch {
      // not the relay's JSON error shape: fall through with the status only
    }
    const code = isErrorCode(body.error_code) ? body.error_code : res.status === 401 ? 'UNAUTHENTICATED' : 'TEMPORARILY_UNAVAILABLE';
    throw new CairnError(code, typeof body.message === 'string' ? body.message : `relay answered ${res.status} for room ${room}`);
  }
  return new Uint8Array(await res.arrayBuffer());
}


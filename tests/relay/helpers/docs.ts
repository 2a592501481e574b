import { expect } from 'vitest';
import * as Y from 'yjs';
import { decodeIndex, type IndexMessage } from '../../../lib/run-index';

/** `GET /docs/<room>` into a fresh Y.Doc. */
export async function fetchDoc(url: string, room: string, token?: string): Promise<Y.Doc> {
  const res = await fetch(`${url}/docs/${room}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(res.status, room).toBe(200);
  const d = new Y.Doc();
  Y.applyUpdate(d, new Uint8Array(await res.arrayBuffer()));
  return d;
}

/** `GET /index/<ws>/<exp>?since=&epoch=`, decoded. */
export async function fetchIndexMessage(url: string, ws: string, exp: string, since = 0, epoch = ''): Promise<IndexMessage> {
  const res = await fetch(`${url}/index/${ws}/${exp}?since=${since}&epoch=${epoch}`);
  expect(res.status, `index ${ws}/${exp}`).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/octet-stream');
  return decodeIndex(new Uint8Array(await res.arrayBuffer()));
}

/**
 * Page tokens (SPEC SEARCH-20): base64 of JSON `{"offset": N}` like MLflow's, plus `q`, a hash of the query the
 * token belongs to, so a token sent with another filter/order/view is refused instead of silently skipping rows.
 * Tokens without `q` (made by MLflow's format) are accepted. We write base64url without padding and read both
 * alphabets; the token stays opaque to callers.
 */
import type { Parsed, SearchError } from './filter-ast';

const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function invalidToken(message: string): { ok: false; error: SearchError } {
  return { ok: false, error: { code: 'INVALID_PARAMETER_VALUE', field: 'page_token', message } };
}

/** FNV-1a over the query description: a mismatch detector, not a security measure. */
export function queryHash(parts: unknown): string {
  const s = JSON.stringify(parts);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function encodePageToken(offset: number, q: string): string {
  return btoa(JSON.stringify({ offset, q })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodePageToken(token: string, q: string): Parsed<number> {
  if (!B64.test(token) || token.replace(/=+$/, '').length % 4 === 1) return invalidToken('Invalid page token, could not base64-decode');
  let json: string;
  try {
    const std = token.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    json = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
  } catch {
    return invalidToken('Invalid page token, could not base64-decode');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return invalidToken(`Invalid page token, decoded value=${JSON.stringify(json.slice(0, 80))} is not JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return invalidToken('Invalid page token, decoded value is not an object');
  const o = parsed as Record<string, unknown>;
  const raw = o.offset;
  const offset = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    return invalidToken(`Invalid page token, offset must be a non-negative integer (got ${JSON.stringify(raw) ?? 'nothing'})`);
  }
  if (o.q !== undefined && o.q !== q) {
    return invalidToken('Invalid page token: it belongs to a search with another filter, order_by, run_view_type or experiments; start again without a page token');
  }
  return { ok: true, value: offset };
}

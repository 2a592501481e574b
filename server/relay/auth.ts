import type { IncomingMessage } from 'node:http';
import type { AuthMode } from './config';
import { roleAtLeast, type Role, type TokenInfo, type TokenStore } from './token-store';

export type Access =
  | { ok: true; role: Role; /** The token's id (null in open mode). */ tokenId: string | null; expiresAt: number | null }
  | { ok: false; code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED'; message: string };

const OPEN_ACCESS: Access = { ok: true, role: 'admin', tokenId: null, expiresAt: null };

/** Decides what a presented token may do. Open mode makes everyone admin everywhere. */
export class Authenticator {
  constructor(
    readonly mode: AuthMode,
    private readonly tokens: TokenStore | null,
  ) {
    if (mode === 'tokens' && !tokens) throw new Error('token mode needs a token store');
  }

  /** Access to one workspace's documents: the token must belong to that workspace. */
  forWorkspace(token: string | null, workspace: string, needed: Role = 'read'): Access {
    if (this.mode === 'open') return OPEN_ACCESS;
    const info = this.lookup(token);
    if (!info.ok) return info;
    if (info.info.workspace !== workspace) {
      return { ok: false, code: 'PERMISSION_DENIED', message: `token is not valid for workspace '${workspace}'` };
    }
    return needs(info, needed);
  }

  /** Blobs are content-addressed and shared by all workspaces: any valid token reads, write/admin tokens write. */
  forBlobs(token: string | null, needed: Role): Access {
    if (this.mode === 'open') return OPEN_ACCESS;
    const info = this.lookup(token);
    if (!info.ok) return info;
    return needs(info, needed);
  }

  /**
   * For an open connection: a function that says why the token stopped working (revoked, expired), or null. It reads
   * the store only when the tokens changed since its last look (TokenStore.generation) or the expiry passed.
   */
  watch(token: string | null): () => string | null {
    if (this.mode === 'open' || !token) return () => null;
    const tokens = this.tokens!;
    let seen = tokens.generation();
    const look = () => {
      const c = tokens.check(token);
      return c.ok ? { verdict: null, expiresAt: c.info.expiresAt } : { verdict: c.why, expiresAt: null };
    };
    let { verdict, expiresAt } = look();
    return () => {
      if (verdict !== null) return verdict;
      if (expiresAt !== null && Date.now() >= expiresAt) return (verdict = 'token expired');
      const now = tokens.generation();
      if (now !== seen) {
        seen = now;
        ({ verdict, expiresAt } = look());
      }
      return verdict;
    };
  }

  private lookup(token: string | null): { ok: true; info: TokenInfo } | Extract<Access, { ok: false }> {
    if (!token) return { ok: false, code: 'UNAUTHENTICATED', message: 'a token is required (Authorization: Bearer <token> or ?token=)' };
    const c = this.tokens!.check(token);
    return c.ok ? { ok: true, info: c.info } : { ok: false, code: 'UNAUTHENTICATED', message: c.why };
  }
}

function needs(lookup: { info: TokenInfo }, needed: Role): Access {
  const { role, id, expiresAt } = lookup.info;
  if (roleAtLeast(role, needed)) return { ok: true, role, tokenId: id, expiresAt };
  return { ok: false, code: 'PERMISSION_DENIED', message: `a ${needed} token is required (this one is ${role})` };
}

/** `Authorization: Bearer <t>` wins over `?token=<t>` (browsers' WebSocket API can only use the query string). */
export function tokenFromRequest(req: IncomingMessage, url: URL): string | null {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m) return m[1]!;
  }
  const q = url.searchParams.get('token');
  return q && q.length > 0 ? q : null;
}

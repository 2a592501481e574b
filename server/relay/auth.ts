import type { IncomingMessage } from 'node:http';
import type { AuthMode } from './config';
import { roleAtLeast, type Role, type TokenStore } from './token-store';

export type Access =
  | { ok: true; role: Role }
  | { ok: false; code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED'; message: string };

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
    if (this.mode === 'open') return { ok: true, role: 'admin' };
    const info = this.lookup(token);
    if (!info.ok) return info;
    if (info.workspace !== workspace) {
      return { ok: false, code: 'PERMISSION_DENIED', message: `token is not valid for workspace '${workspace}'` };
    }
    return needs(info.role, needed);
  }

  /** Blobs are content-addressed and shared by all workspaces: any valid token reads, write/admin tokens write. */
  forBlobs(token: string | null, needed: Role): Access {
    if (this.mode === 'open') return { ok: true, role: 'admin' };
    const info = this.lookup(token);
    if (!info.ok) return info;
    return needs(info.role, needed);
  }

  private lookup(token: string | null): Access & { workspace?: string } {
    if (!token) return { ok: false, code: 'UNAUTHENTICATED', message: 'a token is required (Authorization: Bearer <token> or ?token=)' };
    const info = this.tokens!.verify(token);
    if (!info) return { ok: false, code: 'UNAUTHENTICATED', message: 'unknown or revoked token' };
    return { ok: true, role: info.role, workspace: info.workspace };
  }
}

function needs(role: Role, needed: Role): Access {
  if (roleAtLeast(role, needed)) return { ok: true, role };
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

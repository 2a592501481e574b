import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { asWorkspaceId, type WorkspaceId } from '../../lib/domain/index';
import type { SqliteDb } from './database';

/** 32 random bytes: unguessable, and short enough to paste. */
const TOKEN_RANDOM_BYTES = 32;
const TOKEN_PREFIX = 'cairn_';
/** Ids are shown in `token list` and typed into `token revoke`; 8 bytes of hex is plenty for a handful of tokens. */
const TOKEN_ID_BYTES = 8;

export const ROLES = ['read', 'write', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

const RANK: Record<Role, number> = { read: 0, write: 1, admin: 2 };
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export interface TokenInfo {
  id: string;
  workspace: WorkspaceId;
  role: Role;
  createdAt: number;
  revokedAt: number | null;
  /** Milliseconds since the epoch after which the token no longer works; null = never. */
  expiresAt: number | null;
}

interface TokenRow {
  id: string;
  workspace: string;
  role: string;
  created_at: number;
  revoked_at: number | null;
  expires_at: number | null;
}

const COLUMNS = 'id, workspace, role, created_at, revoked_at, expires_at';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Only sha256(token) is stored: a copied database file does not hand out working tokens. */
export class TokenStore {
  private readonly byHash;
  private readonly insert;
  private readonly listAll;
  private readonly listWorkspace;
  private readonly revokeStmt;
  private readonly dataVersion;
  /** Bumped by this process's own writes, which `PRAGMA data_version` does not count. */
  private localWrites = 0;

  constructor(private readonly db: SqliteDb) {
    this.byHash = db.prepare<[string], TokenRow>(`SELECT ${COLUMNS} FROM tokens WHERE token_sha256 = ?`);
    this.insert = db.prepare<[string, string, string, string, number, number | null]>(
      'INSERT INTO tokens (id, workspace, role, token_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.listAll = db.prepare<[], TokenRow>(`SELECT ${COLUMNS} FROM tokens ORDER BY created_at, id`);
    this.listWorkspace = db.prepare<[string], TokenRow>(`SELECT ${COLUMNS} FROM tokens WHERE workspace = ? ORDER BY created_at, id`);
    this.revokeStmt = db.prepare<[number, string]>('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.dataVersion = db.prepare<[], { data_version: number }>('PRAGMA data_version');
  }

  /** Returns the token string; it is never stored or shown again. */
  create(workspace: string, role: Role, opts: { now?: number; expiresAt?: number | null } = {}): { token: string; info: TokenInfo } {
    const now = opts.now ?? Date.now();
    const expiresAt = opts.expiresAt ?? null;
    if (expiresAt !== null && !(Number.isSafeInteger(expiresAt) && expiresAt > now)) {
      throw new Error('a token must expire in the future');
    }
    const ws = asWorkspaceId(workspace);
    const token = TOKEN_PREFIX + randomBytes(TOKEN_RANDOM_BYTES).toString('base64url');
    const id = randomBytes(TOKEN_ID_BYTES).toString('hex');
    this.db.transaction(() => this.insert.run(id, ws, role, hashToken(token), now, expiresAt))();
    this.localWrites++;
    return { token, info: { id, workspace: ws, role, createdAt: now, revokedAt: null, expiresAt } };
  }

  /**
   * Changes whenever the tokens may have changed, in this process or another (the CLI): open connections re-check
   * their token only when it moved, so the check on every frame costs one pragma read.
   */
  generation(): string {
    return `${this.dataVersion.get()!.data_version}.${this.localWrites}`;
  }

  /**
   * Looks the token up on every call (an indexed read): tokens created or revoked by the CLI while the relay runs take
   * effect immediately, with no cache to go stale.
   */
  verify(token: string, now = Date.now()): TokenInfo | null {
    const c = this.check(token, now);
    return c.ok ? c.info : null;
  }

  /** One lookup: the token's info, or why it does not work (for messages). */
  check(token: string, now = Date.now()): { ok: true; info: TokenInfo } | { ok: false; why: string } {
    const row = token.startsWith(TOKEN_PREFIX) ? this.byHash.get(hashToken(token)) : undefined;
    if (!row) return { ok: false, why: 'unknown token' };
    if (row.revoked_at !== null) return { ok: false, why: 'token revoked' };
    if (row.expires_at !== null && now >= row.expires_at) return { ok: false, why: 'token expired' };
    return { ok: true, info: toInfo(row) };
  }

  list(workspace?: string): TokenInfo[] {
    const rows = workspace === undefined ? this.listAll.all() : this.listWorkspace.all(workspace);
    return rows.map(toInfo);
  }

  /** True when a live token was revoked; false when the id is unknown or already revoked. */
  revoke(id: string, now = Date.now()): boolean {
    const changed = this.db.transaction(() => this.revokeStmt.run(now, id).changes)() > 0;
    this.localWrites++;
    return changed;
  }
}

function toInfo(r: TokenRow): TokenInfo {
  return {
    id: r.id,
    workspace: r.workspace as WorkspaceId,
    role: RoleSchema.parse(r.role),
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    expiresAt: r.expires_at,
  };
}

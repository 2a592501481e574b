import { Option, type Command } from 'commander';
import { asWorkspaceId } from '../../lib/domain/index';
import { dataDirFromEnv } from '../relay/config';
import { openRelayDatabase } from '../relay/database';
import { ROLES, RoleSchema, TokenStore, type TokenInfo } from '../relay/token-store';

const dataOption = () => new Option('--data <dir>', 'data directory of the relay (env CAIRN_DATA_DIR, default ./.cairn)');

/** Opens the relay database for one command; the relay may be running (WAL), it sees changes on its next check. */
function withTokens<T>(dataDir: string | undefined, fn: (tokens: TokenStore) => T): T {
  const db = openRelayDatabase(dataDir ?? dataDirFromEnv(process.env));
  try {
    return fn(new TokenStore(db));
  } finally {
    db.close();
  }
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('Create, list and revoke workspace access tokens.');

  token
    .command('create')
    .description('Create a token and print it (only the token, on stdout). It cannot be shown again.')
    .addOption(dataOption())
    .requiredOption('--workspace <id>', 'workspace the token grants access to')
    .addOption(new Option('--role <role>', 'what the token may do').choices([...ROLES]).makeOptionMandatory())
    .option('--expires <when>', 'stop working after a duration (30d, 12h, 90m, 45s, 2w) or at an ISO date-time')
    .action((flags: { data?: string; workspace: string; role: string; expires?: string }) => {
      const workspace = asWorkspaceId(flags.workspace);
      const role = RoleSchema.parse(flags.role);
      const now = Date.now();
      const expiresAt = flags.expires === undefined ? null : parseExpiry(flags.expires, now);
      const { token: secret } = withTokens(flags.data, (t) => t.create(workspace, role, { now, expiresAt }));
      process.stdout.write(secret + '\n');
    });

  token
    .command('list')
    .description('List tokens (id, workspace, role, created, expires, revoked); the token strings themselves are never stored.')
    .addOption(dataOption())
    .option('--workspace <id>', 'only tokens of this workspace')
    .action((flags: { data?: string; workspace?: string }) => {
      const rows = withTokens(flags.data, (t) => t.list(flags.workspace));
      process.stdout.write(formatTable(rows));
    });

  token
    .command('revoke')
    .description('Revoke a token by id; the relay refuses it from its next check on.')
    .argument('<id>', 'token id as shown by `cairn token list`')
    .addOption(dataOption())
    .action((id: string, flags: { data?: string }) => {
      const done = withTokens(flags.data, (t) => t.revoke(id));
      if (!done) throw new Error(`no live token with id '${id}' (see \`cairn token list\`)`);
      process.stdout.write(`revoked ${id}\n`);
    });
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `30d`, `12h`, `90m`, `45s`, `2w` from now, or an ISO 8601 date-time; must lie in the future. */
export function parseExpiry(value: string, now: number): number {
  const m = /^(\d+)([smhdw])$/.exec(value.trim());
  const at = m ? now + Number(m[1]) * UNIT_MS[m[2]!]! : Date.parse(value);
  if (!Number.isSafeInteger(at) || (m && Number(m[1]) === 0)) {
    throw new Error(`--expires must be a duration like 30d, 12h, 90m, 45s, 2w or an ISO date-time, got '${value}'`);
  }
  if (at <= now) throw new Error(`--expires ${value} is not in the future`);
  return at;
}

function formatTable(rows: TokenInfo[]): string {
  const header = ['ID', 'WORKSPACE', 'ROLE', 'CREATED', 'EXPIRES', 'REVOKED'];
  const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
  const body = rows.map((r) => [r.id, r.workspace, r.role, iso(r.createdAt), iso(r.expiresAt), iso(r.revokedAt)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  return [header, ...body].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

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
    .action((flags: { data?: string; workspace: string; role: string }) => {
      const workspace = asWorkspaceId(flags.workspace);
      const role = RoleSchema.parse(flags.role);
      const { token: secret } = withTokens(flags.data, (t) => t.create(workspace, role));
      process.stdout.write(secret + '\n');
    });

  token
    .command('list')
    .description('List tokens (id, workspace, role, created, revoked); the token strings themselves are never stored.')
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

function formatTable(rows: TokenInfo[]): string {
  const header = ['ID', 'WORKSPACE', 'ROLE', 'CREATED', 'REVOKED'];
  const body = rows.map((r) => [
    r.id,
    r.workspace,
    r.role,
    new Date(r.createdAt).toISOString(),
    r.revokedAt === null ? '-' : new Date(r.revokedAt).toISOString(),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  return [header, ...body].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

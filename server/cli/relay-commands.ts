import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataDirFromEnv, isLoopbackHost, optionsFromFlagsAndEnv, type EnvAndFlags } from '../relay/config';
import { DB_FILE_NAME, META_INDEX_BUILT, META_RELAY_PID, getMeta, openRelayDatabase, setMeta } from '../relay/database';
import { upgradeDataFolder } from '../relay/data-upgrade';
import { rebuildAll } from '../relay/index-service';
import { IndexTables } from '../relay/index-tables';
import { startRelay, type RelayHandle } from '../relay/relay-server';
import { RunReader } from '../relay/run-reader';
import { SqliteDocStore } from '../relay/sqlite-doc-store';
import { WorkspaceIdSchema } from '../../lib/domain/index';

/** Workspace the quick-start app is pointed at. */
const START_WORKSPACE = 'default';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

interface RelayFlags extends EnvAndFlags {
  open?: boolean;
  insecureOpen?: boolean;
}

interface StartFlags extends EnvAndFlags {
  app?: string;
}

export function registerRelayCommand(program: Command): void {
  const relay = program
    .command('relay')
    .enablePositionalOptions()
    .description('Run the sync relay (WebSocket /sync, /docs, /blobs). Tokens are required unless --open.')
    .option('--port <port>', 'port to listen on, 0 picks a free one (env CAIRN_PORT, default 8080)')
    .option('--host <host>', 'address to bind (env CAIRN_HOST, default 127.0.0.1)')
    .option('--data <dir>', 'data directory (env CAIRN_DATA_DIR, default ./.cairn)')
    .option('--open', 'no token checks: everyone is admin (loopback hosts only)')
    .option('--insecure-open', 'allow --open on a non-loopback host (anyone who can reach it can read and write)')
    .option('--allow-origin <origin>', 'browser origin allowed to connect; repeatable or comma-separated, * = any (env CAIRN_ALLOW_ORIGIN)', collect)
    .option('--max-frame-bytes <n>', 'largest WebSocket message accepted (env CAIRN_MAX_FRAME_BYTES, default 64 MiB)')
    .option('--max-blob-bytes <n>', 'largest blob accepted by PUT /blobs (env CAIRN_MAX_BLOB_BYTES, default 512 MiB)')
    .option('--max-db-bytes <n>', 'cap on relay.sqlite; past it writes are refused as on a full disk (env CAIRN_MAX_DB_BYTES, default none)')
    .option('--max-connections-per-token <n>', 'open sockets one token may hold (env CAIRN_MAX_CONNECTIONS_PER_TOKEN, default 1024)')
    .option('--max-rooms-per-token <n>', 'distinct rooms one token may hold open (env CAIRN_MAX_ROOMS_PER_TOKEN, default 1024)')
    .action(async (flags: RelayFlags) => {
      const options = optionsFromFlagsAndEnv(flags, process.env);
      const host = options.host!;
      if (flags.open && !isLoopbackHost(host) && !flags.insecureOpen) {
        throw new Error(
          `refusing --open on host ${host}: without tokens anyone who can reach it could read and overwrite every workspace. ` +
            'Bind to 127.0.0.1, drop --open and use `cairn token create`, or add --insecure-open if you really mean it.',
        );
      }
      const handle = await startRelay({ ...options, auth: flags.open ? 'open' : 'tokens' });
      // Before the ready line: whoever waits for it may signal us the moment it appears.
      stopOnSignals(handle);
      const mode = flags.open ? 'open: no tokens checked' : 'tokens required';
      process.stdout.write(`Cairn relay listening on ${handle.url} (${mode})\n`);
      if (flags.open && !isLoopbackHost(host)) {
        process.stderr.write(`WARNING: open mode on ${host}: anyone who can reach this address can read and write.\n`);
      }
    });
  registerReindexCommand(relay);
}

interface ReindexFlags {
  data?: string;
  workspace?: string;
  force?: boolean;
}

/** `cairn relay reindex` (RELAY-35): the experiment indexes rebuilt from every run doc, with the time it took. */
function registerReindexCommand(relay: Command): void {
  relay
    .command('reindex')
    .description('Rebuild the experiment indexes from every run doc (the relay must be stopped). Prints the time taken.')
    .option('--data <dir>', 'data directory (env CAIRN_DATA_DIR, default ./.cairn)')
    .option('--workspace <id>', 'only this workspace (default: all)')
    .option('--force', 'run even though the data folder names a relay process that still exists')
    .action((flags: ReindexFlags) => {
      if (flags.workspace !== undefined && !WorkspaceIdSchema.safeParse(flags.workspace).success) {
        throw new Error(`--workspace: '${flags.workspace}' is not a workspace id`);
      }
      const dataDir = resolve(flags.data ?? dataDirFromEnv(process.env));
      if (!existsSync(join(dataDir, DB_FILE_NAME))) throw new Error(`no relay data in ${dataDir} (no ${DB_FILE_NAME})`);
      const db = openRelayDatabase(dataDir);
      try {
        const pid = Number(getMeta(db, META_RELAY_PID));
        if (pid > 0 && pid !== process.pid && processExists(pid) && !flags.force) {
          throw new Error(`a relay (pid ${pid}) is serving ${dataDir}: stop it first (or --force if that pid is not a relay)`);
        }
        const store = new SqliteDocStore(db);
        const log = (line: string) => process.stdout.write(line + '\n');
        // A format-1 folder is upgraded first: its runs are not in run docs yet.
        upgradeDataFolder(db, join(dataDir, DB_FILE_NAME), store, log);
        const wasBuilt = getMeta(db, META_INDEX_BUILT) !== null;
        setMeta(db, META_INDEX_BUILT, null);
        rebuildAll(new IndexTables(db), store, new RunReader(store, null), log, flags.workspace);
        // One workspace rebuilt leaves the others as they were: built only if they were.
        if (!flags.workspace || wasBuilt) setMeta(db, META_INDEX_BUILT, '1');
      } finally {
        db.close();
      }
    });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Local quick start: the app and an open relay on this machine only (no tokens), workspace "default".')
    .option('--port <port>', 'port to listen on, 0 picks a free one (env CAIRN_PORT, default 8080)')
    .option('--host <host>', 'loopback address to bind (env CAIRN_HOST, default 127.0.0.1)')
    .option('--data <dir>', 'data directory (env CAIRN_DATA_DIR, default ./.cairn)')
    .option('--app <dir>', 'directory of the built app (default: out/ next to the package)')
    .action(async (flags: StartFlags) => {
      const options = optionsFromFlagsAndEnv(flags, process.env);
      const host = options.host!;
      if (!isLoopbackHost(host)) {
        throw new Error(
          `cairn start runs without tokens, so it only binds to loopback (got --host ${host}). ` +
            'To share with other machines use `cairn relay --host ' + host + '` with tokens (`cairn token create`).',
        );
      }
      const appDir = resolve(flags.app ?? defaultAppDir());
      const appBuilt = existsSync(join(appDir, 'index.html'));
      const handle = await startRelay({
        ...options,
        auth: 'open',
        appDir: appBuilt ? appDir : undefined,
        appWorkspace: START_WORKSPACE,
      });
      stopOnSignals(handle);
      const lines = [
        `Cairn is running in open mode on loopback: no tokens, only this machine can connect.`,
        appBuilt ? `App:   ${handle.url}/` : `App:   not built (no ${join(appDir, 'index.html')}); run \`npm run build\`, then start again.`,
        `Relay: ${handle.url} (WebSocket ${handle.url.replace(/^http/, 'ws')}/sync, workspace "${START_WORKSPACE}")`,
        `Data:  ${resolve(options.dataDir)}`,
        'Press Ctrl+C to stop.',
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** `out/` beside `dist/` in the installed package (this file is bundled into dist/cli.cjs). */
function defaultAppDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  return join(here, '..', 'out');
}

/** First signal: close sockets, compact loaded rooms, close SQLite. A second signal exits at once. */
function stopOnSignals(handle: RelayHandle): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`\n${signal}: stopping relay...\n`);
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

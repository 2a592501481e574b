import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_MAX_BLOB_BYTES } from '../../lib/domain/index';
import type { DocStore } from './doc-store';

/** Safe by default: only this machine can reach a relay started without flags. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_DATA_DIR = './.cairn';
/** Big enough for a run doc snapshot of a few million points; one bad peer cannot exhaust memory much beyond it. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Seconds of grace before an idle room is unloaded: a page reload reconnects well within it. */
export const DEFAULT_ROOM_UNLOAD_DELAY_MS = 5_000;
/** Compact a room's update log past this many rows: loading 500 small updates is still instant. */
export const DEFAULT_COMPACT_AFTER_ROWS = 500;
/** ...or past this many bytes of updates since the last snapshot, so big metric streams fold early. */
export const DEFAULT_COMPACT_AFTER_BYTES = 16 * 1024 * 1024;

/** Sockets one token may hold open at once: a notebook with a few dozen live runs and some tabs fits many times. */
export const DEFAULT_MAX_CONNECTIONS_PER_TOKEN = 1024;
/** Distinct rooms one token's sockets may hold open at once (each loaded room costs memory until it is idle). */
export const DEFAULT_MAX_ROOMS_PER_TOKEN = 1024;
/** Frames from a read token carry presence and handshakes only: no reason for them to be large. */
export const READ_ONLY_MAX_FRAME_BYTES = 1024 * 1024;

export type AuthMode = 'tokens' | 'open';

export interface RelayOptions {
  host?: string;
  /** 0 picks a free port; the real one is in the returned handle. */
  port?: number;
  dataDir: string;
  /** 'tokens' (default) checks every request; 'open' makes everyone admin. */
  auth?: AuthMode;
  /** Allowed browser origins; '*' allows any. Default: the relay's own origin and loopback origins. */
  allowOrigins?: string[];
  maxFrameBytes?: number;
  maxBlobBytes?: number;
  /** A directory of static files (the exported app) served for all other GET paths. */
  appDir?: string;
  /** Workspace the served app is pointed at through /cairn-config.json. */
  appWorkspace?: string;
  /** 'sqlite' (default, durable) or 'memory' (tests, throwaway demos). */
  storage?: 'sqlite' | 'memory';
  /** A DocStore of the embedder's own (overrides `storage` for documents; the relay does not close it). */
  docStore?: DocStore;
  roomUnloadDelayMs?: number;
  compactAfterRows?: number;
  compactAfterBytes?: number;
  /** Cap on relay.sqlite's size (`--max-db-bytes`); past it writes fail as on a full disk. Default: none. */
  maxDbBytes?: number;
  /** Per-token caps (RELAY-29); open mode has no tokens and no caps. */
  maxConnectionsPerToken?: number;
  maxRoomsPerToken?: number;
  /** How often open sockets' tokens are re-checked when nothing else happens on them (RELAY-28). */
  tokenSweepMs?: number;
  /** `GET /debug/memory` (process.memoryUsage after a GC when --expose-gc, loaded rooms): tests and operators only. */
  debugRoutes?: boolean;
  /** Internal, for tests: the smallest stored index snapshot served while a little behind (RELAY-41; 512 KiB). */
  indexStaleSnapshotBytes?: number;
  /** Internal, for tests: how long dirty runs wait before they are folded into their index (500 ms). */
  indexFoldDelayMs?: number;
  /** Where diagnostic lines go; default stderr. */
  log?: (line: string) => void;
}

export interface ResolvedRelayOptions {
  host: string;
  port: number;
  dataDir: string;
  auth: AuthMode;
  allowOrigins: string[] | null;
  maxFrameBytes: number;
  maxBlobBytes: number;
  appDir: string | null;
  appWorkspace: string;
  storage: 'sqlite' | 'memory';
  docStore: DocStore | null;
  roomUnloadDelayMs: number;
  compactAfterRows: number;
  compactAfterBytes: number;
  maxDbBytes: number | null;
  maxConnectionsPerToken: number;
  maxRoomsPerToken: number;
  tokenSweepMs: number;
  debugRoutes: boolean;
  indexStaleSnapshotBytes: number;
  indexFoldDelayMs: number | undefined;
  log: (line: string) => void;
}

export function resolveRelayOptions(o: RelayOptions): ResolvedRelayOptions {
  return {
    host: o.host ?? DEFAULT_HOST,
    port: o.port ?? DEFAULT_PORT,
    dataDir: isAbsolute(o.dataDir) ? o.dataDir : resolve(o.dataDir),
    auth: o.auth ?? 'tokens',
    allowOrigins: o.allowOrigins && o.allowOrigins.length > 0 ? o.allowOrigins : null,
    maxFrameBytes: o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    maxBlobBytes: o.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES,
    appDir: o.appDir ?? null,
    appWorkspace: o.appWorkspace ?? 'default',
    storage: o.storage ?? 'sqlite',
    docStore: o.docStore ?? null,
    roomUnloadDelayMs: o.roomUnloadDelayMs ?? DEFAULT_ROOM_UNLOAD_DELAY_MS,
    compactAfterRows: o.compactAfterRows ?? DEFAULT_COMPACT_AFTER_ROWS,
    compactAfterBytes: o.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES,
    maxDbBytes: o.maxDbBytes ?? null,
    maxConnectionsPerToken: o.maxConnectionsPerToken ?? DEFAULT_MAX_CONNECTIONS_PER_TOKEN,
    maxRoomsPerToken: o.maxRoomsPerToken ?? DEFAULT_MAX_ROOMS_PER_TOKEN,
    tokenSweepMs: o.tokenSweepMs ?? 1_000,
    debugRoutes: o.debugRoutes ?? false,
    indexStaleSnapshotBytes: o.indexStaleSnapshotBytes ?? 512 * 1024,
    indexFoldDelayMs: o.indexFoldDelayMs,
    log: o.log ?? ((line) => process.stderr.write(line + '\n')),
  };
}

/** Loopback hosts: binding there means only this machine can connect, which is what makes open mode acceptable. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** "a,b" and repeated flags alike; empty entries dropped. */
export function splitList(values: string | string[] | undefined): string[] {
  if (values === undefined) return [];
  const arr = Array.isArray(values) ? values : [values];
  return arr.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

/** Parses a non-negative integer flag/env value, or throws a message naming where it came from. */
export function parseByteCount(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${what} must be a positive integer number of bytes, got '${value}'`);
  return n;
}

export function parseCount(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${what} must be a positive integer, got '${value}'`);
  return n;
}

export function parsePort(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${what} must be a port number 0-65535, got '${value}'`);
  return n;
}

export interface EnvAndFlags {
  host?: string;
  port?: string;
  data?: string;
  allowOrigin?: string[];
  maxFrameBytes?: string;
  maxBlobBytes?: string;
  maxDbBytes?: string;
  maxConnectionsPerToken?: string;
  maxRoomsPerToken?: string;
}

/** Flags win over env, env wins over defaults. */
export function optionsFromFlagsAndEnv(flags: EnvAndFlags, env: NodeJS.ProcessEnv): Omit<RelayOptions, 'auth'> {
  const origins = flags.allowOrigin && flags.allowOrigin.length > 0 ? flags.allowOrigin : splitList(env.CAIRN_ALLOW_ORIGIN);
  return {
    host: flags.host ?? env.CAIRN_HOST ?? DEFAULT_HOST,
    port: parsePort(flags.port, '--port') ?? parsePort(env.CAIRN_PORT, 'CAIRN_PORT') ?? DEFAULT_PORT,
    dataDir: flags.data ?? dataDirFromEnv(env),
    allowOrigins: splitList(origins),
    maxFrameBytes:
      parseByteCount(flags.maxFrameBytes, '--max-frame-bytes') ?? parseByteCount(env.CAIRN_MAX_FRAME_BYTES, 'CAIRN_MAX_FRAME_BYTES'),
    maxBlobBytes:
      parseByteCount(flags.maxBlobBytes, '--max-blob-bytes') ?? parseByteCount(env.CAIRN_MAX_BLOB_BYTES, 'CAIRN_MAX_BLOB_BYTES'),
    maxDbBytes: parseByteCount(flags.maxDbBytes, '--max-db-bytes') ?? parseByteCount(env.CAIRN_MAX_DB_BYTES, 'CAIRN_MAX_DB_BYTES'),
    maxConnectionsPerToken:
      parseCount(flags.maxConnectionsPerToken, '--max-connections-per-token') ??
      parseCount(env.CAIRN_MAX_CONNECTIONS_PER_TOKEN, 'CAIRN_MAX_CONNECTIONS_PER_TOKEN'),
    maxRoomsPerToken:
      parseCount(flags.maxRoomsPerToken, '--max-rooms-per-token') ?? parseCount(env.CAIRN_MAX_ROOMS_PER_TOKEN, 'CAIRN_MAX_ROOMS_PER_TOKEN'),
    debugRoutes: env.CAIRN_RELAY_DEBUG === '1',
  };
}

export function dataDirFromEnv(env: NodeJS.ProcessEnv): string {
  return env.CAIRN_DATA_DIR && env.CAIRN_DATA_DIR.length > 0 ? env.CAIRN_DATA_DIR : DEFAULT_DATA_DIR;
}
